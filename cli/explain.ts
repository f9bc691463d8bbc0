import { planPhysical } from "../compiler/physical/plan-physical.ts";
import { formatDot } from "../plan/dot.ts";
import type { PipelinePlan } from "../plan/logical.ts";
import { formatLogicalPipeline, formatPhysicalPipeline } from "../plan/printer.ts";
import { serializePlan } from "../plan/serialize.ts";

export type ExplainFormat = "text" | "json" | "dot";

/**
 * `tsdf explain`: the logical plan, the optimized plan and the physical plan.
 * The optimizer arrives with its own issue; until then the optimized plan is the logical one.
 */
export function explainPipeline(plan: PipelinePlan, format: ExplainFormat, partitions: number): string {
  if (format === "dot") return formatDot(plan);
  const physical = planPhysical(plan, { partitions });
  if (format === "json") {
    return JSON.stringify({ logical: serializePlan(plan), optimized: serializePlan(plan), physical: formatPhysicalPipeline(physical).split("\n") }, null, 2);
  }
  return [
    `== logical ==`,
    formatLogicalPipeline(plan),
    `== optimized ==`,
    formatLogicalPipeline(plan),
    `== physical ==`,
    formatPhysicalPipeline(physical),
  ].join("\n");
}
