import { describe, expect, it } from "vitest";
import { pruneColumns } from "../../../compiler/optimize/rules/prune-columns.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import { gt0, keep, rewriteText, t1, text } from "./tables.ts";

describe("prune_columns", () => {
  it("narrows a scan to the columns a projection and the filter below it read", () => {
    const out = rewriteText(pruneColumns, b.project(b.filter(t1, gt0("a")), keep(["k"])));
    expect(out).toContain('Scan: format=csv path="t1.csv" [k:utf8, a:int32;N]');
  });

  it("drops the columns of an inner projection nothing reads", () => {
    const inner = b.project(t1, keep(["id", "k", "a"]));
    const out = rewriteText(pruneColumns, b.aggregate(inner, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count", arg: col("a") } }]));
    expect(out).toContain("Project: exprs=[k, a] [k:utf8, a:int32;N]");
  });

  it("leaves a scan that the projection reads whole", () => {
    const plan = b.project(t1, keep(t1.schema.fields.map((f) => f.name).reverse()));
    expect(rewriteText(pruneColumns, plan)).toBe(text(plan));
  });
});
