import type { DataType } from "./schema.ts";
import type { SourceLocation } from "./errors.ts";

/** A literal's JSON-safe value: int64 literals travel as decimal strings, dates as ISO strings. */
export type LiteralValue = string | number | boolean | null;

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "===" | "!==" | "<" | "<=" | ">" | ">=";
export type AggFn =
  | "count"
  | "count_distinct"
  | "sum"
  | "avg"
  | "min"
  | "max"
  | "first"
  | "last"
  | "stddev";

/**
 * Expression IR. Operators keep JavaScript's meaning (a lambda means what it would mean
 * as plain TypeScript on each row); `Call` names a stdlib scalar function with Spark's meaning.
 */
export type Expr =
  | ColumnRef
  | Literal
  | ParamRef
  | Binary
  | Unary
  | Logical
  | Conditional
  | IsNull
  | Call
  | Cast
  | AggCall;

export interface ColumnRef {
  readonly kind: "Column";
  readonly name: string;
  /** For a join condition: 0 = left input, 1 = right input. */
  readonly side?: 0 | 1;
}
export interface Literal {
  readonly kind: "Literal";
  readonly value: LiteralValue;
  readonly type: DataType | "null";
}
export interface ParamRef {
  readonly kind: "Param";
  readonly name: string;
  readonly type: DataType;
}
export interface Binary {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}
export interface Unary {
  readonly kind: "Unary";
  readonly op: "!" | "-";
  readonly operand: Expr;
}
/** `&&`, `||` and `??` with JavaScript's meaning: the result is one of the operands. */
export interface Logical {
  readonly kind: "Logical";
  readonly op: "&&" | "||" | "??";
  readonly left: Expr;
  readonly right: Expr;
}
export interface Conditional {
  readonly kind: "Conditional";
  readonly test: Expr;
  readonly whenTrue: Expr;
  readonly whenFalse: Expr;
}
/** `x === null` (or `!==` when negated). */
export interface IsNull {
  readonly kind: "IsNull";
  readonly operand: Expr;
  readonly negated: boolean;
}
export interface Call {
  readonly kind: "Call";
  readonly fn: string;
  readonly args: readonly Expr[];
}
export interface Cast {
  readonly kind: "Cast";
  readonly operand: Expr;
  readonly to: DataType;
}
export interface AggCall {
  readonly kind: "Agg";
  readonly fn: AggFn;
  /** Absent for `count()`. */
  readonly arg?: Expr;
}

/** A named output column of a projection or aggregate. */
export interface NamedExpr {
  readonly name: string;
  readonly expr: Expr;
  readonly loc?: SourceLocation;
}

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  /** Spark's default: nulls first ascending, last descending. */
  readonly nullsFirst: boolean;
}

export const col = (name: string, side?: 0 | 1): ColumnRef => (side === undefined ? { kind: "Column", name } : { kind: "Column", name, side });
export const lit = (value: LiteralValue, type: DataType | "null"): Literal => ({ kind: "Literal", value, type });

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

/** Children of an expression, in evaluation order. */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case "Column":
    case "Literal":
    case "Param":
      return [];
    case "Binary":
    case "Logical":
      return [e.left, e.right];
    case "Unary":
    case "IsNull":
    case "Cast":
      return [e.operand];
    case "Conditional":
      return [e.test, e.whenTrue, e.whenFalse];
    case "Call":
      return e.args;
    case "Agg":
      return e.arg ? [e.arg] : [];
    default:
      return assertNever(e);
  }
}

/** Rebuilds an expression bottom-up; `f` sees each node after its children were rewritten. */
export function transformExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const go = (x: Expr) => transformExpr(x, f);
  switch (e.kind) {
    case "Column":
    case "Literal":
    case "Param":
      return f(e);
    case "Binary":
      return f({ ...e, left: go(e.left), right: go(e.right) });
    case "Logical":
      return f({ ...e, left: go(e.left), right: go(e.right) });
    case "Unary":
      return f({ ...e, operand: go(e.operand) });
    case "IsNull":
      return f({ ...e, operand: go(e.operand) });
    case "Cast":
      return f({ ...e, operand: go(e.operand) });
    case "Conditional":
      return f({ ...e, test: go(e.test), whenTrue: go(e.whenTrue), whenFalse: go(e.whenFalse) });
    case "Call":
      return f({ ...e, args: e.args.map(go) });
    case "Agg":
      return f(e.arg ? { ...e, arg: go(e.arg) } : e);
    default:
      return assertNever(e);
  }
}

export function someExpr(e: Expr, pred: (e: Expr) => boolean): boolean {
  return pred(e) || exprChildren(e).some((c) => someExpr(c, pred));
}

export function columnsOf(e: Expr): Set<string> {
  const out = new Set<string>();
  const visit = (x: Expr): void => {
    if (x.kind === "Column") out.add(x.name);
    for (const c of exprChildren(x)) visit(c);
  };
  visit(e);
  return out;
}

/** Explain form of an expression: close to the TypeScript the user wrote. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case "Column":
      return e.side === undefined ? e.name : `${e.side === 0 ? "l" : "r"}.${e.name}`;
    case "Literal":
      if (e.value === null) return "null";
      if (e.type === "utf8") return JSON.stringify(e.value);
      if (e.type === "int64") return `${e.value}n`;
      if (e.type === "date32") return `date ${JSON.stringify(e.value)}`;
      return String(e.value);
    case "Param":
      return `$${e.name}`;
    case "Binary":
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
    case "Logical":
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
    case "Unary":
      return `${e.op}${formatExpr(e.operand)}`;
    case "IsNull":
      return `(${formatExpr(e.operand)} ${e.negated ? "!==" : "==="} null)`;
    case "Conditional":
      return `(${formatExpr(e.test)} ? ${formatExpr(e.whenTrue)} : ${formatExpr(e.whenFalse)})`;
    case "Call":
      return `${e.fn}(${e.args.map(formatExpr).join(", ")})`;
    case "Cast":
      return `cast(${formatExpr(e.operand)} as ${e.to})`;
    case "Agg":
      return `${e.fn}(${e.arg ? formatExpr(e.arg) : ""})`;
    default:
      return assertNever(e);
  }
}
