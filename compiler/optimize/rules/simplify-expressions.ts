import { type Expr, type Literal, lit, transformExpr } from "../../../plan/expr.ts";
import { type ExprType, exprType, type Scope } from "../../../plan/expr-type.ts";
import type { LogicalPlan } from "../../../plan/logical.ts";
import { sameExpr } from "../conjuncts.ts";
import type { OptimizerRule } from "../rule.ts";

/*
 * Constant folding, boolean simplification and null propagation, keeping JavaScript's meaning
 * exactly: `&&` and `||` return one of their operands, so `x && false` is `false` only when `x`
 * is a non-null boolean (for `x === null` it is `null`). Nothing here guesses: an expression is
 * folded only where the result is the same value for every row.
 */

/** A literal's truthiness, where its JavaScript value is known (dates and timestamps are not folded). */
function truthiness(e: Expr): boolean | undefined {
  if (e.kind !== "Literal") return undefined;
  if (e.value === null) return false;
  switch (e.type) {
    case "boolean":
      return e.value === true;
    case "int32":
    case "float64":
      return e.value !== 0;
    case "utf8":
      return e.value !== "";
    case "int64":
      return e.value !== "0";
    default:
      return undefined;
  }
}

const isNumberLit = (e: Expr): e is Literal => e.kind === "Literal" && (e.type === "int32" || e.type === "float64") && typeof e.value === "number";

function typeIn(e: Expr, scope: Scope): ExprType | undefined {
  try {
    return exprType(e, scope);
  } catch {
    return undefined;
  }
}

function foldBinary(e: Extract<Expr, { kind: "Binary" }>): Expr {
  const { left: l, right: r, op } = e;
  if (isNumberLit(l) && isNumberLit(r)) {
    const a = l.value as number;
    const b = r.value as number;
    const arithmetic: Record<string, (() => number) | undefined> = { "+": () => a + b, "-": () => a - b, "*": () => a * b, "/": () => a / b, "%": () => a % b };
    const f = arithmetic[op];
    if (f) {
      const v = f();
      // Infinity, NaN and -0 do not survive the plan's JSON; leave them to the runtime.
      if (!Number.isFinite(v) || Object.is(v, -0)) return e;
      return lit(v, op === "%" && l.type === "int32" && r.type === "int32" ? "int32" : "float64");
    }
  }
  const comparable = (isNumberLit(l) && isNumberLit(r)) || (l.kind === "Literal" && r.kind === "Literal" && l.value !== null && l.type === r.type && (l.type === "utf8" || l.type === "boolean"));
  if (!comparable || l.kind !== "Literal" || r.kind !== "Literal") return e;
  const a = l.value as string | number | boolean;
  const b = r.value as string | number | boolean;
  switch (op) {
    case "===":
      return lit(a === b, "boolean");
    case "!==":
      return lit(a !== b, "boolean");
    case "<":
      return l.type === "boolean" ? e : lit(a < b, "boolean");
    case "<=":
      return l.type === "boolean" ? e : lit(a <= b, "boolean");
    case ">":
      return l.type === "boolean" ? e : lit(a > b, "boolean");
    case ">=":
      return l.type === "boolean" ? e : lit(a >= b, "boolean");
    default:
      return e;
  }
}

/** Simplifies one expression seen against its input schema(s). */
export function simplifyExpr(expr: Expr, scope: Scope): Expr {
  return transformExpr(expr, (e) => {
    switch (e.kind) {
      case "IsNull": {
        if (e.operand.kind === "Literal") return lit((e.operand.value === null) !== e.negated, "boolean");
        const t = typeIn(e.operand, scope);
        return t && !t.nullable ? lit(e.negated, "boolean") : e;
      }
      case "Unary": {
        if (e.op === "!") {
          const v = truthiness(e.operand);
          if (v !== undefined) return lit(!v, "boolean");
          if (e.operand.kind === "IsNull") return { ...e.operand, negated: !e.operand.negated };
          if (e.operand.kind === "Unary" && e.operand.op === "!") {
            const t = typeIn(e.operand.operand, scope);
            if (t && t.type === "boolean" && !t.nullable) return e.operand.operand;
          }
          return e;
        }
        if (isNumberLit(e.operand) && e.operand.value !== 0) {
          const v = -(e.operand.value as number);
          return lit(v, e.operand.type === "int32" && Math.abs(v) <= 2147483647 ? "int32" : "float64");
        }
        return e;
      }
      case "Logical": {
        const lv = e.op === "??" ? (e.left.kind === "Literal" ? e.left.value !== null : undefined) : truthiness(e.left);
        if (lv !== undefined) {
          if (e.op === "&&") return lv ? e.right : e.left;
          if (e.op === "||") return lv ? e.left : e.right;
          return lv ? e.left : e.right;
        }
        const lt = typeIn(e.left, scope);
        if (!lt) return e;
        if (e.op === "??") return lt.nullable ? e : e.left;
        if (lt.type !== "boolean" || e.right.kind !== "Literal" || e.right.type !== "boolean") return e;
        const rv = e.right.value === true;
        // x && true is x; x || true is true (a null x is falsy); the other two only for a non-null x.
        if (e.op === "&&" && rv) return e.left;
        if (e.op === "||" && rv) return e.right;
        if (!lt.nullable) return e.op === "&&" ? e.right : e.left;
        return e;
      }
      case "Conditional": {
        const v = truthiness(e.test);
        if (v !== undefined) return v ? e.whenTrue : e.whenFalse;
        return e;
      }
      case "Binary":
        return foldBinary(e);
      default:
        return e;
    }
  });
}

/** A simplified expression whose type is unchanged (an output column must keep its type and nullability). */
function keepType(before: Expr, after: Expr, scope: Scope): Expr {
  if (after === before || sameExpr(after, before)) return before;
  const a = typeIn(before, scope);
  const b = typeIn(after, scope);
  return a && b && a.type === b.type && a.nullable === b.nullable ? after : before;
}

function simplifyNode(p: LogicalPlan): LogicalPlan {
  switch (p.kind) {
    case "Filter": {
      const predicate = simplifyExpr(p.predicate, [p.input.schema]);
      if (predicate.kind === "Literal" && predicate.type === "boolean" && predicate.value === true) return p.input;
      return sameExpr(predicate, p.predicate) ? p : { ...p, predicate };
    }
    case "Project": {
      const exprs = p.exprs.map((ne) => {
        const expr = keepType(ne.expr, simplifyExpr(ne.expr, [p.input.schema]), [p.input.schema]);
        return expr === ne.expr ? ne : { ...ne, expr };
      });
      return exprs.every((ne, i) => ne === p.exprs[i]) ? p : { ...p, exprs };
    }
    case "Join": {
      if (p.on.kind !== "condition") return p;
      const predicate = simplifyExpr(p.on.predicate, [p.left.schema, p.right.schema]);
      return sameExpr(predicate, p.on.predicate) ? p : { ...p, on: { kind: "condition", predicate } };
    }
    default:
      return p;
  }
}

/** Folds constants, simplifies boolean logic and propagates (non-)nullness in filters, projections and join conditions. */
export const simplifyExpressions: OptimizerRule = {
  name: "simplify_expressions",
  rewrite: simplifyNode,
};
