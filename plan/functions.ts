import type { DataType } from "./schema.ts";

/**
 * The stdlib's scalar functions with Spark's meaning, shared by the engine's kernels and the
 * plain-JS reference. Values are engine values: dates are days since 1970-01-01 (numbers),
 * int64 is bigint. Every function returns null when an argument is null unless noted.
 */
export interface ScalarFunction {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The result type from the argument types, or an error message (any string that is not a DataType). */
  readonly returnType: (args: readonly DataType[]) => DataType | string;
  /** True when the result may be null although no argument is (to_date of a bad string). */
  readonly introducesNull?: boolean;
  /** False for coalesce: it handles nulls itself. */
  readonly nullIn?: boolean;
  readonly impl: (...args: never[]) => unknown;
}

const MS_PER_DAY = 86_400_000;

export function daysToIso(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Days since epoch for `YYYY-MM-DD`, or null when it is not a real calendar date. */
export function isoToDays(s: string): number | null {
  return parseDate(s, "yyyy-MM-dd");
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), or null when the day is not in the month. */
function civilDays(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > monthDays) return null;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/** The value of the decimal digits s[from … to-1], or -1 when one is not a digit. */
function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses with a Spark/Java date pattern made of yyyy, MM, M, dd, d and literal characters
 * (proleptic Gregorian, as Spark's java.time). `yyyy-MM-dd` reads its fixed positions directly.
 */
export function parseDate(s: string, pattern: string): number | null {
  if (pattern === "yyyy-MM-dd") {
    if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
    const y = digits(s, 0, 4);
    const m = digits(s, 5, 7);
    const d = digits(s, 8, 10);
    return y < 0 || m < 0 || d < 0 ? null : civilDays(y, m, d);
  }
  let year = Number.NaN;
  let month = Number.NaN;
  let day = Number.NaN;
  let pos = 0;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    let run = 1;
    while (pattern[i + run] === ch) run++;
    if (ch === "y" || ch === "M" || ch === "d") {
      const maxLen = ch === "y" ? (run === 2 ? 2 : 4) : 2;
      const minLen = run === 1 ? 1 : run;
      let j = pos;
      while (j < s.length && j - pos < maxLen && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      if (j - pos < Math.min(minLen, maxLen)) return null;
      const v = Number(s.slice(pos, j));
      if (ch === "y") year = run === 2 ? 2000 + v : v;
      else if (ch === "M") month = v;
      else day = v;
      pos = j;
    } else {
      for (let k = 0; k < run; k++) {
        if (s[pos] !== ch) return null;
        pos++;
      }
    }
    i += run;
  }
  if (pos !== s.length || Number.isNaN(year) || Number.isNaN(month) || Number.isNaN(day)) return null;
  return civilDays(year, month, day);
}

/** Spark's ROUND: HALF_UP on the shortest decimal form of the double (1.005 → 1.01). */
export function roundHalfUp(x: number, scale = 0): number {
  if (!Number.isFinite(x)) return x;
  const negative = x < 0 || Object.is(x, -0);
  const [mantissa = "0", expPart] = Math.abs(x).toExponential().split("e");
  const exp = Number(expPart);
  const digits = mantissa.replace(".", "");
  // The value is digits × 10^(exp + 1 - digits.length); keep the digits down to 10^-scale.
  const keep = exp + 1 + scale;
  if (keep < 0) return negative ? -0 : 0;
  if (keep >= digits.length) return x;
  let kept = BigInt(digits.slice(0, keep) || "0");
  if (digits.charCodeAt(keep) - 48 >= 5) kept += 1n;
  const abs = Number(`${kept}e${exp + 1 - keep}`);
  return negative ? -abs : abs;
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Spark's trim removes spaces only, not every whitespace character. */
function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return s.slice(a, b);
}

/** Spark's substring: 1-based position, 0 treated as 1, negative counts from the end, code points. */
function substring(s: string, pos: number, len?: number): string {
  const cps = codePoints(s);
  const n = cps.length;
  let start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  let end = len === undefined ? n : (pos > 0 || pos === 0 ? start : start) + len;
  if (pos < 0 && len !== undefined) end = start + len;
  if (start < 0) start = 0;
  if (end > n) end = n;
  if (len !== undefined && len <= 0) return "";
  return start >= end ? "" : cps.slice(start, end).join("");
}

const same = (args: readonly DataType[]) => args[0] as DataType;
const numeric = (fn: string) => (args: readonly DataType[]) => {
  const t = args[0];
  return t === "int32" || t === "int64" || t === "float64" ? t : `${fn}() needs a number, got ${t}`;
};
/** floor/ceil/sqrt give JS numbers (Spark's floor/ceil give longs; tsdf keeps the row type `number`). */
const toDouble = (fn: string) => (args: readonly DataType[]) => {
  const t = args[0];
  return t === "int32" || t === "int64" || t === "float64" ? "float64" : `${fn}() needs a number, got ${t}`;
};
const stringFn = (fn: string, result: DataType) => (args: readonly DataType[]) =>
  args.every((a) => a === "utf8") ? result : `${fn}() needs strings, got ${args.join(", ")}`;
const dateFn = (fn: string, result: DataType) => (args: readonly DataType[]) =>
  args[0] === "date32" ? result : `${fn}() needs a date, got ${args[0]}`;

const catalogue: ScalarFunction[] = [
  { name: "upper", minArgs: 1, maxArgs: 1, returnType: stringFn("upper", "utf8"), impl: (s: string) => s.toUpperCase() },
  { name: "lower", minArgs: 1, maxArgs: 1, returnType: stringFn("lower", "utf8"), impl: (s: string) => s.toLowerCase() },
  { name: "trim", minArgs: 1, maxArgs: 1, returnType: stringFn("trim", "utf8"), impl: trimSpaces },
  { name: "length", minArgs: 1, maxArgs: 1, returnType: stringFn("length", "int32"), impl: (s: string) => codePoints(s).length },
  {
    name: "substring",
    minArgs: 2,
    maxArgs: 3,
    returnType: (a) => (a[0] === "utf8" && a.slice(1).every((t) => t === "int32" || t === "float64") ? "utf8" : `substring(str, pos, len) got ${a.join(", ")}`),
    impl: substring,
  },
  { name: "concat", minArgs: 1, maxArgs: 64, returnType: stringFn("concat", "utf8"), impl: (...xs: string[]) => xs.join("") },
  {
    name: "round",
    minArgs: 1,
    maxArgs: 2,
    returnType: numeric("round"),
    impl: (x: number | bigint, scale = 0) => (typeof x === "bigint" ? x : roundHalfUp(x, scale)),
  },
  { name: "abs", minArgs: 1, maxArgs: 1, returnType: numeric("abs"), impl: (x: number | bigint) => (typeof x === "bigint" ? (x < 0n ? -x : x) : Math.abs(x)) },
  { name: "floor", minArgs: 1, maxArgs: 1, returnType: toDouble("floor"), impl: (x: number | bigint) => Math.floor(Number(x)) },
  { name: "ceil", minArgs: 1, maxArgs: 1, returnType: toDouble("ceil"), impl: (x: number | bigint) => Math.ceil(Number(x)) },
  { name: "sqrt", minArgs: 1, maxArgs: 1, returnType: toDouble("sqrt"), impl: (x: number | bigint) => Math.sqrt(Number(x)) },
  {
    name: "to_date",
    minArgs: 1,
    maxArgs: 2,
    introducesNull: true,
    returnType: (a) => (a[0] === "utf8" ? "date32" : a[0] === "date32" ? "date32" : `toDate() needs a string, got ${a[0]}`),
    impl: (s: string | number, fmt = "yyyy-MM-dd") => (typeof s === "number" ? s : parseDate(s, fmt)),
  },
  {
    name: "datediff",
    minArgs: 2,
    maxArgs: 2,
    returnType: (a) => (a[0] === "date32" && a[1] === "date32" ? "int32" : `dateDiff(end, start) needs two dates, got ${a.join(", ")}`),
    impl: (end: number, start: number) => end - start,
  },
  {
    name: "date_add",
    minArgs: 2,
    maxArgs: 2,
    returnType: (a) => (a[0] === "date32" && (a[1] === "int32" || a[1] === "float64") ? "date32" : `dateAdd(date, days) got ${a.join(", ")}`),
    impl: (d: number, n: number) => d + Math.trunc(n),
  },
  { name: "year", minArgs: 1, maxArgs: 1, returnType: dateFn("year", "int32"), impl: (d: number) => new Date(d * MS_PER_DAY).getUTCFullYear() },
  { name: "month", minArgs: 1, maxArgs: 1, returnType: dateFn("month", "int32"), impl: (d: number) => new Date(d * MS_PER_DAY).getUTCMonth() + 1 },
  { name: "dayofmonth", minArgs: 1, maxArgs: 1, returnType: dateFn("dayOfMonth", "int32"), impl: (d: number) => new Date(d * MS_PER_DAY).getUTCDate() },
  {
    name: "coalesce",
    minArgs: 1,
    maxArgs: 64,
    nullIn: false,
    returnType: (a) => (a.every((t) => t === a[0]) ? same(a) : `coalesce() needs arguments of one type, got ${a.join(", ")}`),
    impl: (...xs: unknown[]) => {
      for (const x of xs) if (x !== null) return x;
      return null;
    },
  },
];

export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunction> = new Map(catalogue.map((f) => [f.name, f]));
