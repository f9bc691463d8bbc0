/** Gathering chosen rows of a record batch into a new batch (for `partitionBy` writes). */
import * as arrow from "apache-arrow";
import { isValidAt } from "./concat-batches.ts";
import { batchOf } from "./row-assembler.ts";

/** A batch of `schema` holding rows `rows` (indices into `batch`, in that order) of `columns`. */
export function takeRows(batch: arrow.RecordBatch, columns: readonly number[], schema: arrow.Schema, rows: Int32Array): arrow.RecordBatch {
  const children = columns.map((c) => takeData(batch.data.children[c] as arrow.Data, rows));
  return batchOf(schema, children, rows.length);
}

function takeData(data: arrow.Data, rows: Int32Array): arrow.Data {
  const n = rows.length;
  let nullCount = 0;
  let bitmap: Uint8Array | undefined;
  if (data.nullCount > 0) {
    bitmap = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      if (isValidAt(data, rows[i] as number)) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
      else nullCount++;
    }
  }
  const type = data.type;
  if (arrow.DataType.isUtf8(type)) {
    const o = data.valueOffsets as Int32Array;
    const src = data.values as Uint8Array;
    const offsets = new Int32Array(n + 1);
    let size = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number;
      size += (o[r + 1] as number) - (o[r] as number);
      offsets[i + 1] = size;
    }
    const bytes = new Uint8Array(size);
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number;
      bytes.set(src.subarray(o[r] as number, o[r + 1] as number), offsets[i] as number);
    }
    return arrow.makeData({ type, length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes });
  }
  if (arrow.DataType.isBool(type)) {
    const src = data.values as Uint8Array;
    const bits = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      const k = data.offset + (rows[i] as number);
      if ((((src[k >> 3] as number) >> (k & 7)) & 1) === 1) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    }
    return arrow.makeData({ type, length: n, nullCount, nullBitmap: bitmap, data: bits });
  }
  const src = data.values as Int32Array;
  const out = new (src.constructor as new (n: number) => Int32Array)(n);
  for (let i = 0; i < n; i++) out[i] = src[rows[i] as number] as number;
  return arrow.makeData({ type: type as arrow.Int32, length: n, nullCount, nullBitmap: bitmap, data: out });
}
