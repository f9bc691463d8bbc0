import type { LogicalPlan } from "../../../plan/logical.ts";
import type { OptimizerRule } from "../rule.ts";

/**
 * `filter(a).filter(b)` becomes `filter(a && b)`: a row survives both exactly when `a && b` is
 * truthy, and `&&` still evaluates `a` first. A filter another parent reads is left alone.
 */
export const combineFilters: OptimizerRule = {
  name: "combine_filters",
  rewrite: (p: LogicalPlan, ctx) => {
    if (p.kind !== "Filter" || p.input.kind !== "Filter" || ctx.isShared(p.input)) return p;
    const inner = p.input;
    return { ...p, input: inner.input, predicate: { kind: "Logical", op: "&&", left: inner.predicate, right: p.predicate }, schema: inner.input.schema };
  },
};
