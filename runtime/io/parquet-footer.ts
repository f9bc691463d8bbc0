/**
 * A Parquet file's footer (its FileMetaData, Thrift compact protocol), read without the codec:
 * the driver plans splits from row groups' row counts and skips row groups by their column
 * statistics, which parquet-wasm does not expose. Only the last few kilobytes of a file are read.
 */
import { TsdfError } from "../../plan/errors.ts";
import { openInputFile } from "./input-file.ts";

/** Parquet's physical types (the `Type` enum of parquet.thrift). */
export const PhysicalType = { Boolean: 0, Int32: 1, Int64: 2, Int96: 3, Float: 4, Double: 5, ByteArray: 6, FixedLenByteArray: 7 } as const;
export type PhysicalType = (typeof PhysicalType)[keyof typeof PhysicalType];

/** Min/max statistics of a column chunk, as plain-encoded bytes. */
export interface ColumnStats {
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
  readonly nullCount?: number;
  /** Whether min/max come from the deprecated fields, which order byte arrays as signed bytes. */
  readonly legacy: boolean;
}

export interface ColumnChunkInfo {
  /** The top-level column name (nested columns are not tsdf columns and are left out). */
  readonly name: string;
  readonly type: PhysicalType;
  /** ConvertedType and the LogicalType union's field id (undefined when absent). */
  readonly convertedType?: number;
  readonly logicalType?: number;
  /** For a LogicalType INTEGER: whether it is signed. */
  readonly signed?: boolean;
  readonly compressedSize: number;
  readonly stats?: ColumnStats;
}

export interface RowGroupInfo {
  readonly numRows: number;
  readonly columns: readonly ColumnChunkInfo[];
}

export interface ParquetFooter {
  readonly numRows: number;
  readonly rowGroups: readonly RowGroupInfo[];
}

const MAGIC = "PAR1";

/** Reads and decodes the footer of `file`; TSDF3004 naming the file when it is not Parquet. */
export async function readParquetFooter(file: string, displayPath: string): Promise<ParquetFooter> {
  const handle = await openInputFile(file, displayPath);
  try {
    const size = Number((await handle.stat()).size);
    if (size < 12) throw notParquet(displayPath, "the file is too short to be Parquet");
    const tail = new Uint8Array(8);
    await handle.read(tail, 0, 8, size - 8);
    if (String.fromCharCode(...tail.subarray(4)) !== MAGIC) throw notParquet(displayPath, "no Parquet magic at the end of the file");
    const length = new DataView(tail.buffer).getUint32(0, true);
    if (length > size - 12) throw notParquet(displayPath, "the footer length is larger than the file");
    const bytes = new Uint8Array(length);
    await handle.read(bytes, 0, length, size - 8 - length);
    try {
      return footerOf(new CompactReader(bytes).struct());
    } catch (e) {
      throw notParquet(displayPath, `its footer cannot be decoded: ${(e as Error).message}`);
    }
  } finally {
    await handle.close();
  }
}

/** TSDF3004: the file is not one the Parquet reader can read. */
export function notParquet(displayPath: string, why: string): TsdfError {
  return new TsdfError("TSDF3004", `not a readable Parquet file (${why})`, { file: displayPath, line: 1, column: 1 }, [
    "the file may be truncated or in another format; rewrite it, or read it with the matching p.read.* call",
  ]);
}

/** A decoded Thrift value: structs are maps from field id. */
type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;
type ThriftStruct = Map<number, ThriftValue>;

function footerOf(meta: ThriftStruct): ParquetFooter {
  // FileMetaData: 2 schema, 3 num_rows, 4 row_groups.
  const leaves = topLevelLeaves(list(meta, 2).map((e) => e as ThriftStruct));
  const rowGroups = list(meta, 4).map((rg): RowGroupInfo => {
    const g = rg as ThriftStruct;
    const columns: ColumnChunkInfo[] = [];
    for (const c of list(g, 1)) {
      // ColumnChunk: 3 meta_data. ColumnMetaData: 1 type, 3 path_in_schema, 7 total_compressed_size, 12 statistics.
      const m = (c as ThriftStruct).get(3) as ThriftStruct | undefined;
      if (m === undefined) continue;
      const path = list(m, 3).map((p) => text(p as Uint8Array));
      if (path.length !== 1) continue;
      const name = path[0] as string;
      const element = leaves.get(name);
      const logical = element?.get(10) as ThriftStruct | undefined;
      const logicalType = logical === undefined ? undefined : [...logical.keys()][0];
      const intType = logicalType === 10 ? ((logical as ThriftStruct).get(10) as ThriftStruct) : undefined;
      const stats = m.get(12) as ThriftStruct | undefined;
      columns.push({
        name,
        type: m.get(1) as PhysicalType,
        ...(element?.get(6) !== undefined && { convertedType: element.get(6) as number }),
        ...(logicalType !== undefined && { logicalType }),
        ...(intType?.get(2) !== undefined && { signed: intType.get(2) as boolean }),
        compressedSize: m.get(7) as number,
        ...(stats !== undefined && { stats: statsOf(stats) }),
      });
    }
    return { numRows: g.get(3) as number, columns };
  });
  return { numRows: meta.get(3) as number, rowGroups };
}

/**
 * The root's children that are leaves, by name. SchemaElement: 4 name, 5 num_children,
 * 6 converted_type, 10 logicalType; the schema is the tree flattened depth-first.
 */
function topLevelLeaves(schema: readonly ThriftStruct[]): Map<string, ThriftStruct> {
  const out = new Map<string, ThriftStruct>();
  const end = (i: number): number => {
    let next = i + 1;
    for (let c = 0; c < ((schema[i]?.get(5) as number | undefined) ?? 0); c++) next = end(next);
    return next;
  };
  const children = (schema[0]?.get(5) as number | undefined) ?? 0;
  for (let c = 0, i = 1; c < children && i < schema.length; c++, i = end(i)) {
    const e = schema[i] as ThriftStruct;
    if (e.get(5) === undefined && e.get(4) instanceof Uint8Array) out.set(text(e.get(4) as Uint8Array), e);
  }
  return out;
}

/** Statistics: 1 max, 2 min (deprecated), 3 null_count, 5 max_value, 6 min_value. */
function statsOf(s: ThriftStruct): ColumnStats {
  const min = s.get(6) as Uint8Array | undefined;
  const max = s.get(5) as Uint8Array | undefined;
  const nullCount = s.get(3) as number | undefined;
  const base = nullCount === undefined ? {} : { nullCount };
  if (min !== undefined || max !== undefined) return { ...base, ...(min && { min }), ...(max && { max }), legacy: false };
  const oldMin = s.get(2) as Uint8Array | undefined;
  const oldMax = s.get(1) as Uint8Array | undefined;
  return { ...base, ...(oldMin && { min: oldMin }), ...(oldMax && { max: oldMax }), legacy: true };
}

function list(s: ThriftStruct, id: number): ThriftValue[] {
  const v = s.get(id);
  return Array.isArray(v) ? v : [];
}

const utf8 = new TextDecoder();
function text(b: Uint8Array): string {
  return utf8.decode(b);
}

/** Thrift's compact protocol, decoded generically (field types say how to read each value). */
class CompactReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  struct(): ThriftStruct {
    const out: ThriftStruct = new Map();
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === 0) return out;
      const delta = header >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      out.set(id, type === 1 ? true : type === 2 ? false : this.value(type));
    }
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case 1:
      case 2:
        // A boolean inside a list takes a byte of its own.
        return this.byte() === 1;
      case 3:
        return (this.byte() << 24) >> 24;
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7: {
        const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case 8: {
        const n = this.varint();
        if (this.pos + n > this.buf.length) throw new Error("a binary field runs past the footer");
        const v = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case 9:
      case 10: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(header & 0x0f));
        return items;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return [];
        const types = this.byte();
        for (let i = 0; i < size; i++) {
          this.value(types >> 4);
          this.value(types & 0x0f);
        }
        return [];
      }
      case 12:
        return this.struct();
      default:
        throw new Error(`unknown Thrift type ${type}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Error("the footer ends early");
    return this.buf[this.pos++] as number;
  }

  /** An unsigned varint; exact up to 2^53, which covers every offset and count in a footer. */
  private varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  }

  private zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}
