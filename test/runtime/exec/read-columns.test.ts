import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col, type Expr, lit } from "../../../plan/expr.ts";
import { type PhysicalPlan, physicalInputs } from "../../../plan/physical.ts";
import { readColumns } from "../../../runtime/exec/task.ts";
import { agg, pipelineOf, table } from "./fixtures.ts";

const t = table("t", { k: "utf8", x: "float64", q: "int32", note: "utf8", d: "date32" }, []);
const gt = (l: Expr, r: Expr): Expr => ({ kind: "Binary", op: ">", left: l, right: r });

/** The first node of `kind` under (or at) `root`. */
function find(root: PhysicalPlan, kind: PhysicalPlan["kind"]): PhysicalPlan {
  if (root.kind === kind) return root;
  for (const c of physicalInputs(root)) {
    const found = find(c, kind);
    if (found) return found;
  }
  return undefined as unknown as PhysicalPlan;
}

/** The names of the columns a stage rooted at `root` decodes of its scan. */
function decoded(root: PhysicalPlan): string[] | "all" {
  const scan = find(root, "ScanExec");
  const cols = readColumns(root, (id) => id === scan.id).get(scan.id);
  return cols === null || cols === undefined ? "all" : [...cols].sort((x, y) => x - y).map((k) => scan.schema.fields[k]?.name ?? "?");
}

describe("the columns a task decodes of its inputs", () => {
  it("are what its filters, projections and aggregates read", () => {
    const plan = b.aggregate(
      b.project(b.filter(t.scan, gt(col("q"), lit(2, "int32"))), [
        { name: "k", expr: col("k") },
        { name: "y", expr: { kind: "Binary", op: "*", left: col("x"), right: lit(2, "float64") } },
      ]),
      ["k"],
      [{ name: "s", expr: agg("sum", "y") }],
    );
    const physical = planPhysical(pipelineOf({ out: plan }), { partitions: 2 });
    // The map stage: the partial aggregate above the filter and projection, over the scan.
    const partial = (find(physical.sinks[0]?.input as PhysicalPlan, "RepartitionExec") as { input: PhysicalPlan }).input;
    // Not note or d: no operator of the stage reads them.
    expect(decoded(partial)).toEqual(["k", "x", "q"]);
  });

  it("are a hash join's keys and the columns read of its output", () => {
    const other = table("o", { k: "utf8", w: "int32", z: "float64" }, []);
    const joined = b.join(t.scan, other.scan, { kind: "using", columns: ["k"] }, "inner");
    const plan = b.aggregate(joined, [], [{ name: "s", expr: agg("sum", "z") }, { name: "m", expr: agg("max", "q") }]);
    const physical = planPhysical(pipelineOf({ out: plan }), { partitions: 2 });
    const join = find(physical.sinks[0]?.input as PhysicalPlan, "HashJoinExec") as PhysicalPlan & { left: PhysicalPlan; right: PhysicalPlan };
    const partial = find(physical.sinks[0]?.input as PhysicalPlan, "RepartitionExec") as { input: PhysicalPlan };
    const reads = readColumns(partial.input, (id) => id === join.left.id || id === join.right.id);
    const names = (node: PhysicalPlan, id = node.id) => [...(reads.get(id) ?? [])].sort((x, y) => x - y).map((k) => node.schema.fields[k]?.name);
    expect(names(join.left)).toEqual(["k", "q"]);
    expect(names(join.right)).toEqual(["k", "z"]);
    // The join makes q and z only: not its key, nor x, note, d or w.
    expect(names(join)).toEqual(["q", "z"]);
  });

  it("are, for an aggregate, the columns read of its output: a key no one reads is never made", () => {
    const inner = b.aggregate(t.scan, ["k", "q"], [{ name: "s", expr: agg("sum", "x") }, { name: "n", expr: agg("count") }]);
    const plan = b.aggregate(inner, [], [{ name: "total", expr: agg("sum", "s") }, { name: "m", expr: agg("max", "q") }]);
    const physical = planPhysical(pipelineOf({ out: plan }), { partitions: 1 });
    const root = physical.sinks[0]?.input as PhysicalPlan;
    const scan = find(root, "ScanExec");
    const lower = find((root as { input: PhysicalPlan }).input, "HashAggregateExec");
    const reads = readColumns(root, (id) => id === scan.id);
    // The outer aggregate reads q (a key) and s of the inner one's output [k, q, s, n].
    expect([...(reads.get(lower.id) ?? [])].sort()).toEqual([1, 2]);
    expect(reads.get(root.id)).toBeNull();
  });

  it("are all of them under a join or a sort", () => {
    const other = table("o", { k: "utf8", w: "int32" }, []);
    const joined = b.join(t.scan, other.scan, { kind: "using", columns: ["k"] }, "inner");
    const sorted = b.sort(t.scan, [{ expr: col("q"), descending: false, nullsFirst: true }]);
    const physical = planPhysical(pipelineOf({ j: joined, s: sorted }), { partitions: 2 });
    for (const kind of ["HashJoinExec", "SortExec"] as const) {
      const root = physical.sinks.map((sink) => find(sink.input, kind)).find((n) => n !== undefined) as PhysicalPlan;
      // The stage's inputs: the exchanges under it.
      const inputs = physicalInputs(root);
      expect(inputs.every((n) => n.kind === "RepartitionExec")).toBe(true);
      const reads = readColumns(root, (id) => inputs.some((n) => n.id === id));
      expect(inputs.map((n) => reads.get(n.id))).toEqual(inputs.map(() => null));
    }
  });
});
