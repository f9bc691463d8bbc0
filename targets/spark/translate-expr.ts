import { type SourceLocation, TsdfError } from "../../plan/errors.ts";
import { type AggCall, assertNever, type Binary, type Expr, formatExpr, type Literal, type Logical } from "../../plan/expr.ts";
import { exprType, type ExprType, type Scope } from "../../plan/expr-type.ts";
import { isoToDays } from "../../plan/functions.ts";
import { type DataType, isNumeric } from "../../plan/schema.ts";
import {
  and,
  attr,
  bool,
  call,
  cast,
  date,
  distinctCall,
  double,
  ifThen,
  int,
  long,
  not,
  nullOf,
  placeholder,
  type SparkExpr,
  str,
  timestamp,
} from "./spark-exprs.ts";

/** What a translation needs from the run: parameter values and the pinned date (absent at build time). */
export interface RunValues {
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly currentDate?: string;
}

export interface ExprContext {
  readonly scope: Scope;
  readonly values: RunValues;
  /** The plan node (or named column) the expression belongs to, for errors. */
  readonly loc?: SourceLocation;
  /** Relation aliases of a join's two sides, for columns with `side`. */
  readonly sides?: readonly [string, string];
}

/** A construct with no faithful Spark equivalent: a build error at the construct, never a different answer. */
export function incompatible(what: string, why: string, loc: SourceLocation | undefined): TsdfError {
  return new TsdfError("TSDF7001", `${what} cannot run on Spark: ${why}`, loc, ["tsdf build --target spark and tsdf run --remote accept only constructs with the same meaning on both engines"]);
}

const FORMAT_DEFAULT = "yyyy-MM-dd";

/**
 * Translates a row expression so that Spark computes what the lambda computes as plain
 * JavaScript (operators) or with Spark's meaning (stdlib functions). The session runs with
 * ANSI mode off and every conversion that may fail uses a `try_` form, so the result does not
 * depend on the server's ANSI setting.
 */
export function translateExpr(e: Expr, c: ExprContext): SparkExpr {
  const tr = (x: Expr) => translateExpr(x, c);
  switch (e.kind) {
    case "Column":
      return e.side === undefined || c.sides === undefined ? attr(e.name) : attr(e.name, c.sides[e.side]);
    case "Literal":
      return literal(e, exprType(e, c.scope).type, c);
    case "Param": {
      const v = c.values.params?.[e.name];
      return v === undefined ? placeholder(e.name) : valueLiteral(v, e.type, c);
    }
    case "Binary":
      return binary(e, c);
    case "Unary": {
      if (e.op === "!") return not(truthy(e.operand, c));
      return call("negative", orZero(e.operand, c));
    }
    case "Logical":
      return logical(e, c);
    case "Conditional": {
      const to = exprType(e, c.scope).type;
      return ifThen(truthy(e.test, c), coerce(e.whenTrue, to, c), coerce(e.whenFalse, to, c));
    }
    case "IsNull":
      return call(e.negated ? "isnotnull" : "isnull", tr(e.operand));
    case "Cast":
      return castTo(e.operand, e.to, c);
    case "Call":
      return scalarCall(e.fn, e.args, c);
    case "Agg":
      throw new Error(`internal: aggregate ${formatExpr(e)} inside a row expression`);
    default:
      return assertNever(e);
  }
}

function typeOf(e: Expr, c: ExprContext): ExprType {
  return exprType(e, c.scope);
}

function literal(e: Literal, type: DataType, c: ExprContext): SparkExpr {
  return e.value === null ? nullOf(type) : valueLiteral(e.value, type, c);
}

function valueLiteral(v: string | number | boolean, type: DataType, c: ExprContext): SparkExpr {
  switch (type) {
    case "utf8":
      return str(String(v));
    case "int32":
      return int(Number(v));
    case "int64":
      return long(BigInt(v));
    case "float64":
      return double(Number(v));
    case "boolean":
      return bool(v === true || v === "true");
    case "date32": {
      const days = typeof v === "number" ? v : isoToDays(String(v));
      if (days === null) throw incompatible(`the date literal ${JSON.stringify(v)}`, "it is not a yyyy-MM-dd date", c.loc);
      return date(days);
    }
    case "timestamp_us": {
      const ms = Date.parse(String(v));
      if (Number.isNaN(ms)) throw incompatible(`the timestamp literal ${JSON.stringify(v)}`, "it is not an ISO timestamp", c.loc);
      const micros = /\.\d{3}(\d{1,3})/.exec(String(v))?.[1]?.padEnd(3, "0") ?? "0";
      return timestamp(BigInt(ms) * 1000n + BigInt(micros));
    }
  }
}

/** `x` as the wanted type: a bare `null` takes the type, an int32 widens to a double. */
function coerce(x: Expr, to: DataType, c: ExprContext): SparkExpr {
  if (x.kind === "Literal" && x.value === null) return nullOf(to);
  return typeOf(x, c).type === to ? translateExpr(x, c) : cast(translateExpr(x, c), to);
}

/** An arithmetic operand: JavaScript reads null as 0 (strict TypeScript rejects it, but the meaning is kept). */
function orZero(x: Expr, c: ExprContext, as?: DataType): SparkExpr {
  const t = typeOf(x, c);
  const v = as !== undefined && t.type !== as ? cast(translateExpr(x, c), as) : translateExpr(x, c);
  const type = as ?? t.type;
  return t.nullable ? call("coalesce", v, type === "int64" ? long(0n) : type === "int32" ? int(0) : double(0)) : v;
}

/** JavaScript truthiness as a non-null boolean: 0, NaN, "" and null are false; a date is true unless null. */
export function truthy(x: Expr, c: ExprContext): SparkExpr {
  const t = typeOf(x, c);
  const v = translateExpr(x, c);
  const nonNull = (b: SparkExpr) => (t.nullable ? call("coalesce", b, bool(false)) : b);
  switch (t.type) {
    case "boolean":
      return nonNull(v);
    case "int32":
      return nonNull(not(call("==", v, int(0))));
    case "int64":
      return nonNull(not(call("==", v, long(0n))));
    case "float64":
      return nonNull(and(not(call("==", v, double(0))), not(call("isnan", v))));
    case "utf8":
      return nonNull(not(call("==", v, str(""))));
    case "date32":
    case "timestamp_us":
      return call("isnotnull", v);
  }
}

function binary(e: Binary, c: ExprContext): SparkExpr {
  switch (e.op) {
    case "===":
    case "!==":
      return equality(e, c);
    case "<":
    case "<=":
    case ">":
    case ">=":
      return relational(e, c);
    default:
      return arithmetic(e, c);
  }
}

/** `===` is Spark's `<=>` when a side may be null (JS `null === null` is true); NaN equals nothing, as in JS. */
function equality(e: Binary, c: ExprContext): SparkExpr {
  const l = typeOf(e.left, c);
  const r = typeOf(e.right, c);
  if ((l.type === "int64") !== (r.type === "int64")) {
    throw incompatible(`'${formatExpr(e)}'`, "a bigint is never === a number in JavaScript; compare values of one type", c.loc);
  }
  const a = translateExpr(e.left, c);
  const b = translateExpr(e.right, c);
  let eq = l.nullable || r.nullable ? call("<=>", a, b) : call("==", a, b);
  if (l.type === "float64" || r.type === "float64") eq = and(eq, not(call("coalesce", call("isnan", l.type === "float64" ? a : b), bool(false))));
  return e.op === "===" ? eq : not(eq);
}

/**
 * A string as its UTF-16 code units, big-endian, for a lambda's `<`: Spark compares strings by
 * code point, JavaScript by UTF-16 unit (they differ between U+E000–U+FFFF and the characters
 * above U+FFFF); binaries compare as unsigned bytes, so these compare as in JavaScript.
 * (orderBy, min and max keep Spark's code point order on both engines.)
 */
function utf16Order(v: SparkExpr): SparkExpr {
  return call("encode", v, str("UTF-16BE"));
}

/**
 * `<` and friends: JavaScript reads a null number as 0 (the branch after `x === null ? ...` sees a
 * nullable column) and is false when a side is NaN, where Spark orders NaN above every number.
 */
function relational(e: Binary, c: ExprContext): SparkExpr {
  const l = typeOf(e.left, c);
  const r = typeOf(e.right, c);
  const numeric = isNumeric(l.type) && isNumeric(r.type);
  if ((l.nullable || r.nullable) && (l.type === "date32" || l.type === "timestamp_us")) {
    // A lambda sees dates as ISO strings, which are NaN as numbers: against null the comparison
    // is false, except null <= null and null >= null (0 <= 0).
    const a = translateExpr(e.left, c);
    const b = translateExpr(e.right, c);
    const compared = call("coalesce", call(e.op, a, b), bool(false));
    if (!(l.nullable && r.nullable) || e.op === "<" || e.op === ">") return compared;
    return call("or", and(call("isnull", a), call("isnull", b)), compared);
  }
  if ((l.nullable || r.nullable) && !numeric) {
    throw incompatible(`'${formatExpr(e)}'`, `JavaScript compares a null ${l.nullable ? l.type : r.type} by converting it to a number; check the value against null first`, c.loc);
  }
  const side = (x: Expr, t: ExprType) => (numeric ? orZero(x, c) : t.type === "utf8" ? utf16Order(translateExpr(x, c)) : translateExpr(x, c));
  const a = side(e.left, l);
  const b = side(e.right, r);
  const mayBeNaN = (x: Expr, t: ExprType) => t.type === "float64" && !(x.kind === "Literal" && !Number.isNaN(x.value)) && x.kind !== "Param";
  const guards = [mayBeNaN(e.left, l) ? not(call("isnan", a)) : undefined, mayBeNaN(e.right, r) ? not(call("isnan", b)) : undefined].filter((g) => g !== undefined);
  return and(call(e.op, a, b), ...guards);
}

function arithmetic(e: Binary, c: ExprContext): SparkExpr {
  const result = typeOf(e, c).type;
  if (result === "utf8") return call("concat", stringOperand(e.left, c, e), stringOperand(e.right, c, e));
  if (result === "int64") {
    // BigInt arithmetic; JavaScript throws on a zero divisor, so Spark must fail too.
    const a = orZero(e.left, c);
    const b = orZero(e.right, c);
    const byZero = (v: SparkExpr) => ifThen(call("==", b, long(0n)), call("raise_error", str(`division by zero in ${formatExpr(e)}`)), v);
    if (e.op === "/") return byZero(call("div", a, b));
    if (e.op === "%") return byZero(call("%", a, b));
    return call(e.op, a, b);
  }
  if (result === "int32") {
    // int32 % int32 (the only int32 arithmetic): the remainder takes the dividend's sign in both engines.
    return call("%", orZero(e.left, c), orZero(e.right, c));
  }
  // Every other arithmetic is on doubles in JavaScript: an int32 product never wraps.
  const a = orZero(e.left, c, "float64");
  const b = orZero(e.right, c, "float64");
  switch (e.op) {
    case "/": {
      // Spark divides by zero to null; JavaScript to ±Infinity (the sign of the zero counts) or NaN.
      // Spark's math functions normalize -0.0, its text ("-0.0") does not.
      const infinity = ifThen(call("startswith", cast(b, "utf8"), str("-")), double(Number.NEGATIVE_INFINITY), double(Number.POSITIVE_INFINITY));
      return ifThen(call("==", b, double(0)), call("*", a, infinity), call("/", a, b));
    }
    case "%":
      return ifThen(call("==", b, double(0)), double(Number.NaN), call("%", a, b));
    default:
      return call(e.op, a, b);
  }
}

/** An operand of string `+`: null reads "null"; numbers print as JavaScript prints them, which Spark matches for integers only. */
function stringOperand(x: Expr, c: ExprContext, whole: Expr): SparkExpr {
  const t = typeOf(x, c);
  let v: SparkExpr;
  switch (t.type) {
    case "utf8":
      v = translateExpr(x, c);
      break;
    case "int32":
    case "int64":
    case "boolean":
      v = cast(translateExpr(x, c), "utf8");
      break;
    case "float64":
      v = jsNumberText(translateExpr(x, c), formatExpr(whole));
      break;
    default:
      throw incompatible(`'${formatExpr(whole)}'`, `a ${t.type} cannot be added to a string`, c.loc);
  }
  return t.nullable ? call("coalesce", v, str("null")) : v;
}

/**
 * A double as JavaScript's `String(x)` prints it. Java (Spark's cast) agrees for NaN, ±Infinity and
 * plain decimals in [1e-3, 1e7); whole numbers print without ".0" through a long. Outside those
 * ranges the notations differ (1.0E-4 vs 0.0001), so the job fails there rather than differ.
 */
function jsNumberText(v: SparkExpr, where: string): SparkExpr {
  const magnitude = call("abs", v);
  const javaAgrees = call("or", call("or", call("isnan", v), call("==", magnitude, double(Number.POSITIVE_INFINITY))), and(call(">=", magnitude, double(1e-3)), call("<", magnitude, double(1e7))));
  const whole = and(call("==", v, call("floor", v)), call("<", magnitude, double(2 ** 53)));
  return ifThen(
    whole,
    cast(cast(v, "int64"), "utf8"),
    ifThen(javaAgrees, cast(v, "utf8"), call("raise_error", str(`tsdf: ${where}: Spark prints this number differently from JavaScript`))),
  );
}

function logical(e: Logical, c: ExprContext): SparkExpr {
  const to = typeOf(e, c).type;
  if (e.op === "??") return call("coalesce", coerce(e.left, to, c), coerce(e.right, to, c));
  const l = typeOf(e.left, c);
  const r = typeOf(e.right, c);
  if (l.type === "boolean" && r.type === "boolean" && !l.nullable && !r.nullable) {
    return call(e.op === "&&" ? "and" : "or", translateExpr(e.left, c), translateExpr(e.right, c));
  }
  // JavaScript returns an operand: `null && x` is null, where SQL's three-valued AND gives false.
  const test = truthy(e.left, c);
  const left = coerce(e.left, to, c);
  const right = coerce(e.right, to, c);
  return e.op === "&&" ? ifThen(test, right, left) : ifThen(test, left, right);
}

/** tsdf's casts (plan/…/castValue): strict ISO dates, null for what does not convert. */
function castTo(x: Expr, to: DataType, c: ExprContext): SparkExpr {
  const from = typeOf(x, c).type;
  const v = translateExpr(x, c);
  if (from === to) return v;
  switch (to) {
    case "utf8":
      if (from === "date32" || from === "int32" || from === "int64" || from === "boolean") return cast(v, "utf8");
      break;
    case "date32":
      if (from === "utf8") return call("to_date", call("trim", v), str(FORMAT_DEFAULT));
      if (from === "timestamp_us") return cast(v, "date32");
      break;
    case "timestamp_us":
      if (from === "date32") return cast(v, "timestamp_us");
      if (from === "utf8") return cast(call("trim", v), "timestamp_us", "try");
      break;
    case "float64":
      if (from === "utf8") return cast(call("trim", v), "float64", "try");
      return cast(v, "float64");
    case "int64":
    case "int32":
      if (from === "boolean" || from === "int32" || from === "int64") return cast(v, to);
      break;
    case "boolean":
      if (from === "utf8") {
        const s = call("trim", v);
        return ifThen(call("==", s, str("true")), bool(true), ifThen(call("==", s, str("false")), bool(false), nullOf("boolean")));
      }
      break;
  }
  throw incompatible(`a conversion from ${from} to ${to}`, "Spark converts these values differently", c.loc);
}

/** Spark names of stdlib functions whose meaning already is Spark's, argument for argument. */
const SAME_NAME = new Set(["upper", "lower", "trim", "length", "concat", "abs", "sqrt", "datediff", "year", "month", "dayofmonth", "coalesce"]);

function scalarCall(fn: string, args: readonly Expr[], c: ExprContext): SparkExpr {
  const tr = (x: Expr) => translateExpr(x, c);
  if (fn === "current_date") {
    // Pinned per run: the run's --current-date, never the server's clock.
    if (c.values.currentDate === undefined) return placeholder("current_date");
    const days = isoToDays(c.values.currentDate);
    if (days === null) throw new TsdfError("TSDF4006", `--current-date expects yyyy-MM-dd, got '${c.values.currentDate}'`);
    return date(days);
  }
  if (SAME_NAME.has(fn)) return call(fn, ...args.map(tr));
  const [first, ...rest] = args;
  if (first === undefined) throw new Error(`internal: ${fn}() without arguments`);
  switch (fn) {
    case "substring":
      return call("substring", tr(first), ...rest.map((a) => coerce(a, "int32", c)));
    case "round": {
      const scale = rest[0];
      return scale === undefined ? call("round", tr(first)) : call("round", tr(first), coerce(scale, "int32", c));
    }
    case "floor":
    case "ceil": {
      // Spark's floor/ceil return a long; tsdf's a double. Doubles beyond 2^52 (and NaN, ±Infinity) are already whole.
      const v = orZero(first, c, "float64");
      return ifThen(call("<", call("abs", v), double(2 ** 52)), cast(call(fn, v), "float64"), v);
    }
    case "to_date": {
      if (typeOf(first, c).type === "date32") return tr(first);
      const format = rest[0] === undefined ? str(FORMAT_DEFAULT) : tr(rest[0]);
      // to_date of an unparsable string is null with ANSI mode off and the CORRECTED parser (the session settings).
      return call("to_date", tr(first), format);
    }
    case "date_add":
      return call("date_add", tr(first), ...rest.map((a) => coerce(a, "int32", c)));
    default:
      throw incompatible(`${fn}()`, "tsdf has no Spark translation for this function", c.loc);
  }
}

/** An aggregate with tsdf's result type: int32 sums are doubles (exact to 2^53), as the engine's. */
export function translateAgg(e: AggCall, c: ExprContext): SparkExpr {
  const arg = e.arg;
  if (arg === undefined) {
    if (e.fn === "count") return call("count", int(1));
    throw new Error(`internal: ${e.fn}() without an argument`);
  }
  const v = translateExpr(arg, c);
  const t = typeOf(arg, c).type;
  const asDouble = t === "float64" ? v : cast(v, "float64");
  switch (e.fn) {
    case "count":
      return call("count", v);
    case "count_distinct":
      return distinctCall("count", v);
    case "sum":
      return t === "int64" ? call("sum", v) : call("sum", asDouble);
    case "avg":
      return call("avg", asDouble);
    case "stddev":
      return call("stddev_samp", asDouble);
    case "min":
    case "max":
      return call(e.fn, v);
    case "first":
    case "last":
      throw incompatible(`${e.fn}()`, "it picks a row by input order, which Spark does not keep across a shuffle; use min() or max()", c.loc);
    default:
      return assertNever(e.fn);
  }
}
