import type { LogicalPlan } from "../../../plan/logical.ts";
import type { OptimizerRule } from "../rule.ts";

/** A projection that passes every input column through, in order and unrenamed, is dropped. */
export const eliminateProjection: OptimizerRule = {
  name: "eliminate_projection",
  rewrite: (p: LogicalPlan) => {
    if (p.kind !== "Project") return p;
    const fields = p.input.schema.fields;
    const identity =
      p.exprs.length === fields.length &&
      p.exprs.every((ne, i) => ne.expr.kind === "Column" && ne.expr.side === undefined && ne.expr.name === ne.name && fields[i]?.name === ne.name);
    return identity ? p.input : p;
  },
};
