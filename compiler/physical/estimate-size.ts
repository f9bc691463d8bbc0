/**
 * Upper-bound estimates of how many bytes a logical node's output holds, from the sizes of the
 * files its scans read (Spark's size-only statistics: no row counts, no selectivities). The
 * physical planner broadcasts a join side whose estimate is small; `undefined` means unknown,
 * which never counts as small.
 */
import { assertNever } from "../../plan/expr.ts";
import type { LogicalPlan } from "../../plan/logical.ts";
import type { DataType, Schema } from "../../plan/schema.ts";

/** Bytes a value of each type takes in a batch (strings: a guess, as Spark's default of 20). */
const WIDTH: Record<DataType, number> = { int32: 4, int64: 8, float64: 8, boolean: 1, date32: 4, timestamp_us: 8, utf8: 20 };

function rowWidth(schema: Schema): number {
  return schema.fields.reduce((w, f) => w + WIDTH[f.type], 0) || 1;
}

/**
 * The estimator for one plan. `inputBytes` holds the bytes on disk of each scan's input, by the
 * path in the plan; a scan not listed is of unknown size.
 */
export function sizeEstimator(inputBytes: ReadonlyMap<string, number>): (p: LogicalPlan) => number | undefined {
  const memo = new Map<LogicalPlan, number | undefined>();
  const estimate = (p: LogicalPlan): number | undefined => {
    if (memo.has(p)) return memo.get(p);
    const e = compute(p);
    memo.set(p, e);
    return e;
  };
  // A node that keeps its input's rows but changes its columns scales with the row width.
  const scaled = (input: LogicalPlan, schema: Schema): number | undefined => {
    const bytes = estimate(input);
    return bytes === undefined ? undefined : (bytes * rowWidth(schema)) / rowWidth(input.schema);
  };
  const compute = (p: LogicalPlan): number | undefined => {
    switch (p.kind) {
      case "Scan": {
        const bytes = inputBytes.get(p.path);
        return bytes === undefined ? undefined : (bytes * rowWidth(p.schema)) / rowWidth(p.fileSchema);
      }
      case "Filter":
      case "Sort":
      case "Distinct":
      case "Cache":
        return estimate(p.input);
      case "Project":
        return scaled(p.input, p.schema);
      case "Aggregate":
        return p.groupBy.length === 0 ? rowWidth(p.schema) : scaled(p.input, p.schema);
      case "Limit": {
        const bytes = estimate(p.input);
        const most = p.fetch * rowWidth(p.schema);
        return bytes === undefined ? most : Math.min(bytes, most);
      }
      case "Union": {
        const parts = p.inputs.map(estimate);
        return parts.some((b) => b === undefined) ? undefined : (parts as number[]).reduce((s, b) => s + b, 0);
      }
      case "Join": {
        // Semi and anti joins keep some of the left's rows; any other join at most pairs every
        // left row with every right row, plus the unmatched rows of an outer join.
        const left = estimate(p.left);
        if (p.how === "semi" || p.how === "anti") return left;
        const right = estimate(p.right);
        if (left === undefined || right === undefined) return undefined;
        const l = left / rowWidth(p.left.schema);
        const r = right / rowWidth(p.right.schema);
        return (l * r + l + r) * rowWidth(p.schema);
      }
      default:
        return assertNever(p);
    }
  };
  return estimate;
}
