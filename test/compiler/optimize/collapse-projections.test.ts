import { describe, expect, it } from "vitest";
import { collapseProjections } from "../../../compiler/optimize/rules/collapse-projections.ts";
import * as b from "../../../plan/builder.ts";
import { col, lit } from "../../../plan/expr.ts";
import { bin, rewriteText, t1, text } from "./tables.ts";

const doubled = b.project(t1, [
  { name: "x", expr: bin("+", col("id"), col("id")) },
  { name: "k", expr: col("k") },
]);

describe("collapse_projections", () => {
  it("inlines an inner expression used once, and renamed columns", () => {
    const plan = b.project(doubled, [
      { name: "y", expr: bin("-", col("x"), lit(1, "int32")) },
      { name: "k2", expr: col("k") },
      { name: "k3", expr: col("k") },
    ]);
    const expected = b.project(t1, [
      { name: "y", expr: bin("-", bin("+", col("id"), col("id")), lit(1, "int32")) },
      { name: "k2", expr: col("k") },
      { name: "k3", expr: col("k") },
    ]);
    expect(rewriteText(collapseProjections, plan)).toBe(text(expected));
  });

  it("does not compute a non-trivial expression twice", () => {
    const plan = b.project(doubled, [{ name: "y", expr: bin("*", col("x"), col("x")) }]);
    expect(rewriteText(collapseProjections, plan)).toBe(text(plan));
  });
});
