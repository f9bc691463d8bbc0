import { describe, expect, it } from "vitest";
import * as b from "../../../plan/builder.ts";
import { col, type Expr, lit } from "../../../plan/expr.ts";
import type { LogicalPlan, Sink } from "../../../plan/logical.ts";
import { agg, pipelineOf, run, sorted, table } from "./fixtures.ts";

/** A deterministic pseudo-random table with duplicates, nulls, NaN and -0. */
function rowsFor(n: number) {
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => {
    const r = next();
    return {
      id: i,
      k: r < 0.1 ? null : `k${Math.floor(next() * 7)}`,
      g: Math.floor(next() * 3),
      x: r > 0.95 ? null : r > 0.93 ? Number.NaN : r > 0.91 ? -0 : Math.round(next() * 1000) / 10 - 20,
      q: r > 0.9 ? null : Math.floor(next() * 20) - 5,
      big: BigInt(Math.floor(next() * 1e6)) * 1000003n,
      d: `2024-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 9)}`,
    };
  });
}

const t1 = table("t1", { id: "int32", k: "utf8?", g: "int32", x: "float64?", q: "int32?", big: "int64", d: "date32" }, rowsFor(200));
const t2 = table(
  "t2",
  { k: "utf8?", w: "float64" },
  Array.from({ length: 12 }, (_, i) => ({ k: i === 11 ? null : `k${i % 9}`, w: i * 3.5 })),
);
const tables = [t1, t2];
const ALL_AGGS = [
  { name: "n", expr: agg("count") },
  { name: "nx", expr: agg("count", "x") },
  { name: "sx", expr: agg("sum", "x") },
  { name: "sq", expr: agg("sum", "q") },
  { name: "sb", expr: agg("sum", "big") },
  { name: "ax", expr: agg("avg", "x") },
  { name: "lo", expr: agg("min", "x") },
  { name: "hi", expr: agg("max", "d") },
  { name: "f", expr: agg("first", "x") },
  { name: "l", expr: agg("last", "q") },
  { name: "cd", expr: agg("count_distinct", "k") },
  { name: "sd", expr: agg("stddev", "x") },
];
const filtered = b.filter(t1.scan, { kind: "Binary", op: "!==", left: col("g"), right: lit(2, "int32") });
const renamed = b.project(t2.scan, [
  { name: "k2", expr: col("k") },
  { name: "w", expr: col("w") },
]);
const cond: Expr = {
  kind: "Logical",
  op: "&&",
  left: { kind: "Binary", op: "===", left: col("k", 0), right: col("k2", 1) },
  right: { kind: "Binary", op: ">", left: col("x", 0), right: col("w", 1) },
};

const unordered: Record<string, LogicalPlan> = {
  groupBy: b.aggregate(filtered, ["k"], ALL_AGGS),
  groupBy2: b.aggregate(t1.scan, ["g", "k"], ALL_AGGS),
  global: b.aggregate(t1.scan, [], ALL_AGGS),
  inner: b.join(t1.scan, t2.scan, { kind: "using", columns: ["k"] }, "inner"),
  left: b.join(t1.scan, t2.scan, { kind: "using", columns: ["k"] }, "left"),
  right: b.join(t1.scan, t2.scan, { kind: "using", columns: ["k"] }, "right"),
  full: b.join(t1.scan, t2.scan, { kind: "using", columns: ["k"] }, "full"),
  semi: b.join(t1.scan, t2.scan, { kind: "using", columns: ["k"] }, "semi"),
  anti: b.join(t1.scan, t2.scan, { kind: "using", columns: ["k"] }, "anti"),
  condInner: b.join(t1.scan, renamed, { kind: "condition", predicate: cond }, "inner"),
  condFull: b.join(t1.scan, renamed, { kind: "condition", predicate: cond }, "full"),
  condRight: b.join(t1.scan, renamed, { kind: "condition", predicate: cond }, "right"),
  condAnti: b.join(t1.scan, renamed, { kind: "condition", predicate: cond }, "anti"),
  distinct: b.distinct(b.project(t1.scan, [{ name: "k", expr: col("k") }, { name: "g", expr: col("g") }]), null),
  dropDuplicates: b.distinct(t1.scan, ["k"]),
  union: b.union(t1.scan, filtered, false),
};
const ordered: Record<string, LogicalPlan> = {
  filter: filtered,
  sort: b.sort(t1.scan, [
    { expr: col("x"), descending: true, nullsFirst: false },
    { expr: col("k"), descending: false, nullsFirst: true },
  ]),
  topN: b.limit(b.sort(t1.scan, [{ expr: col("q"), descending: false, nullsFirst: true }]), 17),
  limit: b.limit(filtered, 23),
  sortedAgg: b.sort(b.aggregate(t1.scan, ["k"], ALL_AGGS), [{ expr: col("k"), descending: false, nullsFirst: true }]),
  sortedDistinct: b.sort(b.distinct(t1.scan, ["g"]), [{ expr: col("g"), descending: false, nullsFirst: true }]),
};

const show: Sink = { kind: "Show", input: ordered.sort as LogicalPlan, rows: 7 };
const plan = pipelineOf({ ...unordered, ...ordered }, [show]);

describe("results do not depend on the partition count", () => {
  it("gives the same rows (and order, where defined) for 1, 2, 3 and 7 partitions", async () => {
    const [base, ...others] = await Promise.all([1, 2, 3, 7].map((n) => run(plan, tables, n)));
    if (!base) throw new Error("no run");
    expect(base.outputs.groupBy?.length).toBeGreaterThan(3);
    expect(base.outputs.inner?.length).toBeGreaterThan(10);
    expect(base.outputs.condFull?.length).toBeGreaterThan(10);
    for (const r of others) {
      for (const name of Object.keys(unordered)) expect(sorted(r.outputs[name] ?? []), name).toEqual(sorted(base.outputs[name] ?? []));
      for (const name of Object.keys(ordered)) expect(r.outputs[name], name).toEqual(base.outputs[name]);
      expect(r.lines).toEqual(base.lines);
    }
  });

  it("keeps the first row of each key for dropDuplicates, in input order", async () => {
    const r = await run(plan, tables, 7);
    const firstIds = new Map<unknown, number>();
    for (const row of rowsFor(200)) if (!firstIds.has(row.k)) firstIds.set(row.k, row.id);
    expect(sorted(r.outputs.dropDuplicates ?? []).map((row) => row.id).sort((a, b) => Number(a) - Number(b))).toEqual(
      [...firstIds.values()].sort((a, b) => a - b),
    );
  });
});
