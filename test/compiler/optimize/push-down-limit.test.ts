import { describe, expect, it } from "vitest";
import { pushDownLimit } from "../../../compiler/optimize/rules/push-down-limit.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import { keep, rewriteText, t1, text } from "./tables.ts";

describe("push_down_limit", () => {
  it("moves a limit below a projection, next to its sort", () => {
    const sorted = b.sort(t1, [{ expr: col("id"), descending: true, nullsFirst: false }]);
    const plan = b.limit(b.project(sorted, keep(["id", "k"])), 5);
    expect(rewriteText(pushDownLimit, plan)).toBe(text(b.project(b.limit(sorted, 5), keep(["id", "k"]))));
  });

  it("merges two limits into the smaller", () => {
    expect(rewriteText(pushDownLimit, b.limit(b.limit(t1, 3), 7))).toBe(text(b.limit(t1, 3)));
  });

  it("limits each branch of a union, and only once", () => {
    const u = b.union(t1, t1, false);
    const once = rewriteText(pushDownLimit, b.limit(u, 4));
    expect(once).toBe(text(b.limit(b.union(b.limit(t1, 4), b.limit(t1, 4), false), 4)));
    const limited = b.limit(b.union(b.limit(t1, 4), b.limit(t1, 2), false), 4);
    expect(rewriteText(pushDownLimit, limited)).toBe(text(limited));
  });

  it("does not move a limit below a filter", () => {
    const plan = b.limit(b.filter(t1, col("ok")), 5);
    expect(rewriteText(pushDownLimit, plan)).toBe(text(plan));
  });
});
