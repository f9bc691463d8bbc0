import type * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col, lit } from "../../../plan/expr.ts";
import { type Row, runPipeline } from "../../../runtime/driver.ts";
import { rowsToBatch } from "../../../runtime/exec/columns.ts";
import { agg, pipelineOf, schemaOf } from "./fixtures.ts";

/*
 * Inside a task, filter, projection, limit and a hash join's probe side run batch by batch into
 * an aggregate, an exchange or the output. However the input is cut into batches, the answer is
 * the one-batch answer: group order, first()/last(), the first of equal min()/max(), limits,
 * global aggregates, and every kind of join (right and full joins' unmatched rows come last).
 */

const schema = schemaOf({ id: "int32", k: "utf8?", x: "float64?", q: "int32" });
const rows = fc
  .array(
    fc.record({
      k: fc.option(fc.constantFrom("a", "b", "c", "d"), { freq: 5 }),
      x: fc.option(fc.constantFrom(0, -0, 1.5, 2, Number.NaN, -3), { freq: 5 }),
      q: fc.integer({ min: -3, max: 3 }),
    }),
    { maxLength: 40 },
  )
  .map((rs) => rs.map((r, id) => ({ id, ...r })));

const scan = b.scan("csv", "t", schema, {});
const kept = b.filter(scan, { kind: "Binary", op: ">", left: col("q"), right: lit(-2, "int32") });
const withY = b.withColumns(kept, [{ name: "y", expr: { kind: "Binary", op: "*", left: col("q"), right: lit(2, "int32") } }]);
const dims = b.scan("csv", "d", schemaOf({ k: "utf8?", w: "int32" }), {});
const dimRows = [
  { k: "a", w: 1 },
  { k: "c", w: 3 },
  { k: "a", w: 10 },
  { k: "z", w: 26 },
  { k: null, w: 0 },
];
const joined = Object.fromEntries(
  (["inner", "left", "right", "full", "semi", "anti"] as const).map((how) => [`joined_${how}`, b.join(withY, dims, { kind: "using", columns: ["k"] }, how)]),
);
const plan = pipelineOf({
  ...joined,
  grouped: b.aggregate(withY, ["k"], [
    { name: "n", expr: agg("count") },
    { name: "s", expr: agg("sum", "y") },
    { name: "lo", expr: agg("min", "x") },
    { name: "hi", expr: agg("max", "x") },
    { name: "first_id", expr: agg("first", "id") },
    { name: "last_id", expr: agg("last", "id") },
  ]),
  total: b.aggregate(b.filter(scan, { kind: "Binary", op: ">", left: col("q"), right: lit(2, "int32") }), [], [{ name: "n", expr: agg("count") }, { name: "m", expr: agg("avg", "x") }]),
  limited: b.limit(withY, 5),
});

/** The rows cut into batches at `cuts` (positions, in any order). */
function batches(data: readonly Row[], cuts: readonly number[]): arrow.RecordBatch[] {
  const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((x, y) => x - y);
  const bounds = [0, ...at, data.length];
  return bounds.slice(1).map((end, i) => rowsToBatch(data.slice(bounds[i], end), schema));
}

async function outputs(table: arrow.RecordBatch[], partitions: number): Promise<Record<string, Row[]>> {
  const physical = planPhysical(plan, { partitions });
  const d = rowsToBatch(dimRows, dims.schema);
  return (await runPipeline(physical, { dataDir: "/nonexistent", currentDate: "2024-06-30", params: {}, out: () => {}, tables: { t: table, d } })).outputs;
}

describe("pipelines inside a task, batch by batch", () => {
  it("give the one-batch answer for any cut into batches and any partition count", async () => {
    await fc.assert(
      fc.asyncProperty(rows, fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom(1, 2, 3), async (data, cuts, partitions) => {
        const whole = await outputs([rowsToBatch(data, schema)], partitions);
        expect(await outputs(batches(data, cuts), partitions)).toEqual(whole);
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it("keeps the first of equal keys' rows across batches (first/last by input order)", async () => {
    const data = [0, 1, 2, 3, 4, 5].map((id) => ({ id, k: id % 2 === 0 ? "even" : "odd", x: 1, q: 0 }));
    const out = await outputs(batches(data, [1, 2, 3, 4, 5]), 1);
    expect(out.grouped?.map((r) => [r.k, r.first_id, r.last_id])).toEqual([
      ["even", 0, 4],
      ["odd", 1, 5],
    ]);
    expect(out.limited?.map((r) => r.id)).toEqual([0, 1, 2, 3, 4]);
  });
});
