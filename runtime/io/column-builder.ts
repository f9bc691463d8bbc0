/**
 * Growable typed-array columns that readers append parsed values to and finish into Arrow data,
 * with no row objects and no per-value JS strings. `truncate` undoes a partly appended row.
 */
import * as arrow from "apache-arrow";
import type { DataType } from "../../plan/schema.ts";
import { arrowType } from "./arrow-types.ts";
import { parseBoolean, parseDate32, parseFloat64, parseInt32, parseInt64, parseTimestampUs } from "./value-parsers.ts";

/** One column being built: appends parse UTF-8 text `buf[start..end)` as the column's type. */
export interface ColumnBuilder {
  readonly type: DataType;
  readonly length: number;
  /** Bytes of text held (utf8), 0 for other types: with `length`, the capacity hint for the next batch's builder. */
  readonly byteLength: number;
  /** Parses and appends the value; returns false (appending nothing) when the text is not one. */
  appendParsed(buf: Uint8Array, start: number, end: number): boolean;
  appendNull(): void;
  /** Drops rows past `length`, to undo a row that turned out malformed. */
  truncate(length: number): void;
  /** The column as Arrow data of exactly `length` rows. */
  finish(): arrow.Data;
}

const INITIAL_CAPACITY = 1024;

type Fixed = Int32Array | Float64Array | BigInt64Array | Uint8Array;

/** A copy of `a` with room for `size` elements. */
function grown<T extends Fixed>(a: T, size: number): T {
  const out = new (a.constructor as new (n: number) => T)(size);
  (out as { set(src: T): void }).set(a);
  return out;
}

/** Keeps a copy only when most of the capacity would otherwise be wasted. */
function exact<T extends Fixed>(values: T, length: number): T {
  return (values.length > length * 1.25 + 64 ? values.slice(0, length) : values.subarray(0, length)) as T;
}

/** LSB-first Arrow bitmap of a 0/1 byte per row. */
export function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bytes[i] !== 0) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

/**
 * Validity of a column: a byte per row, allocated only at the first null, since most columns
 * have none. Each builder below is a closure over its own state rather than a subclass, so
 * every hot function sees one array type and stays monomorphic in V8.
 */
class Validity {
  bytes: Uint8Array | undefined;
  nullCount = 0;

  /** Marks row `n` null (rows before it valid). */
  setNull(n: number, capacity: number): void {
    if (this.bytes === undefined) this.bytes = new Uint8Array(capacity).fill(1, 0, n);
    else if (n >= this.bytes.length) this.bytes = grown(this.bytes, capacity);
    this.bytes[n] = 0;
    this.nullCount++;
  }

  setValid(n: number, capacity: number): void {
    if (this.bytes === undefined) return;
    if (n >= this.bytes.length) this.bytes = grown(this.bytes, capacity);
    this.bytes[n] = 1;
  }

  truncate(from: number, to: number): void {
    const bytes = this.bytes;
    if (bytes === undefined) return;
    for (let i = to; i < from; i++) if (bytes[i] === 0) this.nullCount--;
  }

  bitmap(length: number): Uint8Array | undefined {
    return this.nullCount === 0 || this.bytes === undefined ? undefined : packBits(this.bytes, length);
  }
}

function fixedBuilder<T extends Int32Array | Float64Array | BigInt64Array>(
  type: DataType,
  make: (n: number) => T,
  parse: (b: Uint8Array, s: number, e: number) => T[number] | undefined,
  capacity: number,
): ColumnBuilder {
  let values = make(capacity);
  let length = 0;
  const validity = new Validity();
  return {
    type,
    get length() {
      return length;
    },
    byteLength: 0,
    appendParsed(buf, start, end) {
      const v = parse(buf, start, end);
      if (v === undefined) return false;
      if (length === values.length) values = grown(values, length * 2);
      values[length] = v;
      if (validity.bytes !== undefined) validity.setValid(length, values.length);
      length++;
      return true;
    },
    appendNull() {
      if (length === values.length) values = grown(values, length * 2);
      validity.setNull(length, values.length);
      length++;
    },
    truncate(n) {
      if (n >= length) return;
      validity.truncate(length, n);
      length = n;
    },
    finish() {
      return arrow.makeData({
        type: arrowType(type) as arrow.Int32,
        length,
        nullCount: validity.nullCount,
        nullBitmap: validity.bitmap(length),
        data: exact(values, length) as Int32Array,
      });
    },
  };
}

function booleanBuilder(capacity: number): ColumnBuilder {
  let values = new Uint8Array(capacity);
  let length = 0;
  const validity = new Validity();
  return {
    type: "boolean",
    get length() {
      return length;
    },
    byteLength: 0,
    appendParsed(buf, start, end) {
      const v = parseBoolean(buf, start, end);
      if (v === undefined) return false;
      if (length === values.length) values = grown(values, length * 2);
      values[length] = v ? 1 : 0;
      if (validity.bytes !== undefined) validity.setValid(length, values.length);
      length++;
      return true;
    },
    appendNull() {
      if (length === values.length) values = grown(values, length * 2);
      values[length] = 0;
      validity.setNull(length, values.length);
      length++;
    },
    truncate(n) {
      if (n >= length) return;
      validity.truncate(length, n);
      length = n;
    },
    finish() {
      return arrow.makeData({
        type: new arrow.Bool(),
        length,
        nullCount: validity.nullCount,
        nullBitmap: validity.bitmap(length),
        data: packBits(values, length),
      });
    },
  };
}

function utf8Builder(capacity: number, byteCapacity: number): ColumnBuilder {
  // Row i spans bytes [offsets[i], offsets[i + 1]).
  let offsets = new Int32Array(capacity + 1);
  let bytes = new Uint8Array(byteCapacity);
  let byteLength = 0;
  let length = 0;
  const validity = new Validity();
  return {
    type: "utf8",
    get length() {
      return length;
    },
    get byteLength() {
      return byteLength;
    },
    appendParsed(buf, start, end) {
      if (length + 1 === offsets.length) offsets = grown(offsets, length * 2 + 1);
      const size = end - start;
      let at = byteLength;
      if (at + size > bytes.length) bytes = grown(bytes, Math.max(bytes.length * 2, at + size));
      if (size < 24) for (let i = start; i < end; i++) bytes[at++] = buf[i] as number;
      else {
        bytes.set(buf.subarray(start, end), at);
        at += size;
      }
      byteLength = at;
      if (validity.bytes !== undefined) validity.setValid(length, offsets.length);
      offsets[++length] = at;
      return true;
    },
    appendNull() {
      if (length + 1 === offsets.length) offsets = grown(offsets, length * 2 + 1);
      validity.setNull(length, offsets.length);
      offsets[++length] = byteLength;
    },
    truncate(n) {
      if (n >= length) return;
      validity.truncate(length, n);
      length = n;
      byteLength = offsets[n] as number;
    },
    finish() {
      return arrow.makeData({
        type: new arrow.Utf8(),
        length,
        nullCount: validity.nullCount,
        nullBitmap: validity.bitmap(length),
        valueOffsets: exact(offsets, length + 1),
        data: exact(bytes, byteLength),
      });
    },
  };
}

/**
 * A builder for a column of `type`, with room for about as many rows (and bytes of text) as a
 * `like` builder held: a reader's batches are of much the same size, so a batch's columns are
 * built without growing (every growth copies, and leaves the old buffer to the garbage
 * collector, whose collections of many large buffers took a few percent of a CSV scan).
 */
export function columnBuilder(type: DataType, like?: Pick<ColumnBuilder, "length" | "byteLength">): ColumnBuilder {
  // An eighth more than the last batch's, within what `exact` keeps without a copy.
  const room = (n: number, min: number) => Math.max(min, Math.ceil(n * 1.125) + 32);
  const capacity = room(like?.length ?? 0, INITIAL_CAPACITY);
  switch (type) {
    case "utf8":
      return utf8Builder(capacity, room(like?.byteLength ?? 0, INITIAL_CAPACITY * 16));
    case "int32":
      return fixedBuilder(type, (n) => new Int32Array(n), parseInt32, capacity);
    case "date32":
      return fixedBuilder(type, (n) => new Int32Array(n), parseDate32, capacity);
    case "int64":
      return fixedBuilder(type, (n) => new BigInt64Array(n), parseInt64, capacity);
    case "timestamp_us":
      return fixedBuilder(type, (n) => new BigInt64Array(n), parseTimestampUs, capacity);
    case "float64":
      return fixedBuilder(type, (n) => new Float64Array(n), parseFloat64, capacity);
    case "boolean":
      return booleanBuilder(capacity);
  }
}

const CHECKERS: Record<DataType, (b: Uint8Array, s: number, e: number) => unknown> = {
  utf8: () => true,
  int32: parseInt32,
  date32: parseDate32,
  int64: parseInt64,
  timestamp_us: parseTimestampUs,
  float64: parseFloat64,
  boolean: parseBoolean,
};

/**
 * A builder that only validates: for columns the query does not read, so that which rows are
 * malformed never depends on the projection the optimizer chose.
 */
export function checkOnlyBuilder(type: DataType): ColumnBuilder {
  const check = CHECKERS[type];
  let length = 0;
  return {
    type,
    get length() {
      return length;
    },
    byteLength: 0,
    appendParsed(buf, start, end) {
      if (check(buf, start, end) === undefined) return false;
      length++;
      return true;
    },
    appendNull() {
      length++;
    },
    truncate(n) {
      length = Math.min(length, n);
    },
    finish() {
      throw new Error("checkOnlyBuilder has no data");
    },
  };
}
