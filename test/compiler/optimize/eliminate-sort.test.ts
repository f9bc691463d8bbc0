import { describe, expect, it } from "vitest";
import { eliminateSort } from "../../../compiler/optimize/rules/eliminate-sort.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import { rewriteText, t1, t2, text } from "./tables.ts";

const sorted = b.sort(t1, [{ expr: col("id"), descending: false, nullsFirst: true }]);

describe("eliminate_sort", () => {
  it("removes a sort below an aggregate and below a join", () => {
    const agg = b.aggregate(sorted, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]);
    expect(rewriteText(eliminateSort, agg)).toBe(text(b.aggregate(t1, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }])));
    const join = b.join(sorted, t2, { kind: "using", columns: ["k"] }, "inner");
    expect(rewriteText(eliminateSort, join)).toBe(text(b.join(t1, t2, { kind: "using", columns: ["k"] }, "inner")));
  });

  it("keeps a sort that first() observes, and a sort under a limit", () => {
    const agg = b.aggregate(sorted, ["k"], [{ name: "f", expr: { kind: "Agg", fn: "first", arg: col("id") } }]);
    expect(rewriteText(eliminateSort, agg)).toBe(text(agg));
    const top = b.limit(sorted, 3);
    expect(rewriteText(eliminateSort, top)).toBe(text(top));
  });
});
