import { type Expr, exprChildren } from "../../../plan/expr.ts";
import { exprType } from "../../../plan/expr-type.ts";
import type { LogicalPlan, Project } from "../../../plan/logical.ts";
import { substituteColumns } from "../conjuncts.ts";
import type { OptimizerRule } from "../rule.ts";

function countRefs(e: Expr, counts: Map<string, number>): void {
  if (e.kind === "Column" && e.side === undefined) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  for (const c of exprChildren(e)) countRefs(c, counts);
}

const trivial = (e: Expr) => e.kind === "Column" || e.kind === "Literal" || e.kind === "Param";

/**
 * `select(f(a) AS x).select(g(x))` becomes `select(g(f(a)))`. An expression is inlined only
 * where that does not compute it twice: it is a column or a literal, or it is used once.
 */
export const collapseProjections: OptimizerRule = {
  name: "collapse_projections",
  rewrite: (p: LogicalPlan, ctx) => {
    if (p.kind !== "Project" || p.input.kind !== "Project" || ctx.isShared(p.input)) return p;
    const inner: Project = p.input;
    const byName = new Map(inner.exprs.map((ne) => [ne.name, ne.expr]));
    const counts = new Map<string, number>();
    for (const ne of p.exprs) countRefs(ne.expr, counts);
    for (const [name, n] of counts) {
      const e = byName.get(name);
      if (e && n > 1 && !trivial(e)) return p;
    }
    const exprs = p.exprs.map((ne) => ({ ...ne, expr: substituteColumns(ne.expr, byName) }));
    // Inlining must not change an output column's type (a `null` literal types differently from a column).
    const same = exprs.every((ne, i) => {
      const f = p.schema.fields[i];
      try {
        const t = exprType(ne.expr, [inner.input.schema]);
        return f !== undefined && t.type === f.type && t.nullable === f.nullable;
      } catch {
        return false;
      }
    });
    return same ? { ...p, input: inner.input, exprs } : p;
  },
};
