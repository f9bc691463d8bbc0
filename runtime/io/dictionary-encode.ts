/**
 * In-memory tables with repeated strings held as Arrow dictionaries, as Spark's columnar cache
 * holds them: a query over such a table groups and joins its strings by index instead of
 * hashing each row's bytes.
 */
import * as arrow from "apache-arrow";
import { encodeColumn } from "../exec/columns.ts";
import { Utf8Decoder, type Utf8Dictionary, utf8Dictionary } from "../exec/utf8-dictionary.ts";
import { batchOf } from "./row-assembler.ts";

/**
 * The batches (of one schema) with each utf8 column whose values repeat dictionary-encoded:
 * int32 indices into one dictionary that every batch shares, its values in order of first
 * appearance. A column whose values are nearly all distinct (ids) stays as it is, as do the
 * other columns; nothing is copied for them.
 */
export function dictionaryEncode(batches: readonly arrow.RecordBatch[]): arrow.RecordBatch[] {
  const first = batches[0];
  if (first === undefined) return [];
  const columns = first.schema.fields.map((f, j) => {
    const chunks = batches.map((b) => b.data.children[j] as arrow.Data);
    return arrow.DataType.isUtf8(f.type) ? (encodedChunks(chunks) ?? chunks) : chunks;
  });
  const schema = new arrow.Schema(
    first.schema.fields.map((f, j) => new arrow.Field(f.name, (columns[j] as arrow.Data[])[0]?.type ?? f.type, f.nullable, f.metadata)),
    first.schema.metadata,
  );
  return batches.map((b, k) => batchOf(schema, columns.map((chunks) => chunks[k] as arrow.Data), b.numRows));
}

/** A utf8 column's chunks as dictionary chunks sharing one dictionary; undefined when its values are nearly all distinct. */
function encodedChunks(chunks: readonly arrow.Data[]): arrow.Data[] | undefined {
  const decoder = new Utf8Decoder();
  const decoded: Utf8Dictionary[] = [];
  for (const chunk of chunks) {
    const out: unknown[] = new Array(chunk.length);
    if (!decoder.decode([chunk], out)) return undefined;
    decoded.push(utf8Dictionary(out) as Utf8Dictionary);
  }
  const values = (decoded[decoded.length - 1] as Utf8Dictionary).values;
  const dictionary = arrow.makeVector(encodeColumn(values, { name: "values", type: "utf8", nullable: true }) as arrow.Data<arrow.Utf8>);
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return decoded.map(({ codes }, k) => {
    const nullCount = (chunks[k] as arrow.Data).nullCount;
    let nullBitmap: Uint8Array | undefined;
    if (nullCount > 0) {
      nullBitmap = new Uint8Array((codes.length + 7) >> 3);
      for (let i = 0; i < codes.length; i++) if (values[codes[i] as number] !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    }
    return arrow.makeData({ type, length: codes.length, nullCount, nullBitmap, data: codes, dictionary });
  });
}
