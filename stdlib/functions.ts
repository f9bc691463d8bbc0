import { TsdfError } from "../plan/errors.ts";
import { daysToIso, isoToDays, SCALAR_FUNCTIONS } from "../plan/functions.ts";
import type { AggFn } from "../plan/expr.ts";
import type { NullIf, TsDate, Value } from "./values.ts";

/*
 * The functions users call inside lambdas. `tsdf build` translates calls to them into
 * expression IR; run as plain JavaScript (the reference evaluator) they compute the same
 * values with Spark's meaning.
 */

type Num = number | bigint;

function scalar(name: string, ...args: unknown[]): unknown {
  const fn = SCALAR_FUNCTIONS.get(name);
  if (!fn) throw new TsdfError("TSDF2004", `unknown function ${name}()`);
  if (fn.nullIn !== false && args.some((a) => a === null)) return null;
  return (fn.impl as (...a: unknown[]) => unknown)(...args);
}

const toDays = (d: TsDate | null): number | null => (d === null ? null : isoToDays(d));
const fromDays = (d: unknown): TsDate | null => (d === null ? null : (daysToIso(d as number) as TsDate));

/** Upper case with Spark's meaning (`"Straße"` → `"STRASSE"`). */
export function upper<S extends string | null>(s: S): NullIf<S, string> {
  return scalar("upper", s) as NullIf<S, string>;
}
/** Lower case. */
export function lower<S extends string | null>(s: S): NullIf<S, string> {
  return scalar("lower", s) as NullIf<S, string>;
}
/** Removes leading and trailing spaces (Spark's trim: spaces only). */
export function trim<S extends string | null>(s: S): NullIf<S, string> {
  return scalar("trim", s) as NullIf<S, string>;
}
/** Length in Unicode code points (`length("🙂ok")` is 3). */
export function length<S extends string | null>(s: S): NullIf<S, number> {
  return scalar("length", s) as NullIf<S, number>;
}
/** Spark's substring: 1-based `pos` (negative counts from the end), `len` code points. */
export function substring<S extends string | null>(s: S, pos: number, len?: number): NullIf<S, string> {
  return (len === undefined ? scalar("substring", s, pos) : scalar("substring", s, pos, len)) as NullIf<S, string>;
}
/** Concatenates strings; null if any argument is null. */
export function concat<A extends (string | null)[]>(...parts: A): NullIf<A[number], string> {
  return scalar("concat", ...parts) as NullIf<A[number], string>;
}
/** A numeric function's result: a bigint for a bigint, a number for a number, null for null. */
type NumResult<X> = X extends bigint ? bigint : X extends null ? null : number;
/** Rounds HALF_UP to `scale` decimals on the shortest decimal form (`round(1.005, 2)` is 1.01). */
export function round<X extends Num | null>(x: X, scale = 0): NumResult<X> {
  return scalar("round", x, scale) as NumResult<X>;
}
/** Absolute value. */
export function abs<X extends Num | null>(x: X): NumResult<X> {
  return scalar("abs", x) as NumResult<X>;
}
/** Largest integer not above `x`. */
export function floor<X extends Num | null>(x: X): NullIf<X, number> {
  return scalar("floor", x) as NullIf<X, number>;
}
/** Smallest integer not below `x`. */
export function ceil<X extends Num | null>(x: X): NullIf<X, number> {
  return scalar("ceil", x) as NullIf<X, number>;
}
/** Square root (NaN for negative numbers). */
export function sqrt<X extends Num | null>(x: X): NullIf<X, number> {
  return scalar("sqrt", x) as NullIf<X, number>;
}
/** Parses a date with a Java-style pattern (default `yyyy-MM-dd`); null when it does not parse. */
export function toDate(s: string | null, format = "yyyy-MM-dd"): TsDate | null {
  return fromDays(scalar("to_date", s, format));
}
/** Days from `start` to `end`. @example dateDiff(currentDate(), r.registered) */
export function dateDiff<A extends TsDate | null, B extends TsDate | null>(end: A, start: B): NullIf<A | B, number> {
  return scalar("datediff", toDays(end), toDays(start)) as NullIf<A | B, number>;
}
/** The date `days` after `d`. */
export function dateAdd<A extends TsDate | null>(d: A, days: number): NullIf<A, TsDate> {
  return fromDays(scalar("date_add", toDays(d), days)) as NullIf<A, TsDate>;
}
/** Year of a date. */
export function year<A extends TsDate | null>(d: A): NullIf<A, number> {
  return scalar("year", toDays(d)) as NullIf<A, number>;
}
/** Month (1–12) of a date. */
export function month<A extends TsDate | null>(d: A): NullIf<A, number> {
  return scalar("month", toDays(d)) as NullIf<A, number>;
}
/** Day of the month (1–31) of a date. */
export function dayOfMonth<A extends TsDate | null>(d: A): NullIf<A, number> {
  return scalar("dayofmonth", toDays(d)) as NullIf<A, number>;
}

/**
 * The state plain-JS runs of lambdas share: the pinned date and the aggregation pass. It lives
 * on `globalThis`, so a built pipeline bundle, which carries its own copy of this module, sees
 * what the reference evaluator set through this one.
 */
interface RunState {
  currentDate: TsDate | null;
  pass: AggregationPass | null;
}
const STATE = Symbol.for("tsdf.stdlib.run-state");
const globalSlots = globalThis as unknown as Record<symbol, RunState | undefined>;
globalSlots[STATE] ??= { currentDate: null, pass: null };
const state: RunState = globalSlots[STATE];

/** @internal The reference evaluator pins `currentDate()` as a run does (`--current-date`). */
export function setCurrentDate(d: string | null): void {
  state.currentDate = d as TsDate | null;
}
/** The run's date, pinned per run by `--current-date` (default: today, UTC). */
export function currentDate(): TsDate {
  return state.currentDate ?? (new Date().toISOString().slice(0, 10) as TsDate);
}
type CoalesceResult<A extends readonly Value[]> = A extends readonly [...unknown[], infer L]
  ? null extends L
    ? A[number]
    : Exclude<A[number], null>
  : A[number];
/** The first non-null argument. @example coalesce(r.nickname, r.name) */
export function coalesce<A extends Value[]>(...xs: A): CoalesceResult<A> {
  return scalar("coalesce", ...xs) as CoalesceResult<A>;
}

/** A sort key with a direction, from `asc()` or `desc()`. */
export interface SortOrder {
  readonly __tsdfSort: "asc" | "desc";
  readonly value: Value;
}
export type SortSpec = Value | SortOrder;
/** Ascending, nulls first. */
export function asc(v: Value): SortOrder {
  return { __tsdfSort: "asc", value: v };
}
/** Descending, nulls last. @example df.orderBy((r) => desc(r.total_revenue)) */
export function desc(v: Value): SortOrder {
  return { __tsdfSort: "desc", value: v };
}

/**
 * How aggregate functions behave when the reference evaluator runs an `agg` lambda as plain
 * JavaScript: first once per row to collect each call's inputs, then once per group to read
 * the results, in call order.
 */
export interface AggregationPass {
  readonly phase: "collect" | "finish";
  next: number;
  readonly inputs: unknown[][];
  readonly fns: AggFn[];
}
/** @internal */
export function setAggregationPass(p: AggregationPass | null): void {
  state.pass = p;
}

function aggregate(fn: AggFn, hasArg: boolean, x: unknown): never {
  const pass = state.pass;
  if (!pass) throw new TsdfError("TSDF2005", `${fn}() is an aggregate: use it inside agg()`);
  const i = pass.next++;
  if (pass.phase === "collect") {
    pass.fns[i] = fn;
    const inputs = pass.inputs[i] ?? [];
    pass.inputs[i] = inputs;
    inputs.push(hasArg ? x : 1);
    return 0 as never;
  }
  return finishAggregate(fn, pass.inputs[i] ?? []) as never;
}

/** Spark's order of two non-null values of one type: NaN above every number, strings by code point. */
function sparkOrder(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number" && (Number.isNaN(a) || Number.isNaN(b))) {
    return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  }
  if (typeof a === "string" && typeof b === "string") {
    // UTF-16 order differs from code point order only between surrogates and U+E000–U+FFFF.
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a.codePointAt(i) as number;
      const y = b.codePointAt(i) as number;
      if (x !== y) return x < y ? -1 : 1;
      if (x > 0xffff) i++;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function finishAggregate(fn: AggFn, values: unknown[]): unknown {
  const present = values.filter((v) => v !== null);
  switch (fn) {
    case "count":
      return BigInt(present.length);
    case "count_distinct":
      return BigInt(new Set(present.map((v) => (typeof v === "number" && Object.is(v, -0) ? 0 : v))).size);
    case "sum":
      if (present.length === 0) return null;
      return typeof present[0] === "bigint" ? (present as bigint[]).reduce((a, b) => a + b, 0n) : (present as number[]).reduce((a, b) => a + b, 0);
    case "avg":
      return present.length === 0 ? null : present.reduce<number>((a, b) => a + Number(b), 0) / present.length;
    case "min":
    case "max": {
      if (present.length === 0) return null;
      let best = present[0];
      for (const v of present) if (fn === "min" ? sparkOrder(v, best) < 0 : sparkOrder(v, best) > 0) best = v;
      return best;
    }
    case "first":
      return values.length === 0 ? null : values[0];
    case "last":
      return values.length === 0 ? null : values[values.length - 1];
    case "stddev": {
      if (present.length < 2) return null;
      const xs = present.map(Number);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    }
  }
}

/** Rows in the group (`count()`), or non-null values of `x`. */
export function count(x?: Value): bigint {
  // biome-ignore lint/complexity/noArguments: count() and count(null) differ
  return aggregate("count", arguments.length > 0, x);
}
/** Distinct non-null values. */
export function countDistinct(x: Value): bigint {
  return aggregate("count_distinct", true, x);
}
/** Sum of non-null values; null when there are none. */
export function sum<X extends Num | null>(x: X): (X extends bigint ? bigint : number) | null {
  return aggregate("sum", true, x);
}
/** Mean of non-null values; null when there are none. */
export function avg(x: Num | null): number | null {
  return aggregate("avg", true, x);
}
/** Smallest non-null value. */
export function min<X extends Value>(x: X): Exclude<X, null> | null {
  return aggregate("min", true, x);
}
/** Largest non-null value. */
export function max<X extends Value>(x: X): Exclude<X, null> | null {
  return aggregate("max", true, x);
}
/** The group's first value (in input order). */
export function first<X extends Value>(x: X): X | null {
  return aggregate("first", true, x);
}
/** The group's last value (in input order). */
export function last<X extends Value>(x: X): X | null {
  return aggregate("last", true, x);
}
/** Sample standard deviation; null for fewer than two values. */
export function stddev(x: Num | null): number | null {
  return aggregate("stddev", true, x);
}

export { finishAggregate };
