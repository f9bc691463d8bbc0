import { describe, expect, it } from "vitest";
import { pushDownFilter } from "../../../compiler/optimize/rules/push-down-filter.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import type { JoinType } from "../../../plan/logical.ts";
import { bin, gt0, keep, logical, rewriteText, t1, t2, text } from "./tables.ts";

const onK = { kind: "using", columns: ["k"] } as const;
const wPositive = bin(">", col("w"), { kind: "Literal", value: 0, type: "int32" });
const both = logical("&&", gt0("a"), wPositive);

describe("push_down_filter", () => {
  it("moves a filter below a projection, renaming through it", () => {
    const renamed = b.project(t1, [{ name: "b", expr: col("a") }, { name: "id", expr: col("id") }]);
    const plan = b.filter(renamed, gt0("b"));
    expect(rewriteText(pushDownFilter, plan)).toBe(text(b.project(b.filter(t1, gt0("a")), renamed.exprs)));
  });

  it("keeps above a projection a conjunct on a computed column", () => {
    const computed = b.project(t1, [{ name: "x", expr: bin("+", col("id"), col("id")) }]);
    const plan = b.filter(computed, gt0("x"));
    expect(rewriteText(pushDownFilter, plan)).toBe(text(plan));
  });

  it("moves a filter below a sort and into every union branch", () => {
    const sorted = b.sort(t1, [{ expr: col("id"), descending: false, nullsFirst: true }]);
    expect(rewriteText(pushDownFilter, b.filter(sorted, gt0("a")))).toBe(text(b.sort(b.filter(t1, gt0("a")), sorted.keys)));
    const left = b.project(t1, keep(["id"]));
    const right = b.project(t1, [{ name: "a2", expr: col("a") }]);
    const u = b.union(left, b.project(right, [{ name: "a2", expr: col("a2") }]), false);
    const out = rewriteText(pushDownFilter, b.filter(u, gt0("id")));
    expect(out.split("\n")[0]).toMatch(/^Union/);
    expect(out).toContain("Filter: predicate=(id > 0)");
    expect(out).toContain("Filter: predicate=(a2 > 0)");
  });

  it("splits conjuncts between the sides of an inner join", () => {
    const plan = b.filter(b.join(t1, t2, onK, "inner"), both);
    expect(rewriteText(pushDownFilter, plan)).toBe(text(b.join(b.filter(t1, gt0("a")), b.filter(t2, wPositive), onK, "inner")));
  });

  it("filters both sides of an inner join on a key-only conjunct", () => {
    const kIsX = bin("===", col("k"), { kind: "Literal", value: "x", type: "utf8" });
    const plan = b.filter(b.join(t1, t2, onK, "inner"), kIsX);
    expect(rewriteText(pushDownFilter, plan)).toBe(text(b.join(b.filter(t1, kIsX), b.filter(t2, kIsX), onK, "inner")));
  });

  it("pushes only into the preserved side of an outer join, and not at all for a full join", () => {
    const cases: [JoinType, string][] = [
      ["left", text(b.filter(b.join(b.filter(t1, gt0("a")), t2, onK, "left"), wPositive))],
      ["right", text(b.filter(b.join(t1, b.filter(t2, wPositive), onK, "right"), gt0("a")))],
    ];
    for (const [how, expected] of cases) expect(rewriteText(pushDownFilter, b.filter(b.join(t1, t2, onK, how), both))).toBe(expected);
    const full = b.filter(b.join(t1, t2, onK, "full"), both);
    expect(rewriteText(pushDownFilter, full)).toBe(text(full));
  });

  it("moves a filter on grouping keys below an aggregate, but not one on an aggregate", () => {
    const agg = b.aggregate(t1, ["k", "a"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]);
    expect(rewriteText(pushDownFilter, b.filter(agg, gt0("a")))).toBe(text(b.aggregate(b.filter(t1, gt0("a")), ["k", "a"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }])));
    const onCount = b.filter(agg, gt0("n"));
    expect(rewriteText(pushDownFilter, onCount)).toBe(text(onCount));
  });

  it("does not move a filter below a limit", () => {
    const plan = b.filter(b.limit(t1, 3), gt0("a"));
    expect(rewriteText(pushDownFilter, plan)).toBe(text(plan));
  });
});
