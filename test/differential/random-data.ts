import { expect } from "vitest";
import fc from "fast-check";

export type Row = Record<string, unknown>;

const key = fc.oneof({ weight: 6, arbitrary: fc.constant("a") }, { weight: 2, arbitrary: fc.constantFrom("b", "c") }, { weight: 1, arbitrary: fc.constantFrom("d", "é", "") });
const text = fc.oneof(fc.constantFrom("", " a ", "Straße", "🙂ok", "x,y", 'q"t', "zz"), fc.string({ maxLength: 4 }));
const float = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }).map((x) => Math.round(x * 100) / 100) },
  // 1e-300 is below the exact sums' fixed-point windows: a group holding it sums in an ExactSum.
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Number.NaN, 0.5, 2.5, 1e-300) },
);
const day = fc.integer({ min: 0, max: 6 }).map((d) => `2024-01-0${d + 1}`);

/** Table t1 of the random pipelines: skewed keys, nulls, NaN, -0, unicode, and unique ids. */
export const t1Rows = fc
  .array(
    fc.record({
      k: key,
      a: fc.option(fc.integer({ min: -50, max: 50 }), { freq: 4 }),
      b: float,
      s: fc.option(text, { freq: 4 }),
      d: day,
    }),
    { maxLength: 30 },
  )
  .map((rows) => rows.map((r, i) => ({ id: i, ...r })));

export const t2Rows = fc.array(fc.record({ k: key, w: float, u: fc.option(text, { freq: 3 }) }), { maxLength: 8 });

/** A value as text: -0 reads as 0, bigints are marked, `digits` rounds numbers (all digits when absent). */
function canonical(v: unknown, digits?: number): string {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === 0) return "0";
    if (!Number.isFinite(v)) return String(v);
    return digits === undefined ? String(v) : v.toPrecision(digits);
  }
  if (typeof v === "bigint") return `${v}n`;
  return JSON.stringify(v) ?? "undefined";
}

const rowText = (r: Row, digits?: number) => Object.entries(r).map(([k, v]) => `${k}=${canonical(v, digits)}`).join(" ");

/** Doubles two engines may round differently (sums in another order): within 1e-9 relative; NaN equals NaN. */
function close(a: unknown, b: unknown): boolean {
  if (typeof a !== "number" || typeof b !== "number") return false;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Expects two outputs to hold the same rows, in order when `ordered`, else as multisets, with
 * numbers within 1e-9 relative. Unordered rows are sorted by their text with numbers to 6 digits,
 * so values that differ in the last bits still pair up; a failure shows both sides as text rows.
 */
export function expectSameRows(actual: readonly Row[], expected: readonly Row[], ordered: boolean, message?: string): void {
  const arrange = (rows: readonly Row[]) =>
    ordered
      ? rows
      : rows
          .map((r) => ({ r, coarse: rowText(r, 6), exact: rowText(r) }))
          .sort((x, y) => (x.coarse < y.coarse ? -1 : x.coarse > y.coarse ? 1 : x.exact < y.exact ? -1 : x.exact > y.exact ? 1 : 0))
          .map((x) => x.r);
  const want = arrange(expected);
  const got = arrange(actual).map((row, i) => {
    const other = want[i];
    return other ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, close(v, other[k]) ? other[k] : v])) : row;
  });
  expect(got.map((r) => rowText(r)), message).toEqual(want.map((r) => rowText(r)));
}
