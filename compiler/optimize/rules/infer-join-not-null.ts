import { col, type Expr } from "../../../plan/expr.ts";
import type { JoinType, LogicalPlan } from "../../../plan/logical.ts";
import { findField } from "../../../plan/schema.ts";
import { andAll, sameExpr, splitConjuncts } from "../conjuncts.ts";
import type { OptimizerRule } from "../rule.ts";

/** Sides whose rows with a null key can be dropped: such a row matches nothing, and that side's unmatched rows are not kept. */
const DROPPABLE: Record<JoinType, { left: boolean; right: boolean }> = {
  inner: { left: true, right: true },
  semi: { left: true, right: true },
  left: { left: false, right: true },
  anti: { left: false, right: true },
  right: { left: true, right: false },
  full: { left: false, right: false },
  cross: { left: false, right: false },
};

/** `side` filtered to non-null `keys`, unless a filter right on it already says so. */
function notNull(side: LogicalPlan, keys: readonly string[]): LogicalPlan {
  const present = side.kind === "Filter" ? splitConjuncts(side.predicate) : [];
  const missing: Expr[] = keys
    .filter((k) => findField(side.schema, k)?.nullable === true)
    .map((k): Expr => ({ kind: "IsNull", operand: col(k), negated: true }))
    .filter((c) => !present.some((p) => sameExpr(p, c)));
  const predicate = andAll(missing);
  return predicate ? { kind: "Filter", input: side, predicate, schema: side.schema } : side;
}

/**
 * Null keys never match in a join on column names, so a side whose unmatched rows are dropped
 * can drop its null-key rows before the join (and before the exchange that feeds it). The new
 * filters are then pushed towards the scans. Runs once, before pushdown moves them away.
 */
export const inferJoinNotNull: OptimizerRule = {
  name: "infer_join_not_null",
  rewrite: (p: LogicalPlan) => {
    if (p.kind !== "Join" || p.on.kind !== "using") return p;
    const drop = DROPPABLE[p.how];
    const left = drop.left ? notNull(p.left, p.on.columns) : p.left;
    const right = drop.right ? notNull(p.right, p.on.columns) : p.right;
    return left === p.left && right === p.right ? p : { ...p, left, right };
  },
};
