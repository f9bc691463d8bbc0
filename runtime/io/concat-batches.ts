/**
 * Concatenating record batches of tsdf's Arrow types into one batch with fresh, offset-free
 * buffers: readers hand each partition over as a single batch however many files or row groups
 * it came from.
 */
import * as arrow from "apache-arrow";
import { batchOf } from "./row-assembler.ts";

/** One batch holding the rows of `batches` in order (all of schema `schema`). */
export function concatBatches(schema: arrow.Schema, batches: readonly arrow.RecordBatch[]): arrow.RecordBatch {
  if (batches.length === 1 && (batches[0] as arrow.RecordBatch).data.offset === 0) return batches[0] as arrow.RecordBatch;
  const length = batches.reduce((n, b) => n + b.numRows, 0);
  const children = schema.fields.map((f, j) =>
    concatData(
      f.type,
      batches.map((b) => b.data.children[j] as arrow.Data),
      length,
    ),
  );
  return batchOf(schema, children, length);
}

/** Whether row `i` of `data` is valid. */
export function isValidAt(data: arrow.Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0) return true;
  const k = data.offset + i;
  return (((bitmap[k >> 3] as number) >> (k & 7)) & 1) === 1;
}

function concatValidity(chunks: readonly arrow.Data[], length: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  const nullCount = chunks.reduce((n, d) => n + d.nullCount, 0);
  if (nullCount === 0) return { bitmap: undefined, nullCount };
  const bitmap = new Uint8Array((length + 7) >> 3);
  let at = 0;
  for (const d of chunks) {
    for (let i = 0; i < d.length; i++, at++) if (isValidAt(d, i)) bitmap[at >> 3] = (bitmap[at >> 3] as number) | (1 << (at & 7));
  }
  return { bitmap, nullCount };
}

function concatData(type: arrow.DataType, chunks: readonly arrow.Data[], length: number): arrow.Data {
  const { bitmap, nullCount } = concatValidity(chunks, length);
  if (arrow.DataType.isUtf8(type)) {
    let bytes = 0;
    for (const d of chunks) {
      const o = d.valueOffsets as Int32Array;
      bytes += (o[d.length] as number) - (o[0] as number);
    }
    const data = new Uint8Array(bytes);
    const offsets = new Int32Array(length + 1);
    let row = 0;
    let base = 0;
    for (const d of chunks) {
      const o = d.valueOffsets as Int32Array;
      const first = o[0] as number;
      const last = o[d.length] as number;
      data.set((d.values as Uint8Array).subarray(first, last), base);
      for (let i = 1; i <= d.length; i++) offsets[row + i] = (o[i] as number) - first + base;
      row += d.length;
      base += last - first;
    }
    return arrow.makeData({ type, length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data });
  }
  if (arrow.DataType.isBool(type)) {
    const bits = new Uint8Array((length + 7) >> 3);
    let at = 0;
    for (const d of chunks) {
      const v = d.values as Uint8Array;
      for (let i = 0; i < d.length; i++, at++) {
        const k = d.offset + i;
        if ((((v[k >> 3] as number) >> (k & 7)) & 1) === 1) bits[at >> 3] = (bits[at >> 3] as number) | (1 << (at & 7));
      }
    }
    return arrow.makeData({ type, length, nullCount, nullBitmap: bitmap, data: bits });
  }
  const ctor = (type as { ArrayType: new (n: number) => Int32Array | Float64Array | BigInt64Array }).ArrayType;
  const values = new ctor(length);
  let at = 0;
  for (const d of chunks) {
    (values as { set(a: ArrayLike<unknown>, at: number): void }).set((d.values as Int32Array).subarray(0, d.length), at);
    at += d.length;
  }
  return arrow.makeData({ type: type as arrow.Int32, length, nullCount, nullBitmap: bitmap, data: values as Int32Array });
}
