import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { type Expr, col, lit } from "../../../plan/expr.ts";
import type { LogicalPlan } from "../../../plan/logical.ts";
import type { PhysicalPlan } from "../../../plan/physical.ts";
import { physicalInputs } from "../../../plan/physical.ts";
import { type Row, runPipeline } from "../../../runtime/driver.ts";
import { pipelineOf, table } from "../../runtime/exec/fixtures.ts";

const facts = table("facts.csv", { k: "int32?", g: "utf8", amount: "float64" }, Array.from({ length: 40 }, (_, i) => ({ k: i % 6 === 5 ? null : i % 7, g: `g${i % 3}`, amount: i })));
const dims = table("dims.csv", { k: "int32?", label: "utf8" }, Array.from({ length: 8 }, (_, i) => ({ k: i, label: `d${i % 2}` })));

const joined = (how: "inner" | "left" | "full" = "inner") => b.join(facts.scan, dims.scan, { kind: "using", columns: ["k"] }, how);
const sum = (name: string, arg: Expr) => ({ name, expr: { kind: "Agg", fn: "sum", arg } as Expr });
const root = (plan: LogicalPlan): PhysicalPlan => (planPhysical(pipelineOf({ out: plan }), { partitions: 4 }).sinks[0] as { input: PhysicalPlan }).input;
/** Node kinds top-down along first inputs, with modes. */
const spine = (p: PhysicalPlan): string[] => [p.kind + ("mode" in p ? `(${p.mode})` : ""), ...(physicalInputs(p)[0] ? spine(physicalInputs(p)[0] as PhysicalPlan) : [])];

describe("exchanges an input's partitioning makes unnecessary", () => {
  it("aggregates a join's output in one step when the grouping keys include the join keys", () => {
    const p = root(b.aggregate(joined(), ["k", "label"], [sum("total", col("amount"))]));
    expect(spine(p).slice(0, 2)).toEqual(["HashAggregateExec(single)", "HashJoinExec(partitioned)"]);
  });

  it("follows a join key through a rename, not through a computed column", () => {
    const renamed = b.project(joined(), [{ name: "kk", expr: col("k") }, { name: "amount", expr: col("amount") }]);
    expect(spine(root(b.aggregate(renamed, ["kk"], [sum("total", col("amount"))])))[0]).toBe("HashAggregateExec(single)");
    const computed = b.project(joined(), [{ name: "k", expr: { kind: "Binary", op: "+", left: col("k"), right: lit(1, "int32") } }, { name: "amount", expr: col("amount") }]);
    expect(spine(root(b.aggregate(computed, ["k"], [sum("total", col("amount"))]))).slice(0, 3)).toEqual(["HashAggregateExec(final)", "RepartitionExec", "HashAggregateExec(partial)"]);
  });

  it("still exchanges when the grouping keys leave out a join key", () => {
    expect(spine(root(b.aggregate(joined(), ["label"], [sum("total", col("amount"))]))).slice(0, 3)).toEqual(["HashAggregateExec(final)", "RepartitionExec", "HashAggregateExec(partial)"]);
  });

  it("joins an aggregate's output on its grouping keys without exchanging it again", () => {
    const totals = b.aggregate(facts.scan, ["k"], [sum("total", col("amount"))]);
    const p = root(b.join(totals, dims.scan, { kind: "using", columns: ["k"] }, "inner"));
    if (p.kind !== "HashJoinExec") throw new Error(p.kind);
    expect([p.left.kind, p.right.kind]).toEqual(["HashAggregateExec", "RepartitionExec"]);
  });

  it("keeps distinct rows of a join's output by its keys without an exchange", () => {
    expect(spine(root(b.distinct(joined(), ["k"]))).slice(0, 2)).toEqual(["DistinctExec", "HashJoinExec(partitioned)"]);
  });

  it("gives the rows a single partition gives", async () => {
    const plans = [
      b.aggregate(joined("full"), ["k", "label"], [sum("total", col("amount"))]),
      b.aggregate(joined("left"), ["k"], [sum("total", col("amount"))]),
      b.distinct(joined("inner"), ["k"]),
      b.join(b.aggregate(facts.scan, ["k"], [sum("total", col("amount"))]), dims.scan, { kind: "using", columns: ["k"] }, "full"),
    ];
    const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();
    for (const plan of plans) {
      const run = async (partitions: number) =>
        (await runPipeline(planPhysical(pipelineOf({ out: plan }), { partitions }), { dataDir: "/nonexistent", currentDate: "2024-06-30", params: {}, tables: { "facts.csv": facts.batch, "dims.csv": dims.batch } })).outputs.out as Row[];
      const one = await run(1);
      expect(one.length).toBeGreaterThan(0);
      expect(sorted(await run(4))).toEqual(sorted(one));
    }
  });
});
