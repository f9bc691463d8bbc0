import type { LogicalPlan } from "../../../plan/logical.ts";
import type { OptimizerRule } from "../rule.ts";

/**
 * A sort right below an aggregate or a join is not observed: neither keeps its input's order
 * (as in Spark). An aggregate with `first`/`last` does observe it, so that sort stays.
 */
export const eliminateSort: OptimizerRule = {
  name: "eliminate_sort",
  rewrite: (p: LogicalPlan, ctx) => {
    if (p.kind === "Aggregate") {
      if (p.input.kind !== "Sort" || ctx.isShared(p.input) || p.aggs.some((a) => a.fn === "first" || a.fn === "last")) return p;
      return { ...p, input: p.input.input };
    }
    if (p.kind === "Join") {
      const unsort = (x: LogicalPlan) => (x.kind === "Sort" && !ctx.isShared(x) ? x.input : x);
      const left = unsort(p.left);
      const right = unsort(p.right);
      return left === p.left && right === p.right ? p : { ...p, left, right };
    }
    return p;
  },
};
