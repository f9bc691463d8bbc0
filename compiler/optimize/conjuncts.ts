import { type Expr, transformExpr } from "../../plan/expr.ts";

/** `a && b && c` as [a, b, c]. A filter keeps a row when each conjunct is truthy, in any order. */
export function splitConjuncts(e: Expr): Expr[] {
  if (e.kind === "Logical" && e.op === "&&") return [...splitConjuncts(e.left), ...splitConjuncts(e.right)];
  return [e];
}

export function andAll(es: readonly Expr[]): Expr | undefined {
  let out: Expr | undefined;
  for (const e of es) out = out ? { kind: "Logical", op: "&&", left: out, right: e } : e;
  return out;
}

/** Replaces column references (without a join side) by the given expressions. */
export function substituteColumns(e: Expr, byName: ReadonlyMap<string, Expr>): Expr {
  return transformExpr(e, (x) => (x.kind === "Column" && x.side === undefined ? (byName.get(x.name) ?? x) : x));
}

export const sameExpr = (a: Expr, b: Expr): boolean => JSON.stringify(a) === JSON.stringify(b);
