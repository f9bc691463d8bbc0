import * as arrow from "apache-arrow";
import { daysToIso, isoToDays } from "../../plan/functions.ts";
import type { ExecField, ExecSchema } from "../../plan/physical.ts";
import type { DataType, Schema } from "../../plan/schema.ts";
import { arrowType as arrowTypeOf } from "../io/arrow-types.ts";
import { concatDictionaries, isUtf8Dictionary, Utf8Decoder, utf8Dictionary } from "./utf8-dictionary.ts";

/**
 * Engine values, one JS representation per type: utf8 string, int32/float64 number, int64
 * bigint, boolean, date32 days since epoch (number), timestamp_us microseconds (bigint); null
 * for a missing value. Operators work on decoded columns; Arrow is the format between stages.
 */
export type EngineValue = string | number | bigint | boolean | null;

/**
 * A partition decoded for operators: one column per field of the exec's schema, a JS array or,
 * for a numeric column without nulls, a typed array (with nulls too, for an aggregate that only
 * folds it: see ColumnUse). Columns are never written after they are made; operators index and
 * slice them.
 */
export interface ColumnBatch {
  readonly length: number;
  readonly columns: readonly unknown[][];
}

const MS_PER_DAY = 86_400_000;

function arrowFieldOf(f: ExecField): arrow.Field {
  const t = arrowTypeOf(f.type);
  return new arrow.Field(f.name, f.list ? new arrow.List(new arrow.Field("item", t, true)) : t, f.list ? true : f.nullable);
}

export function execArrowSchema(schema: ExecSchema): arrow.Schema {
  return new arrow.Schema(schema.fields.map(arrowFieldOf));
}

function timestampMicros(v: bigint, unit: arrow.TimeUnit): bigint {
  switch (unit) {
    case arrow.TimeUnit.SECOND:
      return v * 1_000_000n;
    case arrow.TimeUnit.MILLISECOND:
      return v * 1000n;
    case arrow.TimeUnit.MICROSECOND:
      return v;
    default:
      return v / 1000n;
  }
}

/** Whether row `i` of a chunk holds a value (the chunk's bitmap counts from its offset). */
function isValid(bitmap: Uint8Array | null, offset: number, i: number): boolean {
  if (bitmap === null) return true;
  const k = offset + i;
  return ((bitmap[k >> 3] as number) & (1 << (k & 7))) !== 0;
}

/**
 * Decodes one Arrow chunk into engine values of `type` (nulls as null), written to
 * `out[at …]`; `out` is allocated once at its final length by the caller, which V8 fills
 * several times faster than pushing.
 */
function decodeData(data: arrow.Data, type: DataType, out: unknown[], at: number): void {
  const n = data.length;
  const bitmap = data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0 ? null : data.nullBitmap;
  const off = data.offset;
  const t = data.type as arrow.DataType;
  if (arrow.DataType.isList(t)) {
    const offsets = data.valueOffsets as Int32Array;
    const child = data.children[0] as arrow.Data;
    const items: unknown[] = new Array(child.length);
    decodeData(child, type, items, 0);
    for (let i = 0; i < n; i++) out[at + i] = isValid(bitmap, off, i) ? items.slice(offsets[i] as number, offsets[i + 1] as number) : null;
    return;
  }
  const values = data.values as ArrayLike<unknown>;
  const direct =
    (type === "int32" && arrow.DataType.isInt(t) && t.bitWidth === 32) ||
    (type === "float64" && arrow.DataType.isFloat(t) && t.precision === arrow.Precision.DOUBLE) ||
    (type === "int64" && arrow.DataType.isInt(t) && t.bitWidth === 64) ||
    (type === "date32" && arrow.DataType.isDate(t) && t.unit === arrow.DateUnit.DAY);
  if (direct) {
    if (bitmap === null) for (let i = 0; i < n; i++) out[at + i] = values[i];
    else for (let i = 0; i < n; i++) out[at + i] = isValid(bitmap, off, i) ? values[i] : null;
    return;
  }
  if (type === "timestamp_us" && arrow.DataType.isTimestamp(t)) {
    const unit = t.unit;
    for (let i = 0; i < n; i++) out[at + i] = isValid(bitmap, off, i) ? timestampMicros(values[i] as bigint, unit) : null;
    return;
  }
  if (type === "utf8" && arrow.DataType.isUtf8(t)) {
    decodeUtf8(data, bitmap, out, at);
    return;
  }
  const vector = arrow.makeVector(data);
  for (let i = 0; i < n; i++) {
    const v = vector.get(i) as unknown;
    out[at + i] = v === null || v === undefined || !isValid(bitmap, off, i) ? null : convertDecoded(v, type);
  }
}

const decoder = new TextDecoder();

/**
 * Strings of a Utf8 chunk. The chunk's bytes are decoded in one call; when that gives as many
 * UTF-16 units as bytes, every byte was ASCII and each value is a slice of that one string
 * (no per-value decoder call). Otherwise each value is decoded on its own.
 */
function decodeUtf8(data: arrow.Data, bitmap: Uint8Array | null, out: unknown[], at: number): void {
  const n = data.length;
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const start = offsets[0] as number;
  const whole = decoder.decode(bytes.subarray(start, offsets[n] as number));
  const ascii = whole.length === (offsets[n] as number) - start;
  for (let i = 0; i < n; i++) {
    if (!isValid(bitmap, data.offset, i)) out[at + i] = null;
    else if (ascii) out[at + i] = whole.slice((offsets[i] as number) - start, (offsets[i + 1] as number) - start);
    else out[at + i] = decoder.decode(bytes.subarray(offsets[i] as number, offsets[i + 1] as number));
  }
}

function convertDecoded(v: unknown, type: DataType): unknown {
  switch (type) {
    case "date32":
      return v instanceof Date ? Math.floor(v.getTime() / MS_PER_DAY) : Math.floor(Number(v) / MS_PER_DAY);
    case "int64":
      return typeof v === "bigint" ? v : BigInt(v as number);
    case "int32":
    case "float64":
      return Number(v);
    case "timestamp_us":
      return typeof v === "bigint" ? v : BigInt(Math.round(Number(v) * 1000));
    default:
      return v;
  }
}

/** A numeric column's typed array (a non-null one, or a `typedWithNulls` one). */
type TypedColumn = Float64Array | Int32Array | BigInt64Array;

/**
 * The typed array a chunk of `type` already holds its engine values in, if any: only for a
 * chunk without nulls unless `withNulls` (then the array holds something at a null row).
 */
function typedValues(data: arrow.Data, type: DataType, withNulls = false): TypedColumn | null {
  if (data.nullCount !== 0 && !withNulls) return null;
  const t = data.type as arrow.DataType;
  const direct =
    (type === "int32" && arrow.DataType.isInt(t) && t.bitWidth === 32 && t.isSigned) ||
    (type === "float64" && arrow.DataType.isFloat(t) && t.precision === arrow.Precision.DOUBLE) ||
    (type === "int64" && arrow.DataType.isInt(t) && t.bitWidth === 64 && t.isSigned) ||
    (type === "date32" && arrow.DataType.isDate(t) && t.unit === arrow.DateUnit.DAY);
  return direct ? (data.values as TypedColumn).subarray(0, data.length) : null;
}

/**
 * What the one reader of a column needs of it: every row's engine value (`values`); only the
 * codes of a utf8 column that keeps its dictionary (`codes`: a grouping key, see decodeColumn);
 * or a numeric column's values in a typed array even where it has nulls (`typedWithNulls`: an
 * aggregate that folds the column, see validityOf).
 */
export type ColumnUse = "values" | "codes" | "typedWithNulls";

/**
 * Which rows of a `typedWithNulls` column hold a value (a byte per row, 1: a value; the typed
 * array holds 0 or anything at the others). Only a reader that asks for such a column gets one
 * (the accumulators of hash-aggregate.ts's `inputUses`), so no other reader ever sees it.
 */
const validities = new WeakMap<object, Uint8Array>();

/** The validity of a `typedWithNulls` column that has nulls; undefined for every other column. */
export function validityOf(column: readonly unknown[]): Uint8Array | undefined {
  return validities.get(column);
}

function withValidity(values: TypedColumn, valid: Uint8Array): unknown[] {
  validities.set(values, valid);
  return values as unknown as unknown[];
}

/** A typed array of `length` values: the parts' values in order. */
function concatTyped(parts: readonly TypedColumn[], length: number): TypedColumn {
  if (parts.length === 1) return parts[0] as Float64Array;
  const out = new ((parts[0] as Float64Array).constructor as Float64ArrayConstructor)(length);
  let at = 0;
  for (const v of parts as Float64Array[]) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/**
 * One column of engine values from Arrow chunks, in order. A numeric column without nulls
 * stays in a typed array (the chunk's own buffer when there is one chunk): operators only
 * index and slice columns, which a typed array serves without boxing a value; with nulls, it
 * does too when `use` is `typedWithNulls` (its validity then tells the nulls). A utf8 column
 * (plain or dictionary-encoded) goes through `utf8`'s dictionary (one for the batches of a
 * stream), or a new one. For `codes`, a utf8 column that keeps its dictionary is only that: an
 * empty array whose rows are its dictionary's codes (`utf8Dictionary`), for a reader that needs
 * no row's string (a grouping key; see `keyValues`).
 */
export function decodeColumn(chunks: readonly arrow.Data[], type: DataType, utf8?: Utf8Decoder, use: ColumnUse = "values"): unknown[] {
  const length = chunks.reduce((n, d) => n + d.length, 0);
  const withNulls = use === "typedWithNulls";
  const typed = chunks.map((d) => typedValues(d, type, withNulls));
  if (typed.length > 0 && typed.every((v) => v !== null && v.constructor === typed[0]?.constructor)) {
    const values = concatTyped(typed as Float64Array[], length);
    if (!chunks.some((d) => d.nullCount > 0)) return values as unknown as unknown[];
    const valid = new Uint8Array(length);
    let at = 0;
    for (const d of chunks) {
      const bitmap = d.nullCount === 0 ? null : d.nullBitmap;
      for (let i = 0; i < d.length; i++) valid[at + i] = isValid(bitmap, d.offset, i) ? 1 : 0;
      at += d.length;
    }
    return withValidity(values, valid);
  }
  if (type === "utf8" && chunks.every((d) => arrow.DataType.isUtf8(d.type) || isUtf8Dictionary(d))) {
    // A decoder of this call alone is freed after it; a stream's lives across its batches.
    const decoder = utf8 ?? new Utf8Decoder();
    const codesOnly = use === "codes";
    const out: unknown[] = codesOnly ? [] : new Array(length);
    const decoded = decoder.decode(chunks, out, length, codesOnly);
    if (utf8 === undefined) decoder.free();
    if (decoded) return out;
  }
  const out: unknown[] = new Array(length);
  let at = 0;
  for (const d of chunks) {
    decodeData(d, type, out, at);
    at += d.length;
  }
  return out;
}

function validity(values: readonly unknown[]): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(((values.length + 63) >> 6) << 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { bitmap, nullCount };
}

const encoder = new TextEncoder();

/** Arrow data over a typed column's own buffer (decodeColumn's non-null numeric columns). */
function encodeTyped(values: readonly unknown[], type: DataType): arrow.Data | null {
  const length = values.length;
  if (values instanceof Float64Array && type === "float64") return arrow.makeData({ type: new arrow.Float64(), length, data: values });
  if (values instanceof Int32Array && type === "int32") return arrow.makeData({ type: new arrow.Int32(), length, data: values });
  if (values instanceof Int32Array && type === "date32") return arrow.makeData({ type: new arrow.DateDay(), length, data: values });
  if (values instanceof BigInt64Array && type === "int64") return arrow.makeData({ type: new arrow.Int64(), length, data: values });
  return null;
}

function encodeFlat(values: readonly unknown[], type: DataType): arrow.Data {
  const typed = encodeTyped(values, type);
  if (typed) return typed;
  const length = values.length;
  const { bitmap, nullCount } = validity(values);
  const nullBitmap = nullCount === 0 ? undefined : bitmap;
  switch (type) {
    case "utf8": {
      const offsets = new Int32Array(length + 1);
      const data = encodeUtf8(values, offsets);
      return arrow.makeData({ type: new arrow.Utf8(), length, nullCount, nullBitmap, valueOffsets: offsets, data });
    }
    case "boolean": {
      const data = new Uint8Array(((length + 63) >> 6) << 3);
      for (let i = 0; i < length; i++) if (values[i] === true) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
      return arrow.makeData({ type: new arrow.Bool(), length, nullCount, nullBitmap, data });
    }
    case "int64":
    case "timestamp_us": {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) data[i] = BigInt.asIntN(64, typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v))));
      }
      return type === "int64"
        ? arrow.makeData({ type: new arrow.Int64(), length, nullCount, nullBitmap, data })
        : arrow.makeData({ type: new arrow.TimestampMicrosecond("UTC"), length, nullCount, nullBitmap, data });
    }
    case "float64": {
      const data = new Float64Array(length);
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) data[i] = Number(v);
      }
      return arrow.makeData({ type: new arrow.Float64(), length, nullCount, nullBitmap, data });
    }
    case "int32":
    case "date32": {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) data[i] = Number(v);
      }
      return type === "int32"
        ? arrow.makeData({ type: new arrow.Int32(), length, nullCount, nullBitmap, data })
        : arrow.makeData({ type: new arrow.DateDay(), length, nullCount, nullBitmap, data });
    }
  }
}

/**
 * UTF-8 bytes of a string column into one buffer, filling `offsets`. ASCII characters are
 * written directly; a string with other characters has its remainder encoded by encodeInto,
 * so no value allocates a buffer of its own.
 */
function encodeUtf8(values: readonly unknown[], offsets: Int32Array): Uint8Array {
  let buf = new Uint8Array(Math.max(64, values.length * 8));
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      const s = typeof v === "string" ? v : String(v);
      // A UTF-16 unit takes at most 3 UTF-8 bytes (a surrogate pair, 2 units, takes 4).
      if (pos + 3 * s.length > buf.length) {
        const bigger = new Uint8Array(Math.max(buf.length * 2, pos + 3 * s.length));
        bigger.set(buf.subarray(0, pos));
        buf = bigger;
      }
      let k = 0;
      for (; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) break;
        buf[pos + k] = c;
      }
      pos += k < s.length ? k + encoder.encodeInto(s.slice(k), buf.subarray(pos + k)).written : k;
    }
    offsets[i + 1] = pos;
  }
  return buf.subarray(0, pos);
}

/** Arrow data for a column of engine values (a list column holds arrays of values). */
export function encodeColumn(values: readonly unknown[], field: ExecField): arrow.Data {
  if (!field.list) return encodeFlat(values, field.type);
  const offsets = new Int32Array(values.length + 1);
  const items: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Array.isArray(v)) items.push(...v);
    offsets[i + 1] = items.length;
  }
  const child = encodeFlat(items, field.type);
  const { bitmap, nullCount } = validity(values);
  const type = new arrow.List(new arrow.Field("item", child.type, true));
  return arrow.makeData({ type, length: values.length, nullCount, nullBitmap: nullCount === 0 ? undefined : bitmap, valueOffsets: offsets, child });
}

/**
 * Stands for a column a task leaves undecoded because no operator of its stage reads it (see
 * task.ts's `readColumns`); gathers, slices and concatenations pass it on as it is.
 */
export const PRUNED: unknown[] = Object.freeze([]) as unknown as unknown[];

/**
 * Decodes the columns of `schema` (by name) from batches, concatenated in order; those numbered
 * in `uses` for that use (see decodeColumn), and those not in `read` (when given) not at all
 * (PRUNED).
 */
export function batchesToColumns(
  batches: readonly arrow.RecordBatch[],
  schema: ExecSchema,
  utf8?: readonly (Utf8Decoder | undefined)[],
  uses?: ReadonlyMap<number, ColumnUse>,
  read?: ReadonlySet<number>,
): ColumnBatch {
  const columns = schema.fields.map((f, i) => {
    if (read !== undefined && !read.has(i)) return PRUNED;
    const chunks = batches.map((batch) => {
      const child = batch.getChild(f.name) ?? batch.getChildAt(i);
      if (!child) throw new Error(`internal: batch has no column '${f.name}'`);
      return child.data;
    });
    return decodeColumn(chunks.flat(), f.type, utf8?.[i], uses?.get(i));
  });
  return { length: batches.reduce((n, b) => n + b.numRows, 0), columns };
}

export function columnsToBatch(cb: ColumnBatch, schema: ExecSchema): arrow.RecordBatch {
  const aschema = execArrowSchema(schema);
  const children = schema.fields.map((f, i) => encodeColumn(cb.columns[i] ?? [], f));
  const struct = arrow.makeData({ type: new arrow.Struct(aschema.fields), length: cb.length, nullCount: 0, children });
  return new arrow.RecordBatch(aschema, struct);
}

export function emptyColumns(width: number): ColumnBatch {
  return { length: 0, columns: Array.from({ length: width }, () => []) };
}

/** Row numbers of a batch: a JS array, or an Int32Array an operator filled. */
export type RowIndexes = readonly number[] | Int32Array;

/**
 * Rows `rows` of a column, in that order; -1 gives null (`mayMiss` false: the caller knows
 * there is no -1). A typed column stays typed (a gather into a typed array of its kind) when
 * every row is present, or for `typedWithNulls` (-1 rows are its validity's nulls).
 */
export function gather(column: readonly unknown[], rows: RowIndexes, use: ColumnUse = "values", mayMiss = true): unknown[] {
  if (column === PRUNED) return PRUNED;
  const typedGather = ArrayBuffer.isView(column) ? typedGathers.get(column.constructor) : undefined;
  const negative = typedGather !== undefined && mayMiss && hasNegative(rows);
  if (typedGather !== undefined && (!negative || use === "typedWithNulls")) {
    const valid = negative ? new Uint8Array(rows.length) : null;
    const out = typedGather(column as unknown as TypedColumn, rows, valid);
    return valid === null ? (out as unknown as unknown[]) : withValidity(out, valid);
  }
  const out: unknown[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    out[i] = r < 0 ? null : column[r];
  }
  return out;
}

type TypedGather = (typed: TypedColumn, rows: RowIndexes, valid: Uint8Array | null) => TypedColumn;

/**
 * A gather of its own per kind of typed column, marking in `valid` (when given) the rows that
 * are not -1: one loop over every kind makes V8's element loads megamorphic, 2–3× slower.
 */
const typedGathers = new Map<unknown, TypedGather>(
  [Float64Array, Int32Array, BigInt64Array].map((Ctor) => [
    Ctor,
    new Function(
      "Ctor",
      `return (typed, rows, valid) => {
        const n = rows.length;
        const out = new Ctor(n);
        if (valid === null) for (let i = 0; i < n; i++) out[i] = typed[rows[i]];
        else for (let i = 0; i < n; i++) if (rows[i] >= 0) { out[i] = typed[rows[i]]; valid[i] = 1; }
        return out;
      };`,
    )(Ctor) as TypedGather,
  ]),
);

function hasNegative(rows: RowIndexes): boolean {
  const n = rows.length;
  for (let i = 0; i < n; i++) if ((rows[i] as number) < 0) return true;
  return false;
}

/** Rows `rows` (none negative) of a grouping key's column: through its dictionary when it has one, as a codes-only column (decodeColumn) has nothing else. */
export function keyValues(column: readonly unknown[], rows: readonly number[]): unknown[] {
  const dict = utf8Dictionary(column);
  if (dict === undefined) return gather(column, rows);
  const { values, codes } = dict;
  return rows.map((r) => values[codes[r] as number]);
}

/** Rows `indices` of every column, in that order. */
export function takeRows(cb: ColumnBatch, indices: readonly number[]): ColumnBatch {
  return { length: indices.length, columns: cb.columns.map((c) => gather(c, indices)) };
}

export function sliceRows(cb: ColumnBatch, start: number, end: number): ColumnBatch {
  const e = Math.min(end, cb.length);
  const s = Math.min(start, e);
  return { length: e - s, columns: cb.columns.map((c) => (c === PRUNED ? c : c.slice(s, e))) };
}

export function concatColumns(parts: readonly ColumnBatch[], width: number): ColumnBatch {
  if (parts.length === 1) return parts[0] as ColumnBatch;
  const length = parts.reduce((n, p) => n + p.length, 0);
  const columns = Array.from({ length: width }, (_, c) => concatColumn(parts.map((p) => p.columns[c] as unknown[]), length));
  return { length, columns };
}

/**
 * One column of `length` values from parts in order: a typed array when every part is one of
 * the same kind, keeping its utf8 dictionary when every part was decoded through the same one.
 */
function concatColumn(parts: readonly (readonly unknown[])[], length: number): unknown[] {
  const first = parts[0];
  if (first === PRUNED) return PRUNED;
  if (ArrayBuffer.isView(first) && parts.every((p) => p.constructor === first.constructor)) {
    return concatTyped(parts as unknown as Float64Array[], length) as unknown as unknown[];
  }
  const out: unknown[] = new Array(length);
  let at = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[at + i] = p[i];
    at += p.length;
  }
  concatDictionaries(parts, out);
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** `yyyy-MM-ddTHH:mm:ss.ffffffZ` for microseconds since epoch. */
export function microsToIso(micros: bigint): string {
  let sec = micros / 1_000_000n;
  let frac = micros % 1_000_000n;
  if (frac < 0n) {
    frac += 1_000_000n;
    sec -= 1n;
  }
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${pad(Number(frac), 6)}Z`;
}

/** Microseconds for an ISO timestamp (`T` or space, optional fraction, optional `Z`), or null. */
export function isoToMicros(s: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?Z?$/.exec(s);
  if (!m) return null;
  const days = isoToDays(m[1] as string);
  const [h, mi, se] = [Number(m[2] ?? 0), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (days === null || h > 23 || mi > 59 || se > 59) return null;
  const frac = BigInt((m[5] ?? "").padEnd(6, "0"));
  return (BigInt(days) * 86_400n + BigInt(h * 3600 + mi * 60 + se)) * 1_000_000n + frac;
}

/** A row value (what lambdas and result rows see) for an engine value. */
export function toRowValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (type === "date32") return daysToIso(v as number);
  if (type === "timestamp_us") return microsToIso(v as bigint);
  return v;
}

/** An engine value for a row value (ISO strings for dates and timestamps, bigint or number for int64). */
export function fromRowValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "date32":
      return typeof v === "number" ? v : isoToDays(String(v));
    case "timestamp_us":
      return typeof v === "bigint" ? v : isoToMicros(String(v));
    case "int64":
      return typeof v === "bigint" ? v : BigInt(v as number | string);
    default:
      return v;
  }
}

/** A record batch from row objects (row values); for tests and in-memory tables. */
export function rowsToBatch(rows: readonly Record<string, unknown>[], schema: Schema): arrow.RecordBatch {
  const columns = schema.fields.map((f) => rows.map((r) => fromRowValue(r[f.name], f.type)));
  return columnsToBatch({ length: rows.length, columns }, schema);
}

export function columnsToRows(cb: ColumnBatch, schema: Schema): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < cb.length; i++) {
    const row: Record<string, unknown> = {};
    schema.fields.forEach((f, c) => {
      row[f.name] = toRowValue(cb.columns[c]?.[i], f.type);
    });
    rows.push(row);
  }
  return rows;
}
