import type { LogicalPlan } from "../../../plan/logical.ts";
import { sameExpr, splitConjuncts } from "../conjuncts.ts";
import type { OptimizerRule } from "../rule.ts";

/**
 * Hands the conjuncts of a filter right above a scan to the reader, which may use them to skip
 * rows and row groups. The filter stays: a reader may skip, it need not filter exactly.
 * A scan other parents read unfiltered keeps its filters.
 */
export const pushDownFilterIntoScan: OptimizerRule = {
  name: "push_down_filter_into_scan",
  rewrite: (p: LogicalPlan, ctx) => {
    if (p.kind !== "Filter" || p.input.kind !== "Scan" || ctx.isShared(p.input)) return p;
    const scan = p.input;
    const added = splitConjuncts(p.predicate).filter((c) => !scan.filters.some((f) => sameExpr(f, c)));
    if (added.length === 0) return p;
    return { ...p, input: { ...scan, filters: [...scan.filters, ...added] } };
  },
};
