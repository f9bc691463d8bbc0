import { describe, expect, it } from "vitest";
import { explainPipeline } from "../../cli/explain.ts";
import * as b from "../../plan/builder.ts";
import { col, lit } from "../../plan/expr.ts";
import type { PipelinePlan } from "../../plan/logical.ts";

const t = b.scan("csv", "t.csv", { fields: [{ name: "id", type: "int32", nullable: false }, { name: "k", type: "utf8", nullable: true }] }, {});
const plan: PipelinePlan = {
  name: "p",
  params: [],
  sinks: [{ kind: "Output", name: "out", input: b.filter(b.project(t, [{ name: "id", expr: col("id") }]), { kind: "Binary", op: ">", left: col("id"), right: lit(3, "int32") }) }],
};

describe("tsdf explain", () => {
  it("prints the optimized plan, the physical plan of it, and the rules fired", () => {
    const text = explainPipeline(plan, "text", 2);
    expect(text).toContain("== rules fired ==\npush_down_filter x1\npush_down_filter_into_scan x1\nprune_columns x1\neliminate_projection x1");
    expect(text).toMatch(/ScanExec: format=csv path="t.csv" columns=\[id\] filters=\[\(id > 3\)\]/);
    expect(text).not.toContain("== after");
  });

  it("prints the plan after each rule with --verbose, and skips disabled rules", () => {
    const text = explainPipeline(plan, "text", 2, { verbose: true, disabledRules: ["prune_columns"] });
    expect(text).toContain("== after push_down_filter (1) ==");
    expect(text).not.toContain("prune_columns");
  });
});
