import { describe, expect, it } from "vitest";
import { applyRule } from "../../../compiler/optimize/optimizer.ts";
import { combineFilters } from "../../../compiler/optimize/rules/combine-filters.ts";
import * as b from "../../../plan/builder.ts";
import { formatLogicalPipeline } from "../../../plan/printer.ts";
import { gt0, rewriteText, t1, text } from "./tables.ts";

describe("combine_filters", () => {
  it("merges two adjacent filters, the inner predicate first", () => {
    const plan = b.filter(b.filter(t1, gt0("a")), gt0("id"));
    expect(rewriteText(combineFilters, plan)).toBe(text(b.filter(t1, { kind: "Logical", op: "&&", left: gt0("a"), right: gt0("id") })));
  });

  it("leaves a filter that another sink reads", () => {
    const inner = b.filter(t1, gt0("a"));
    const pipeline = {
      name: "t",
      params: [],
      sinks: [
        { kind: "Output" as const, input: b.filter(inner, gt0("id")), name: "a" },
        { kind: "Output" as const, input: inner, name: "b" },
      ],
    };
    expect(formatLogicalPipeline(applyRule(pipeline, combineFilters))).toBe(formatLogicalPipeline(pipeline));
  });
});
