import { describe, expect, it } from "vitest";
import { pruneColumns } from "../../../compiler/optimize/rules/prune-columns.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import { bin, gt0, keep, rewriteText, t1, t2, text } from "./tables.ts";

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

  it("narrows both sides of a join to the keys and the columns read above it", () => {
    const joined = b.join(t1, t2, { kind: "using", columns: ["k"] }, "inner");
    const out = rewriteText(pruneColumns, b.aggregate(joined, ["k"], [{ name: "total", expr: { kind: "Agg", fn: "sum", arg: col("w") } }]));
    expect(out).toContain("Join: how=inner on=[k] [k:utf8, w:float64]");
    expect(out).toContain('Scan: format=csv path="t1.csv" [k:utf8]');
    expect(out).toContain('Scan: format=csv path="t2.csv" [k:utf8, w:float64]');
  });

  it("keeps what a join condition reads, and a semi join's right side only for it", () => {
    const cond = b.join(t1, b.project(t2, [{ name: "k2", expr: col("k") }, { name: "w", expr: col("w") }]), { kind: "condition", predicate: bin("===", col("k", 0), col("k2", 1)) }, "semi");
    const out = rewriteText(pruneColumns, b.project(cond, keep(["a"])));
    expect(out).toContain("Join: how=semi on=(l.k === r.k2) [k:utf8, a:int32;N]");
    expect(out).toContain(`Scan: format=csv path="t2.csv" [k:utf8]`);
    expect(out).toContain("Project: exprs=[k AS k2] [k2:utf8]");
  });

  it("leaves a join whose every column is read", () => {
    const plan = b.join(t1, t2, { kind: "using", columns: ["k"] }, "left");
    expect(rewriteText(pruneColumns, plan)).toBe(text(plan));
  });
});
