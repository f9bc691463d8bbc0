import type { LogicalPlan } from "../../../plan/logical.ts";
import type { OptimizerRule } from "../rule.ts";

/**
 * Moves a limit below a projection (the projection then runs on `n` rows, and a limit that
 * reaches a sort becomes a top-N sort in the physical plan), copies it into each branch of a
 * union (keeping it above too), and merges two limits into the smaller.
 */
export const pushDownLimit: OptimizerRule = {
  name: "push_down_limit",
  rewrite: (p: LogicalPlan, ctx) => {
    if (p.kind !== "Limit" || ctx.isShared(p.input)) return p;
    const below = p.input;
    if (below.kind === "Limit") return { ...below, fetch: Math.min(below.fetch, p.fetch), ...(p.loc && { loc: p.loc }) };
    if (below.kind === "Project") {
      return { ...below, input: { ...p, input: below.input, schema: below.input.schema } };
    }
    if (below.kind === "Union") {
      // The first n rows of a union all come from the first n rows of each branch.
      const inputs = below.inputs.map((i) => (i.kind === "Limit" && i.fetch <= p.fetch ? i : ({ kind: "Limit", input: i, fetch: p.fetch, schema: i.schema } as const)));
      return inputs.every((i, k) => i === below.inputs[k]) ? p : { ...p, input: { ...below, inputs } };
    }
    return p;
  },
};
