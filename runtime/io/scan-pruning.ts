/**
 * Skipping parts of a scan by what is known of their values: Parquet row groups by their column
 * statistics, files of a partitioned folder by their `col=value` folders. A scan's pushed filters
 * (conjuncts over its columns, kept above the scan as well) are evaluated against each part's
 * bounds (min, max, null count): a part is skipped only when no row in it can make a conjunct
 * truthy, under the engine's meaning of the expression (JavaScript's: `null < 1` is true).
 * Anything the bounds cannot answer keeps the part.
 */
import type { BinaryOp, Expr } from "../../plan/expr.ts";
import { isoToDays } from "../../plan/functions.ts";
import type { DataType, Schema } from "../../plan/schema.ts";
import { type ColumnChunkInfo, PhysicalType, type RowGroupInfo } from "./parquet-footer.ts";
import { parseDate32, parseFloat64, parseInt32, parseInt64 } from "./value-parsers.ts";

/** An engine value a statistic or literal can be compared as. */
type Scalar = number | bigint | string;

/** What is known of one column's values in a part of a scan (undefined: nothing). */
interface ColumnBounds {
  readonly min?: Scalar;
  readonly max?: Scalar;
  readonly nullCount?: number;
}

/** A part of a scan: how many rows it has and the bounds of a column's values. */
interface Part {
  readonly rows: number;
  bounds(column: string): ColumnBounds | undefined;
}

/** Whether some row of `rg` may pass every filter in `filters`. */
export function rowGroupMayMatch(filters: readonly Expr[], rg: RowGroupInfo, schema: Schema): boolean {
  const part: Part = {
    rows: rg.numRows,
    bounds: (column) => {
      const chunk = rg.columns.find((c) => c.name === column);
      const field = schema.fields.find((f) => f.name === column);
      if (chunk?.stats === undefined || field === undefined) return undefined;
      const min = statScalar(chunk, "min", field.type);
      const max = statScalar(chunk, "max", field.type);
      const { nullCount } = chunk.stats;
      return { ...(min !== undefined && { min }), ...(max !== undefined && { max }), ...(nullCount !== undefined && { nullCount }) };
    },
  };
  return filters.every((f) => mayBeTruthy(f, part));
}

/**
 * Whether some row of a file whose `col=value` folders are `values` may pass every filter: a
 * folder column holds that one value in every row (none: its rows' value is null).
 */
export function partitionMayMatch(filters: readonly Expr[], values: ReadonlyMap<string, string | null>, schema: Schema): boolean {
  const part: Part = {
    rows: 1,
    bounds: (column) => {
      const field = schema.fields.find((f) => f.name === column);
      if (field === undefined || !values.has(column)) return undefined;
      const text = values.get(column) ?? null;
      if (text === null) return { nullCount: 1 };
      const bytes = encoder.encode(text);
      const v = field.type === "utf8" ? text : FOLDER_VALUE[field.type]?.(bytes, 0, bytes.length);
      return v === undefined ? undefined : { min: v, max: v, nullCount: 0 };
    },
  };
  return filters.every((f) => mayBeTruthy(f, part));
}

const encoder = new TextEncoder();

/** Folder values parsed as the reader parses them into the column (value-parsers.ts). */
const FOLDER_VALUE: Partial<Record<DataType, (b: Uint8Array, s: number, e: number) => Scalar | undefined>> = {
  int32: parseInt32,
  int64: parseInt64,
  float64: parseFloat64,
  date32: parseDate32,
};

function mayBeTruthy(e: Expr, part: Part): boolean {
  switch (e.kind) {
    case "Literal":
      return Boolean(e.value);
    case "Logical":
      if (e.op === "&&") return mayBeTruthy(e.left, part) && mayBeTruthy(e.right, part);
      if (e.op === "||") return mayBeTruthy(e.left, part) || mayBeTruthy(e.right, part);
      return true;
    case "IsNull": {
      if (e.operand.kind !== "Column") return true;
      const nulls = part.bounds(e.operand.name)?.nullCount;
      if (nulls === undefined) return true;
      return e.negated ? nulls < part.rows : nulls > 0;
    }
    case "Binary":
      if (e.left.kind === "Column" && e.right.kind === "Literal") return comparisonMayHold(e.op, part.bounds(e.left.name), e.right, part.rows, false);
      if (e.right.kind === "Column" && e.left.kind === "Literal") return comparisonMayHold(e.op, part.bounds(e.right.name), e.left, part.rows, true);
      return true;
    default:
      return true;
  }
}

const FLIPPED: Partial<Record<BinaryOp, BinaryOp>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "===": "===" };

/** Whether `column op literal` (or `literal op column` when `flipped`) may hold for a row of a part of `rows` rows. */
function comparisonMayHold(op: BinaryOp, bounds: ColumnBounds | undefined, literal: Expr & { kind: "Literal" }, rows: number, flipped: boolean): boolean {
  const o = flipped ? FLIPPED[op] : op;
  const value = literalScalar(literal);
  if (o === undefined || o === "!==" || bounds === undefined || value === undefined) return true;
  const { nullCount, min, max } = bounds;
  // Rows whose value is null compare as JavaScript compares null.
  if ((nullCount === undefined || nullCount > 0) && compare(null, o, value)) return true;
  if (nullCount === rows) return false;
  if (min === undefined || max === undefined || (typeof min === "string") !== (typeof value === "string")) return true;
  if (typeof value === "string" && !codePointOrderIsUtf16Order(value)) return true;
  switch (o) {
    case "<":
    case "<=":
      return compare(min, o, value);
    case ">":
    case ">=":
      return compare(max, o, value);
    case "===":
      return compare(min, "<=", value) && compare(max, ">=", value);
    default:
      return true;
  }
}

function compare(a: Scalar | null, op: BinaryOp, b: Scalar): boolean {
  // Deliberately JavaScript's comparisons, as the compiled kernels evaluate them.
  const x = a as number;
  const y = b as number;
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
    case "===":
      return (a as unknown) === b;
    default:
      return true;
  }
}

/**
 * Parquet orders strings by UTF-8 bytes (code points), JavaScript by UTF-16 code units. For a
 * literal made only of code units below the surrogates, comparing any string with it gives the
 * same answer in both orders, so bounds in one order decide comparisons in the other.
 */
function codePointOrderIsUtf16Order(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false;
  return true;
}

/** The literal as the engine holds it, or undefined where pruning does not apply. */
function literalScalar(l: Expr & { kind: "Literal" }): Scalar | undefined {
  if (l.value === null) return undefined;
  switch (l.type) {
    case "utf8":
      return String(l.value);
    case "int32":
    case "float64":
      return Number(l.value);
    case "int64":
      return BigInt(l.value);
    case "date32":
      return typeof l.value === "number" ? l.value : (isoToDays(String(l.value)) ?? undefined);
    default:
      return undefined;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A chunk's min or max as the engine value of a column declared `type`, or undefined where the
 * file's encoding is not one whose order tsdf knows (unsigned ints, decimals, timestamps with
 * units, legacy byte-array statistics, NaN bounds).
 */
function statScalar(chunk: ColumnChunkInfo, which: "min" | "max", type: DataType): Scalar | undefined {
  const bytes = chunk.stats?.[which];
  if (bytes === undefined) return undefined;
  const unsigned = (chunk.convertedType !== undefined && chunk.convertedType >= 11 && chunk.convertedType <= 14) || chunk.signed === false;
  const plainLogical = chunk.logicalType === undefined || chunk.logicalType === 1 || chunk.logicalType === 6 || chunk.logicalType === 10;
  if (unsigned || !plainLogical) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const converted = chunk.convertedType;
  const intConverted = converted === undefined || (converted >= 15 && converted <= 18);
  switch (chunk.type) {
    case PhysicalType.Int32: {
      if (bytes.length !== 4) return undefined;
      const v = view.getInt32(0, true);
      if (type === "date32") return converted === 6 ? v : undefined;
      if (!intConverted) return undefined;
      return type === "int32" || type === "float64" ? v : type === "int64" ? BigInt(v) : undefined;
    }
    case PhysicalType.Int64:
      if (bytes.length !== 8 || !intConverted || type !== "int64") return undefined;
      return view.getBigInt64(0, true);
    case PhysicalType.Float:
    case PhysicalType.Double: {
      const v = chunk.type === PhysicalType.Float ? (bytes.length === 4 ? view.getFloat32(0, true) : Number.NaN) : bytes.length === 8 ? view.getFloat64(0, true) : Number.NaN;
      return type === "float64" && converted === undefined && !Number.isNaN(v) ? v : undefined;
    }
    case PhysicalType.ByteArray:
      if (type !== "utf8" || chunk.stats?.legacy || (converted !== undefined && converted !== 0)) return undefined;
      try {
        return utf8.decode(bytes);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}
