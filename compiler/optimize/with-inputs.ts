import { assertNever } from "../../plan/expr.ts";
import type { LogicalPlan } from "../../plan/logical.ts";

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
