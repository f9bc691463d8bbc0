import { describe, expect, it } from "vitest";
import { optimize, RULE_NAMES, rulesFired } from "../../../compiler/optimize/optimizer.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import type { PipelinePlan } from "../../../plan/logical.ts";
import { formatLogicalPipeline } from "../../../plan/printer.ts";
import { gt0, keep, t1, t2 } from "./tables.ts";

const joined = b.join(b.project(t1, keep(["id", "k", "a", "s"])), t2, { kind: "using", columns: ["k"] }, "inner");
const plan: PipelinePlan = {
  name: "t",
  params: [],
  sinks: [
    { kind: "Output", input: b.project(b.filter(b.filter(joined, gt0("a")), gt0("w")), keep(["id", "w"])), name: "out" },
    { kind: "Output", input: b.aggregate(joined, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]), name: "counts" },
  ],
};

describe("optimizer", () => {
  it("keeps every sink's schema and records the rules that fired", () => {
    const { plan: out, trace } = optimize(plan);
    expect(out.sinks.map((s) => s.input.schema)).toEqual(plan.sinks.map((s) => s.input.schema));
    expect([...rulesFired(trace).keys()]).toEqual(["combine_filters", "prune_columns", "eliminate_projection"]);
    expect(trace.at(-1)?.plan).toBe(formatLogicalPipeline(out));
  });

  it("keeps a shared sub-plan one shared node", () => {
    const { plan: out } = optimize(plan);
    const text = formatLogicalPipeline(out);
    expect(text).toMatch(/-> see #\d \(Join\)/);
    // A filter for one sink does not move into the join the other sink reads unfiltered.
    expect(text).toMatch(/Filter: predicate=\(\(a > 0\) && \(w > 0\)\).*\n\s+Join #1/);
  });

  it("runs no disabled rule, and rejects an unknown rule name with the list", () => {
    const { trace } = optimize(plan, { disabledRules: ["push_down_filter"] });
    expect(trace.some((t) => t.rule === "push_down_filter")).toBe(false);
    expect(() => optimize(plan, { disabledRules: ["push_down_everything"] })).toThrow(/no optimizer rule is named 'push_down_everything'/);
    expect(RULE_NAMES).toContain("prune_columns");
  });

  it("changes nothing in a plan no rule applies to", () => {
    const simple: PipelinePlan = { name: "t", params: [], sinks: [{ kind: "Output", input: b.project(t1, [{ name: "k", expr: col("k") }, { name: "id", expr: col("id") }]), name: "out" }] };
    const { plan: out, trace } = optimize(simple);
    expect(trace.filter((t) => t.rule !== "prune_columns")).toEqual([]);
    expect(out.sinks[0]?.input.schema).toEqual(simple.sinks[0]?.input.schema);
  });
});
