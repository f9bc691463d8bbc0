/**
 * Parquet ↔ Arrow record batches through parquet-wasm, keeping Arrow types (int32 stays int32,
 * date32 stays a date). Its WebAssembly (5 MB) is instantiated on first use only, so a pipeline
 * that touches no Parquet never pays for it.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { Field, Schema } from "../../plan/schema.ts";
import { arrowSchema, arrowType, tsdfType } from "./arrow-types.ts";
import { isValidAt } from "./concat-batches.ts";
import { openInputBlob } from "./input-file.ts";
import { notParquet } from "./parquet-footer.ts";
import { batchOf } from "./row-assembler.ts";

type ParquetWasm = typeof import("parquet-wasm/esm");
type ParquetReader = import("parquet-wasm/esm").ParquetFile;
let loaded: Promise<ParquetWasm> | undefined;

/** The name `tsdf build` copies the WebAssembly under, next to a bundle. */
export const PARQUET_WASM_FILE = "parquet_wasm_bg.wasm";

/**
 * Next to the bundle when running one (so a dist folder is self-contained; its worker threads'
 * code is one folder down), else the installed package.
 */
export function parquetWasmPath(): string {
  for (const dir of ["./", "../"]) {
    const beside = fileURLToPath(new URL(`${dir}${PARQUET_WASM_FILE}`, import.meta.url));
    if (existsSync(beside)) return beside;
  }
  return createRequire(import.meta.url).resolve(`parquet-wasm/esm/${PARQUET_WASM_FILE}`);
}

/** parquet-wasm's ES module build, instantiated from the WebAssembly file on first use. */
function parquetWasm(): Promise<ParquetWasm> {
  loaded ??= import("parquet-wasm/esm").then((m) => {
    m.initSync({ module: readFileSync(parquetWasmPath()) });
    return m;
  });
  return loaded;
}

/**
 * Reads a Parquet file. With `schema` the file must hold each declared column with that type
 * (extra file columns are ignored); without one the schema is inferred from the file. Batches hold
 * `columns` (default: every schema column) in that order, as tsdf's Arrow types. Only the row
 * groups listed in `rowGroups` (default: all) and the wanted columns' chunks are read from disk.
 */
export async function readParquet(
  file: string,
  displayPath: string,
  schema: Schema | undefined,
  columns?: readonly string[],
  rowGroups?: readonly number[],
): Promise<{ schema: Schema; batches: arrow.RecordBatch[] }> {
  const { reader, stored } = await openParquet(file, displayPath);
  try {
    const fileSchema = schema ?? inferSchema(stored, displayPath);
    // Every declared column is checked, not only the requested ones, so projection never changes errors.
    for (const f of fileSchema.fields) sourceColumn(stored, f, displayPath);
    const wanted = (columns ?? fileSchema.fields.map((f) => f.name)).map((name) => {
      const f = fileSchema.fields.find((g) => g.name === name);
      if (f === undefined) throw new TsdfError("TSDF3006", `${displayPath}: column '${name}' is not in the schema`);
      return f;
    });
    if (rowGroups !== undefined && rowGroups.length === 0) return { schema: fileSchema, batches: [] };
    const names = [...new Set(wanted.map((f) => f.name))];
    // A few row groups per call: parquet-wasm's memory grows to its largest read and never
    // shrinks, so reading a whole file at once would hold twice its decoded size for good.
    const groups = rowGroups ?? Array.from({ length: reader.metadata().numRowGroups() }, (_, g) => g);
    const batches: arrow.RecordBatch[] = [];
    for (let at = 0; at < groups.length; at += GROUPS_PER_READ) {
      const options = { batchSize: BATCH_ROWS, columns: names, rowGroups: groups.slice(at, at + GROUPS_PER_READ) };
      const table = await corruptAs(displayPath, async () => arrow.tableFromIPC((await reader.read(options)).intoIPCStream()));
      batches.push(...conformBatches(table, wanted, displayPath));
    }
    return { schema: fileSchema, batches };
  } finally {
    reader.free();
  }
}

/**
 * The table's batches holding the `wanted` fields in that order, each converted to tsdf's Arrow
 * type; TSDF3002/TSDF3003 naming the file when a column is missing, of another type, or holds a
 * null the schema does not allow. Shared by the Parquet and Arrow IPC readers.
 */
export function conformBatches(table: arrow.Table, wanted: readonly Field[], displayPath: string): arrow.RecordBatch[] {
  const sources = wanted.map((f) => sourceColumn(table.schema, f, displayPath));
  const out = arrowSchema({ fields: wanted });
  return table.batches.map((b) => {
    const children = wanted.map((f, k) => {
      const data = b.data.children[sources[k] as number] as arrow.Data;
      if (!f.nullable && data.nullCount > 0) {
        let row = 0;
        while (isValidAt(data, row)) row++;
        throw new TsdfError("TSDF3003", `${displayPath}: column '${f.name}' is declared non-nullable but holds a null (row ${row + 1} of a batch)`, undefined, [
          "declare the column .nullable()",
        ]);
      }
      return toCanonical(data, f);
    });
    return batchOf(out, children, b.numRows);
  });
}


/** Rows per batch parquet-wasm decodes (its default, 1024, makes thousands of tiny batches). */
const BATCH_ROWS = 1 << 16;
/** Row groups decoded per parquet-wasm call (tsdf writes 122,880 rows per group). */
const GROUPS_PER_READ = 4;

/** Runs `read`, turning a parquet-wasm failure into TSDF3004 naming the file. */
async function corruptAs<T>(displayPath: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw notParquet(displayPath, e instanceof Error ? e.message : String(e));
  }
}

/** The file's Arrow schema, read from its footer only (the caller frees the reader). */
async function openParquet(file: string, displayPath: string): Promise<{ reader: ParquetReader; stored: arrow.Schema }> {
  const pq = await parquetWasm();
  const blob = await openInputBlob(file, displayPath);
  const reader = await corruptAs(displayPath, () => pq.ParquetFile.fromFile(blob));
  return { reader, stored: arrow.tableFromIPC(reader.schema().intoIPCStream()).schema };
}

/** The tsdf schema of an Arrow schema (a Parquet or Arrow IPC file's); TSDF3002 for a type tsdf cannot read. */
export function inferSchema(s: arrow.Schema, displayPath: string): Schema {
  return {
    fields: s.fields.map((f) => {
      const type = tsdfType(f.type);
      if (type === undefined) {
        throw new TsdfError("TSDF3002", `${displayPath}: column '${f.name}' has Parquet/Arrow type ${String(f.type)}, which tsdf cannot read`, undefined, [
          "declare a schema without this column",
        ]);
      }
      return { name: f.name, type, nullable: f.nullable };
    }),
  };
}

export function sourceColumn(s: arrow.Schema, f: Field, displayPath: string): number {
  const index = s.fields.findIndex((g) => g.name === f.name);
  const found = s.fields[index];
  if (found === undefined) {
    throw new TsdfError("TSDF3002", `${displayPath}: the file has no column '${f.name}' (it has ${s.fields.map((g) => g.name).join(", ")})`);
  }
  if (tsdfType(found.type) !== f.type) {
    throw new TsdfError(
      "TSDF3002",
      `${displayPath}: column '${f.name}' is declared ${f.type} but the file stores ${String(found.type)}${tsdfType(found.type) ? ` (${tsdfType(found.type)})` : ""}`,
      undefined,
      ["change the declared type to match the file"],
    );
  }
  return index;
}

const SCALE_TO_MICROS = [1_000_000n, 1000n, 1n, 0n] as const;

/** The column as tsdf's Arrow type for `f.type`, converting wider/narrower encodings. */
function toCanonical(data: arrow.Data, f: Field): arrow.Data {
  const target = arrowType(f.type);
  if (arrow.util.compareTypes(data.type, target)) return data;
  const t = data.type;
  const base = { type: target, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, offset: data.offset };
  if (arrow.DataType.isTimestamp(t)) {
    const v = data.values as BigInt64Array;
    if (t.unit === arrow.TimeUnit.MICROSECOND) return data.clone(target as arrow.TimestampMicrosecond);
    const out = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const x = v[i] as bigint;
      out[i] = t.unit === arrow.TimeUnit.NANOSECOND ? floorDiv(x, 1000n) : x * SCALE_TO_MICROS[t.unit];
    }
    return rebase(arrow.makeData({ ...base, type: target as arrow.TimestampMicrosecond, data: out }));
  }
  if (arrow.DataType.isDate(t)) {
    const v = data.values as BigInt64Array | Int32Array;
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Math.floor(Number(v[i]) / 86_400_000);
    return rebase(arrow.makeData({ ...base, type: target as arrow.DateDay, data: out }));
  }
  if (arrow.DataType.isInt(t) || arrow.DataType.isFloat(t)) {
    const v = data.values as ArrayLike<number | bigint>;
    if (f.type === "int64") {
      const out = new BigInt64Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = BigInt(v[i] as number | bigint);
      return rebase(arrow.makeData({ ...base, type: target as arrow.Int64, data: out }));
    }
    const out = f.type === "int32" ? new Int32Array(data.length) : new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(v[i]);
    return rebase(arrow.makeData({ ...base, type: target as arrow.Int32, data: out as Int32Array }));
  }
  if (arrow.DataType.isLargeUtf8(t)) {
    const o = data.valueOffsets as unknown as BigInt64Array;
    const offsets = new Int32Array(data.length + 1);
    for (let i = 0; i <= data.length; i++) offsets[i] = Number(o[i]);
    return rebase(arrow.makeData({ ...base, type: target as arrow.Utf8, valueOffsets: offsets, data: data.values as Uint8Array }));
  }
  throw new TsdfError("TSDF3002", `column '${f.name}': cannot convert Arrow type ${String(t)} to ${f.type}`);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** Moves a converted column's bitmap offset to zero, its values already being offset-free. */
function rebase(data: arrow.Data): arrow.Data {
  if (data.offset === 0) return data;
  const bitmap = new Uint8Array((data.length + 7) >> 3);
  for (let i = 0; i < data.length; i++) if (isValidAt(data, i)) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  return data.clone(data.type, 0, data.length, data.nullCount, [data.valueOffsets, data.values, bitmap] as never);
}

/**
 * Rows per row group written: DuckDB's default. A row group is the unit a reader can skip by its
 * statistics and hand to one task, so a large file is cut into many (parquet-rs writes 1M rows).
 */
const ROW_GROUP_ROWS = 122_880;

/** Writes `batches` (columns in `schema` order) to `file` as one Parquet file (Snappy), in row groups of `rowGroupRows`. */
export async function writeParquet(file: string, batches: readonly arrow.RecordBatch[], schema: Schema, rowGroupRows = ROW_GROUP_ROWS): Promise<void> {
  const pq = await parquetWasm();
  const s = arrowSchema(schema);
  const aligned = batches.map((b) => batchOf(s, b.data.children.slice(0, s.fields.length), b.numRows));
  const table = new arrow.Table(s, aligned);
  const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(rowGroupRows).build();
  await writeFile(file, pq.writeParquet(wasmTable, props));
}

/** The tsdf schema of a Parquet file, for `p.read.parquet(path)` without a declared schema. */
export async function parquetSchema(file: string, displayPath: string): Promise<Schema> {
  const { reader, stored } = await openParquet(file, displayPath);
  reader.free();
  return inferSchema(stored, displayPath);
}
