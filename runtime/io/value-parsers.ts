/**
 * Text → value parsers for every column type, reading UTF-8 bytes in place (`buf[start..end)`)
 * so the CSV and JSON readers never make a string for a number. Each returns `undefined` when the
 * text is not a value of the type; callers decide whether that is a null, a dropped row or an error.
 */
import { daysFromCivil, isValidDate, timestampMicros } from "./calendar.ts";

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Powers of ten a double holds exactly: the range where mantissa ×/÷ 10^k rounds correctly. */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_MANTISSA = 2 ** 53;

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= ZERO && c <= NINE;
}

/** `[+-]?\d+` within int32, or undefined. */
export function parseInt32(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const neg = buf[i] === MINUS;
  if (neg || buf[i] === PLUS) i++;
  if (i >= end) return undefined;
  let v = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
    if (v > 2147483648) return undefined;
  }
  const r = neg ? -v : v;
  return r < INT32_MIN || r > INT32_MAX ? undefined : r | 0;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `[+-]?\d+` within int64, or undefined. */
export function parseInt64(buf: Uint8Array, start: number, end: number): bigint | undefined {
  let i = start;
  const neg = buf[i] === MINUS;
  if (neg || buf[i] === PLUS) i++;
  if (i >= end) return undefined;
  let v = 0;
  const digitsStart = i;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  if (end - digitsStart <= 15) return BigInt(neg ? -v : v);
  let big = 0n;
  for (let k = digitsStart; k < end; k++) big = big * 10n + BigInt((buf[k] as number) - ZERO);
  if (neg) big = -big;
  return big < INT64_MIN || big > INT64_MAX ? undefined : big;
}

/**
 * A decimal literal (`-1.5`, `.5`, `1e-3`), `NaN`, `Infinity` or `-Infinity`, or undefined.
 * Short literals take Clinger's fast path; longer ones go through `Number` once the syntax is
 * known to be a plain decimal, so `Number`'s extras (hex, spaces, empty string) never slip in.
 */
export function parseFloat64(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const neg = buf[i] === MINUS;
  if (neg || buf[i] === PLUS) i++;
  if (i >= end) return undefined;
  const first = buf[i] as number;
  if (first === 78 || first === 73) return parseSpecial(buf, i, end, neg, start);
  let mantissa = 0;
  let significant = 0;
  let exponent = 0;
  let digits = 0;
  for (; i < end && isDigit(buf[i]); i++, digits++) {
    const d = (buf[i] as number) - ZERO;
    if (significant > 0 || d !== 0) significant++;
    mantissa = mantissa * 10 + d;
  }
  if (i < end && buf[i] === DOT) {
    for (i++; i < end && isDigit(buf[i]); i++, digits++) {
      const d = (buf[i] as number) - ZERO;
      if (significant > 0 || d !== 0) significant++;
      mantissa = mantissa * 10 + d;
      exponent--;
    }
  }
  if (digits === 0) return undefined;
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    const expNeg = buf[i] === MINUS;
    if (expNeg || buf[i] === PLUS) i++;
    if (i >= end) return undefined;
    let e = 0;
    for (; i < end; i++) {
      const d = (buf[i] as number) - ZERO;
      if (d < 0 || d > 9) return undefined;
      if (e < 100_000) e = e * 10 + d;
    }
    exponent += expNeg ? -e : e;
  }
  if (i !== end) return undefined;
  if (significant <= 15 && mantissa <= MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
    const v = exponent < 0 ? mantissa / (EXACT_POW10[-exponent] as number) : mantissa * (EXACT_POW10[exponent] as number);
    return neg ? -v : v;
  }
  return Number(latin1(buf, start, end));
}

function parseSpecial(buf: Uint8Array, i: number, end: number, neg: boolean, start: number): number | undefined {
  const word = latin1(buf, i, end);
  if (word === "Infinity") return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (word === "NaN" && i === start) return Number.NaN;
  return undefined;
}

/** Node's native byte → Latin-1 string copy, several times faster than concatenating chars. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

function latin1(buf: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(buf, start, end);
}

/** `true` or `false` in any letter case, or undefined. */
export function parseBoolean(buf: Uint8Array, start: number, end: number): boolean | undefined {
  const n = end - start;
  if (n === 4 && matchesLower(buf, start, "true")) return true;
  if (n === 5 && matchesLower(buf, start, "false")) return false;
  return undefined;
}

function matchesLower(buf: Uint8Array, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    if (((buf[start + k] as number) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}

function digitsAt(buf: Uint8Array, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = buf[at + k];
    if (!isDigit(c)) return -1;
    v = v * 10 + c - ZERO;
  }
  return v;
}

/** Days since epoch of a real `yyyy-MM-dd` date, or undefined. */
export function parseDate32(buf: Uint8Array, start: number, end: number): number | undefined {
  return end - start === 10 ? dateAt(buf, start) : undefined;
}

function dateAt(buf: Uint8Array, at: number): number | undefined {
  if (buf[at + 4] !== MINUS || buf[at + 7] !== MINUS) return undefined;
  const year = digitsAt(buf, at, 4);
  const month = digitsAt(buf, at + 5, 2);
  const day = digitsAt(buf, at + 8, 2);
  if (year < 0 || month < 0 || day < 0 || !isValidDate(year, month, day)) return undefined;
  return daysFromCivil(year, month, day);
}

/**
 * Microseconds since epoch of `yyyy-MM-dd[( |T)HH:mm[:ss[.f…]]][Z|±HH:mm]`, read as UTC when
 * no offset is given; digits past microseconds are truncated, as Spark does. Undefined otherwise.
 */
export function parseTimestampUs(buf: Uint8Array, start: number, end: number): bigint | undefined {
  if (end - start < 10) return undefined;
  const days = dateAt(buf, start);
  if (days === undefined) return undefined;
  let i = start + 10;
  if (i === end) return timestampMicros(days, 0, 0, 0);
  if ((buf[i] !== 84 && buf[i] !== 32) || i + 6 > end) return undefined;
  const hh = digitsAt(buf, i + 1, 2);
  const mi = digitsAt(buf, i + 4, 2);
  if (buf[i + 3] !== COLON || hh < 0 || hh > 23 || mi < 0 || mi > 59) return undefined;
  i += 6;
  let ss = 0;
  let micros = 0;
  if (buf[i] === COLON && i + 3 <= end) {
    ss = digitsAt(buf, i + 1, 2);
    if (ss < 0 || ss > 59) return undefined;
    i += 3;
    if (buf[i] === DOT) {
      i++;
      let n = 0;
      for (; i < end && isDigit(buf[i]); i++, n++) if (n < 6) micros = micros * 10 + (buf[i] as number) - ZERO;
      if (n === 0) return undefined;
      for (; n < 6; n++) micros *= 10;
    }
  }
  const offset = offsetAt(buf, i, end);
  if (offset === undefined) return undefined;
  return timestampMicros(days, hh * 3600 + mi * 60 + ss, micros, offset);
}

/** Seconds east of UTC for `Z`, `±HH:mm`, `±HHmm` or nothing; undefined when malformed. */
function offsetAt(buf: Uint8Array, i: number, end: number): number | undefined {
  if (i === end) return 0;
  if (buf[i] === 90 && i + 1 === end) return 0;
  const sign = buf[i] === PLUS ? 1 : buf[i] === MINUS ? -1 : 0;
  if (sign === 0) return undefined;
  const hh = digitsAt(buf, i + 1, 2);
  const colon = buf[i + 3] === COLON ? 1 : 0;
  const mm = digitsAt(buf, i + 3 + colon, 2);
  if (i + 5 + colon !== end || hh < 0 || hh > 18 || mm < 0 || mm > 59) return undefined;
  return sign * (hh * 3600 + mm * 60);
}
