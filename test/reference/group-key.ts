/**
 * The reference evaluator's notion of "the same key" for grouping, distinct and joins on
 * column names: nulls form one group, NaN groups with NaN and -0 with 0 (Spark normalizes
 * floating keys). Values of different JS types never collide.
 */
export function groupKey(values: readonly unknown[]): string {
  let s = "";
  for (const v of values) s += `${encode(v)}|`;
  return s;
}

function encode(v: unknown): string {
  if (v === null || v === undefined) return "N";
  switch (typeof v) {
    case "string":
      return `s${v.length}:${v}`;
    case "number":
      return Number.isNaN(v) ? "nNaN" : v === 0 ? "n0" : `n${v}`;
    case "bigint":
      return `b${v}`;
    case "boolean":
      return v ? "T" : "F";
    default:
      throw new Error(`reference evaluator: cannot use ${String(v)} as a key`);
  }
}
