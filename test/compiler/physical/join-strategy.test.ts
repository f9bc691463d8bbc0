import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import type { JoinType, LogicalPlan } from "../../../plan/logical.ts";
import type { PhysicalPlan } from "../../../plan/physical.ts";
import { formatPhysicalPipeline } from "../../../plan/printer.ts";
import { type Row, runPipeline } from "../../../runtime/driver.ts";
import { pipelineOf, table } from "../../runtime/exec/fixtures.ts";

const facts = table("facts.csv", { k: "int32?", amount: "float64" }, Array.from({ length: 30 }, (_, i) => ({ k: i % 7 === 6 ? null : i % 9, amount: i })));
const dims = table("dims.csv", { k: "int32?", label: "utf8" }, [...Array.from({ length: 6 }, (_, i) => ({ k: i, label: `d${i}` })), { k: null, label: "none" }, { k: 20, label: "far" }]);

const MiB = 1 << 20;
/** Input sizes as a run would stat them: facts is large, dims small. */
const sizes = new Map([
  ["facts.csv", 500 * MiB],
  ["dims.csv", 64 * 1024],
]);

const joinOf = (how: Exclude<JoinType, "cross">, left = facts.scan, right = dims.scan): LogicalPlan => b.join(left, right, { kind: "using", columns: ["k"] }, how);

function planned(plan: LogicalPlan, inputBytes: ReadonlyMap<string, number> = sizes, partitions = 4): PhysicalPlan {
  return (planPhysical(pipelineOf({ out: plan }), { partitions, inputBytes }).sinks[0] as { input: PhysicalPlan }).input;
}

/** The hash join of a plan (under the projection a swapped join gets). */
function hashJoin(p: PhysicalPlan) {
  const j = p.kind === "ProjectionExec" ? p.input : p;
  if (j.kind !== "HashJoinExec") throw new Error(`expected a hash join, got ${j.kind}`);
  return { join: j, swapped: p.kind === "ProjectionExec", probe: j.left.kind === "RepartitionExec" ? j.left.input : j.left, build: j.right.kind === "RepartitionExec" ? j.right.input : j.right };
}

const pathOf = (p: PhysicalPlan) => (p.kind === "ScanExec" ? p.path : p.kind);

/** A join on `k < dk` (or a cross join), the second side's columns renamed apart. */
function condJoin(how: JoinType, left = facts.scan, right = dims.scan): LogicalPlan {
  const renamed = (t: LogicalPlan) => b.project(t, t.schema.fields.map((f) => ({ name: `r_${f.name}`, expr: col(f.name) })));
  const on = how === "cross" ? null : ({ kind: "condition", predicate: { kind: "Binary", op: "<", left: col("k", 0), right: col("r_k", 1) } } as const);
  return b.join(left, renamed(right), on, how);
}

describe("join strategy", () => {
  it("broadcasts a small right side of an inner join and leaves the left side's partitions alone", () => {
    const { join, swapped, probe, build } = hashJoin(planned(joinOf("inner")));
    expect([join.mode, join.how, swapped, pathOf(probe), pathOf(build)]).toEqual(["broadcast", "inner", false, "facts.csv", "dims.csv"]);
    expect(join.left.kind).toBe("ScanExec");
    expect(join.partitions).toBe(4);
  });

  it("broadcasts a small left side of an inner or right join by swapping the sides, keeping the column order", () => {
    for (const [how, swappedHow] of [["inner", "inner"], ["right", "left"]] as const) {
      const p = planned(joinOf(how, dims.scan, facts.scan));
      const { join, swapped, build } = hashJoin(p);
      expect([join.mode, join.how, swapped, pathOf(build)]).toEqual(["broadcast", swappedHow, true, "dims.csv"]);
      expect(p.schema).toEqual(joinOf(how, dims.scan, facts.scan).schema);
    }
  });

  it("never broadcasts the side whose unmatched rows the join keeps", () => {
    // left join, small left: the left's unmatched rows are output, so it is hash-partitioned and built (the smaller side).
    const left = hashJoin(planned(joinOf("left", dims.scan, facts.scan)));
    expect([left.join.mode, left.join.how, left.swapped, pathOf(left.build)]).toEqual(["partitioned", "right", true, "dims.csv"]);
    const full = hashJoin(planned(joinOf("full")));
    expect([full.join.mode, full.join.how, full.swapped, pathOf(full.build)]).toEqual(["partitioned", "full", false, "dims.csv"]);
    // semi and anti joins cannot swap: the small left side is the probe side of a shuffled join.
    const semi = hashJoin(planned(joinOf("semi", dims.scan, facts.scan)));
    expect([semi.join.mode, semi.swapped, pathOf(semi.build)]).toEqual(["partitioned", false, "facts.csv"]);
  });

  it("builds the smaller side of a shuffled join and keeps the plan when sizes are unknown or large", () => {
    const big = new Map([
      ["facts.csv", 500 * MiB],
      ["dims.csv", 50 * MiB],
    ]);
    const smaller = hashJoin(planned(joinOf("inner", dims.scan, facts.scan), big));
    expect([smaller.join.mode, smaller.swapped, pathOf(smaller.build)]).toEqual(["partitioned", true, "dims.csv"]);
    const unknown = hashJoin(planned(joinOf("inner", dims.scan, facts.scan), new Map()));
    expect([unknown.join.mode, unknown.swapped, pathOf(unknown.build)]).toEqual(["partitioned", false, "facts.csv"]);
    const single = hashJoin(planned(joinOf("inner"), sizes, 1));
    expect(single.join.mode).toBe("partitioned");
  });

  it("estimates sizes through the plan: a small aggregate or limit of a large input is broadcast", () => {
    const counted = b.aggregate(facts.scan, [], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]);
    const crossed = b.join(facts.scan, b.withColumns(counted, []), null, "cross");
    expect(planned(crossed).kind).toBe("NestedLoopJoinExec");
    const few = b.limit(b.project(facts.scan, [{ name: "k", expr: { kind: "Column", name: "k" } }]), 10);
    const { join } = hashJoin(planned(b.join(facts.scan, few, { kind: "using", columns: ["k"] }, "semi")));
    expect(join.mode).toBe("broadcast");
  });

  it("broadcasts a small left side of a condition join by swapping the sides: a right join is no longer gathered into one partition", () => {
    const cond = condJoin("right", dims.scan, facts.scan);
    const p = planned(cond);
    if (p.kind !== "ProjectionExec" || p.input.kind !== "NestedLoopJoinExec") throw new Error(p.kind);
    expect([p.input.how, p.input.mode, p.input.partitions, pathOf(p.input.right)]).toEqual(["left", "broadcast", 4, "dims.csv"]);
    expect(p.schema).toEqual(cond.schema);
    expect(planned(condJoin("right", dims.scan, facts.scan), new Map())).toMatchObject({ kind: "NestedLoopJoinExec", mode: "single", partitions: 1 });
    expect(planned(condJoin("inner"))).toMatchObject({ kind: "NestedLoopJoinExec", mode: "broadcast" });
  });

  it("explain shows the strategy", () => {
    const text = formatPhysicalPipeline(planPhysical(pipelineOf({ out: joinOf("right", dims.scan, facts.scan) }), { partitions: 4, inputBytes: sizes }));
    expect(text).toContain("ProjectionExec: exprs=[k, label, amount]");
    expect(text).toContain("HashJoinExec: how=left keys=[k] mode=broadcast build=right");
  });

  it("every strategy gives the same rows", async () => {
    const sortRows = (rows: Row[]) => rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
    const run = async (plan: LogicalPlan, inputBytes: ReadonlyMap<string, number>) =>
      (
        await runPipeline(planPhysical(pipelineOf({ out: plan }), { partitions: 3, inputBytes }), {
          dataDir: "/nonexistent",
          currentDate: "2024-06-30",
          params: {},
          tables: { "facts.csv": facts.batch, "dims.csv": dims.batch },
        })
      ).outputs.out as Row[];
    const strategies = [new Map(), sizes, new Map([["facts.csv", 10], ["dims.csv", 20 * MiB]]), new Map([["facts.csv", 30 * MiB], ["dims.csv", 20 * MiB]])];
    for (const how of ["inner", "left", "right", "full", "semi", "anti"] as const) {
      for (const [l, r] of [[facts, dims], [dims, facts]]) {
        const plan = joinOf(how, l?.scan, r?.scan);
        const results = await Promise.all(strategies.map((s) => run(plan, s)));
        const expected = sortRows(results[0] as Row[]);
        expect(expected.length).toBeGreaterThan(0);
        for (const rows of results) expect(sortRows(rows)).toEqual(expected);
        expect(Object.keys((results[1] as Row[])[0] as Row)).toEqual(plan.schema.fields.map((f) => f.name));
      }
    }
    for (const how of ["inner", "left", "right", "full", "cross"] as const) {
      for (const [l, r] of [[facts, dims], [dims, facts]]) {
        const plan = condJoin(how, l?.scan, r?.scan);
        const results = await Promise.all(strategies.map((s) => run(plan, s)));
        for (const rows of results) expect(sortRows(rows)).toEqual(sortRows(results[0] as Row[]));
      }
    }
  });
});
