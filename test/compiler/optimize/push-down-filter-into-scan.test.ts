import { describe, expect, it } from "vitest";
import { pushDownFilterIntoScan } from "../../../compiler/optimize/rules/push-down-filter-into-scan.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import { gt0, logical, rewriteText, t1, text } from "./tables.ts";

describe("push_down_filter_into_scan", () => {
  it("gives the reader the filter's conjuncts and keeps the filter", () => {
    const out = rewriteText(pushDownFilterIntoScan, b.filter(t1, logical("&&", gt0("a"), col("ok"))));
    expect(out).toContain('Scan: format=csv path="t1.csv" filters=[(a > 0), ok]');
    expect(out.split("\n")[0]).toMatch(/^Filter: predicate=\(\(a > 0\) && ok\)/);
  });

  it("does nothing where no filter sits on the scan", () => {
    const plan = b.filter(b.project(t1, [{ name: "a", expr: col("a") }]), gt0("a"));
    expect(rewriteText(pushDownFilterIntoScan, plan)).toBe(text(plan));
  });
});
