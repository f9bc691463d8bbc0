/**
 * Reading values out of Arrow column data for the writers: validity and each value as its
 * canonical text (`yyyy-MM-dd` dates, ISO timestamps in UTC, exact int64 digits). Works on the
 * raw buffers, honouring slice offsets, rather than on `Vector.get`, whose dates and timestamps
 * come back as lossy milliseconds.
 */
import type * as arrow from "apache-arrow";
import type { DataType } from "../../plan/schema.ts";
import { formatDate, formatTimestamp } from "./calendar.ts";

/** One chunk of one column, readable by row index within the chunk. */
export interface ColumnValues {
  readonly length: number;
  isValid(i: number): boolean;
  /** The value's canonical text; only for valid rows. */
  text(i: number): string;
  /** Numbers, bigints, booleans and strings as stored (dates as day numbers, timestamps as µs). */
  raw(i: number): string | number | bigint | boolean;
}

/** Reader over one `arrow.Data` chunk of a column of tsdf type `type`. */
export function columnValues(data: arrow.Data, type: DataType): ColumnValues {
  const bitmap = data.nullBitmap;
  const offset = data.offset;
  const hasNulls = bitmap !== undefined && bitmap.length > 0 && data.nullCount !== 0;
  const isValid = hasNulls
    ? (i: number) => (((bitmap[(offset + i) >> 3] as number) >> ((offset + i) & 7)) & 1) === 1
    : () => true;
  const length = data.length;
  switch (type) {
    case "utf8": {
      const bytes = data.values as Uint8Array;
      const offsets = data.valueOffsets as Int32Array;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const str = (i: number) => buf.toString("utf8", offsets[i] as number, offsets[i + 1] as number);
      return { length, isValid, text: str, raw: str };
    }
    case "int32":
    case "float64": {
      const values = data.values as Int32Array | Float64Array;
      return { length, isValid, text: (i) => String(values[i]), raw: (i) => values[i] as number };
    }
    case "date32": {
      const values = data.values as Int32Array;
      return { length, isValid, text: (i) => formatDate(values[i] as number), raw: (i) => values[i] as number };
    }
    case "int64": {
      const values = data.values as BigInt64Array;
      return { length, isValid, text: (i) => String(values[i]), raw: (i) => values[i] as bigint };
    }
    case "timestamp_us": {
      const values = data.values as BigInt64Array;
      return { length, isValid, text: (i) => formatTimestamp(values[i] as bigint), raw: (i) => values[i] as bigint };
    }
    case "boolean": {
      const bits = data.values as Uint8Array;
      const bool = (i: number) => (((bits[(offset + i) >> 3] as number) >> ((offset + i) & 7)) & 1) === 1;
      return { length, isValid, text: (i) => (bool(i) ? "true" : "false"), raw: bool };
    }
  }
}

/** Reader over column `index` of a batch. */
export function batchColumn(batch: arrow.RecordBatch, index: number, type: DataType): ColumnValues {
  const child = batch.data.children[index];
  if (child === undefined) throw new Error(`batch has no column ${index}`);
  return columnValues(child, type);
}
