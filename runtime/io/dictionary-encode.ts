/**
 * In-memory tables with repeated strings held as Arrow dictionaries, as Spark's columnar cache
 * holds them: a query over such a table groups and joins its strings by index instead of
 * hashing each row's bytes.
 */
import * as arrow from "apache-arrow";
import { encodeColumn } from "../exec/columns.ts";
import { Utf8Decoder, type Utf8Dictionary, utf8Dictionary } from "../exec/utf8-dictionary.ts";
import { batchOf } from "./row-assembler.ts";

/** The batches (of one schema) dictionary-encoded, as DictionaryEncoder does. */
export function dictionaryEncode(batches: readonly arrow.RecordBatch[]): arrow.RecordBatch[] {
  const first = batches[0];
  if (first === undefined) return [];
  const encoder = new DictionaryEncoder(first.schema);
  encoder.add(batches);
  return encoder.finish();
}

/** One column's batches so far: its own chunks, or (a utf8 column being encoded) each batch's codes into the decoder's values. */
type ColumnChunks = { readonly kind: "as-is"; readonly chunks: arrow.Data[] } | { readonly kind: "codes"; readonly decoder: Utf8Decoder; readonly codes: Utf8Dictionary[] };

/**
 * A table's batches, added a few at a time (a file's row groups, say, so that its plain strings
 * never all live at once), with each utf8 column whose values repeat dictionary-encoded: int32
 * indices into one dictionary that every batch shares, its values in order of first appearance.
 * A column whose values turn out nearly all distinct (ids) stays plain, as do the other
 * columns (their chunks copied, so that nothing keeps a reader's buffers alive).
 */
export class DictionaryEncoder {
  private readonly columns: ColumnChunks[];
  private readonly rows: number[] = [];

  constructor(private readonly schema: arrow.Schema) {
    this.columns = schema.fields.map((f) => (arrow.DataType.isUtf8(f.type) ? { kind: "codes", decoder: new Utf8Decoder(), codes: [] } : { kind: "as-is", chunks: [] }));
  }

  add(batches: readonly arrow.RecordBatch[]): void {
    for (const b of batches) {
      this.rows.push(b.numRows);
      this.columns.forEach((column, j) => {
        const chunk = b.data.children[j] as arrow.Data;
        if (column.kind === "as-is") {
          column.chunks.push(owned(chunk));
          return;
        }
        // Only the codes are kept: the rows' strings are never made.
        const out: unknown[] = [];
        if (column.decoder.decode([chunk], out, chunk.length, true)) column.codes.push(utf8Dictionary(out) as Utf8Dictionary);
        else {
          column.decoder.free();
          this.columns[j] = { kind: "as-is", chunks: [...column.codes.map((d) => plainChunk(d)), owned(chunk)] };
        }
      });
    }
  }

  /** The batches added, in order (the encoder must not be used after). */
  finish(): arrow.RecordBatch[] {
    for (const column of this.columns) if (column.kind === "codes") column.decoder.free();
    const columns = this.columns.map((column) => (column.kind === "as-is" ? column.chunks : dictionaryChunks(column.codes)));
    const schema = new arrow.Schema(
      this.schema.fields.map((f, j) => new arrow.Field(f.name, (columns[j] as arrow.Data[])[0]?.type ?? f.type, f.nullable, f.metadata)),
      this.schema.metadata,
    );
    return this.rows.map((n, k) => batchOf(schema, columns.map((chunks) => chunks[k] as arrow.Data), n));
  }
}

/**
 * A chunk over buffers of its own. A reader's chunks are often views into one buffer holding
 * every column (an IPC message), which a kept chunk would keep alive, plain strings and all.
 */
function owned(data: arrow.Data): arrow.Data {
  return data.clone(data.type, data.offset, data.length, data.nullCount, [data.valueOffsets?.slice(), data.values?.slice(), data.nullBitmap?.slice()] as never);
}

/** A batch's codes back as a plain utf8 chunk (for a column that went plain after it). */
function plainChunk({ values, codes }: Utf8Dictionary): arrow.Data {
  return encodeColumn(
    Array.from(codes, (c) => values[c]),
    { name: "values", type: "utf8", nullable: true },
  );
}

/** Each batch's codes as a dictionary chunk, all sharing the last batch's values (the decoder's, which only grow). */
function dictionaryChunks(decoded: readonly Utf8Dictionary[]): arrow.Data[] {
  const values = decoded[decoded.length - 1]?.values ?? [];
  const dictionary = arrow.makeVector(encodeColumn(values, { name: "values", type: "utf8", nullable: true }) as arrow.Data<arrow.Utf8>);
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return decoded.map(({ codes }) => {
    let nullCount = 0;
    let nullBitmap: Uint8Array | undefined;
    for (let i = 0; i < codes.length; i++) {
      if (values[codes[i] as number] !== null) continue;
      nullBitmap ??= new Uint8Array((codes.length + 7) >> 3).fill(0xff);
      nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) & ~(1 << (i & 7));
      nullCount++;
    }
    return arrow.makeData({ type, length: codes.length, nullCount, nullBitmap, data: codes, dictionary });
  });
}
