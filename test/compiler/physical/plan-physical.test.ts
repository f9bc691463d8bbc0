import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col, lit } from "../../../plan/expr.ts";
import type { LogicalPlan, PipelinePlan } from "../../../plan/logical.ts";
import type { PhysicalPlan } from "../../../plan/physical.ts";
import { physicalInputs } from "../../../plan/physical.ts";

const schema = { fields: [
  { name: "k", type: "utf8", nullable: true },
  { name: "x", type: "float64", nullable: false },
] } as const;
const t1 = b.scan("csv", "a.csv", schema, {});
const t2 = b.scan("csv", "b.csv", { fields: [{ name: "k", type: "utf8", nullable: true }, { name: "w", type: "int32", nullable: false }] }, {});

const out = (input: LogicalPlan): PipelinePlan => ({ name: "p", params: [], sinks: [{ kind: "Output", input, name: "o" }] });
const root = (input: LogicalPlan, partitions = 4): PhysicalPlan => {
  const s = planPhysical(out(input), { partitions }).sinks[0];
  if (!s) throw new Error("no sink");
  return s.input;
};
/** Node kinds top-down along first inputs. */
const spine = (p: PhysicalPlan): string[] => [p.kind + ("mode" in p ? `(${p.mode})` : ""), ...(physicalInputs(p)[0] ? spine(physicalInputs(p)[0] as PhysicalPlan) : [])];

describe("planPhysical", () => {
  it("plans a grouped aggregate as partial, hash exchange, final", () => {
    const p = root(b.aggregate(t1, ["k"], [{ name: "s", expr: { kind: "Agg", fn: "sum", arg: col("x") } }]));
    expect(spine(p)).toEqual(["HashAggregateExec(final)", "RepartitionExec", "HashAggregateExec(partial)", "ScanExec"]);
    expect(p.partitions).toBe(4);
  });

  it("plans a global aggregate as partial, single partition, final", () => {
    const p = root(b.aggregate(t1, [], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]));
    expect(spine(p)).toEqual(["HashAggregateExec(final)", "RepartitionExec", "HashAggregateExec(partial)", "ScanExec"]);
    expect(p.partitions).toBe(1);
  });

  it("uses a single aggregate when the input has one partition", () => {
    expect(spine(root(b.aggregate(t1, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]), 1))).toEqual(["HashAggregateExec(single)", "ScanExec"]);
  });

  it("hash-partitions both sides of a join on names", () => {
    const p = root(b.join(t1, t2, { kind: "using", columns: ["k"] }, "inner"));
    if (p.kind !== "HashJoinExec") throw new Error(p.kind);
    expect(p.mode).toBe("partitioned");
    for (const side of [p.left, p.right]) {
      expect(side.kind).toBe("RepartitionExec");
      if (side.kind === "RepartitionExec") expect(side.partitioning).toEqual({ kind: "hash", exprs: [col("k")], count: 4 });
    }
  });

  it("broadcasts the right side of an inner condition join, gathers both sides of a full one", () => {
    const r2 = b.project(t2, [{ name: "k2", expr: col("k") }]);
    const cond = { kind: "condition", predicate: { kind: "Binary", op: "===", left: col("k", 0), right: col("k2", 1) } } as const;
    const inner = root(b.join(t1, r2, cond, "inner"));
    expect(inner).toMatchObject({ kind: "NestedLoopJoinExec", mode: "broadcast", partitions: 4 });
    const full = root(b.join(t1, r2, cond, "full"));
    expect(full).toMatchObject({ kind: "NestedLoopJoinExec", mode: "single", partitions: 1 });
    if (full.kind === "NestedLoopJoinExec") expect([full.left.kind, full.right.kind]).toEqual(["RepartitionExec", "RepartitionExec"]);
  });

  it("sorts in one partition and turns limit-after-sort into a top-N sort", () => {
    const sorted = b.sort(t1, [{ expr: col("x"), descending: true, nullsFirst: false }]);
    expect(spine(root(sorted))).toEqual(["SortExec", "RepartitionExec", "ScanExec"]);
    const top = root(b.limit(sorted, 3));
    expect(top).toMatchObject({ kind: "SortExec", fetch: 3, partitions: 1 });
    expect(spine(top)).toEqual(["SortExec", "RepartitionExec", "SortExec", "ScanExec"]);
    expect(spine(root(b.limit(t1, 3)))).toEqual(["GlobalLimitExec", "RepartitionExec", "LocalLimitExec", "ScanExec"]);
  });

  it("plans distinct as local distinct, hash exchange, distinct", () => {
    expect(spine(root(b.distinct(t1, ["k"])))).toEqual(["DistinctExec", "RepartitionExec", "DistinctExec", "ScanExec"]);
  });

  it("maps a shared logical node to one physical node", () => {
    const shared = b.filter(t1, { kind: "Binary", op: ">", left: col("x"), right: lit(0, "int32") });
    const plan: PipelinePlan = {
      name: "p",
      params: [],
      sinks: [
        { kind: "Output", input: shared, name: "a" },
        { kind: "Output", input: b.union(shared, shared, false), name: "b" },
      ],
    };
    const phys = planPhysical(plan, { partitions: 3 });
    const [a, u] = phys.sinks.map((s) => s.input);
    if (u?.kind !== "UnionExec") throw new Error("expected a union");
    expect(u.inputs[0]).toBe(a);
    expect(u.inputs[1]).toBe(a);
    expect(u.partitions).toBe(6);
    const ids = new Set<number>();
    const visit = (p: PhysicalPlan): void => {
      ids.add(p.id);
      for (const c of physicalInputs(p)) visit(c);
    };
    for (const s of phys.sinks) visit(s.input);
    expect(ids.size).toBe(3);
  });
});
