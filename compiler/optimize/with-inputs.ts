import { assertNever } from "../../plan/expr.ts";
import { inputsOf, type LogicalPlan, mapSinkInputs, type PipelinePlan } from "../../plan/logical.ts";

/**
 * `p` over new inputs. Nodes whose schema is their input's follow it; the others keep their
 * schema, which the rules guarantee (and the driver checks at the sinks).
 */
export function withInputs(p: LogicalPlan, inputs: readonly LogicalPlan[]): LogicalPlan {
  const first = inputs[0] as LogicalPlan;
  switch (p.kind) {
    case "Scan":
      return p;
    case "Filter":
    case "Sort":
    case "Limit":
    case "Distinct":
    case "Cache":
      return { ...p, input: first, schema: first.schema };
    case "Project":
    case "Aggregate":
      return { ...p, input: first };
    case "Join":
      return { ...p, left: first, right: inputs[1] as LogicalPlan };
    case "Union":
      return { ...p, inputs };
    default:
      return assertNever(p);
  }
}

/**
 * Rewrites every node of a pipeline once, inputs before parents (a shared node once for all its
 * parents): `rewrite(rebuilt, original)` gets the original node over its already rewritten
 * inputs (`reinput` puts them in; by default `withInputs`).
 */
export function rewriteBottomUp(
  plan: PipelinePlan,
  rewrite: (rebuilt: LogicalPlan, original: LogicalPlan) => LogicalPlan,
  reinput: (p: LogicalPlan, inputs: readonly LogicalPlan[]) => LogicalPlan = withInputs,
): PipelinePlan {
  const memo = new Map<LogicalPlan, LogicalPlan>();
  const visit = (p: LogicalPlan): LogicalPlan => {
    const done = memo.get(p);
    if (done) return done;
    const inputs = inputsOf(p);
    const newInputs = inputs.map(visit);
    const out = rewrite(newInputs.every((n, i) => n === inputs[i]) ? p : reinput(p, newInputs), p);
    memo.set(p, out);
    return out;
  };
  return mapSinkInputs(plan, visit);
}
