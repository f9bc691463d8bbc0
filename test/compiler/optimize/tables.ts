import { applyRule } from "../../../compiler/optimize/optimizer.ts";
import type { OptimizerRule } from "../../../compiler/optimize/rule.ts";
import * as b from "../../../plan/builder.ts";
import { type Expr, col, lit } from "../../../plan/expr.ts";
import type { LogicalPlan } from "../../../plan/logical.ts";
import { formatLogicalPlan } from "../../../plan/printer.ts";

/** Two small tables the rule tests build plans over. */
export const t1 = b.scan("csv", "t1.csv", {
  fields: [
    { name: "id", type: "int32", nullable: false },
    { name: "k", type: "utf8", nullable: false },
    { name: "a", type: "int32", nullable: true },
    { name: "s", type: "utf8", nullable: true },
    { name: "ok", type: "boolean", nullable: false },
    { name: "maybe", type: "boolean", nullable: true },
  ],
}, {});
export const t2 = b.scan("csv", "t2.csv", {
  fields: [
    { name: "k", type: "utf8", nullable: false },
    { name: "w", type: "float64", nullable: false },
  ],
}, {});

export const bin = (op: Extract<Expr, { kind: "Binary" }>["op"], left: Expr, right: Expr): Expr => ({ kind: "Binary", op, left, right });
export const logical = (op: "&&" | "||" | "??", left: Expr, right: Expr): Expr => ({ kind: "Logical", op, left, right });
export const gt0 = (name: string): Expr => bin(">", col(name), lit(0, "int32"));
export const keep = (names: readonly string[]) => names.map((n) => ({ name: n, expr: col(n) }));

/** The plan text after one bottom-up pass of `rule` (the plan is one output's input). */
export function rewriteText(rule: OptimizerRule, plan: LogicalPlan): string {
  const pipeline = { name: "t", params: [], sinks: [{ kind: "Output" as const, input: plan, name: "out" }] };
  const out = applyRule(pipeline, rule);
  return formatLogicalPlan((out.sinks[0] as { input: LogicalPlan }).input);
}

export const text = formatLogicalPlan;
