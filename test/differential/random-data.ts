import fc from "fast-check";

export type Row = Record<string, unknown>;

const key = fc.oneof({ weight: 6, arbitrary: fc.constant("a") }, { weight: 2, arbitrary: fc.constantFrom("b", "c") }, { weight: 1, arbitrary: fc.constantFrom("d", "é", "") });
const text = fc.oneof(fc.constantFrom("", " a ", "Straße", "🙂ok", "x,y", 'q"t', "zz"), fc.string({ maxLength: 4 }));
const float = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }).map((x) => Math.round(x * 100) / 100) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Number.NaN, 0.5, 2.5) },
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

/** A canonical text form of a value: numbers compared to 9 significant digits, -0 as 0. */
function canonical(v: unknown): string {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === 0) return "0";
    return Number.isFinite(v) ? v.toPrecision(9) : String(v);
  }
  if (typeof v === "bigint") return `${v}n`;
  return JSON.stringify(v) ?? "undefined";
}

/** Rows as comparable strings; unordered outputs are compared as sorted multisets. */
export function canonicalRows(rows: readonly Row[], ordered: boolean): string[] {
  const lines = rows.map((r) => Object.entries(r).map(([k, v]) => `${k}=${canonical(v)}`).join(" "));
  return ordered ? lines : lines.sort();
}
