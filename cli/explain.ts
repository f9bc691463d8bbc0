import { optimize, type OptimizeOptions, rulesFired } from "../compiler/optimize/optimizer.ts";
import { planPhysical } from "../compiler/physical/plan-physical.ts";
import { formatDot } from "../plan/dot.ts";
import type { PipelinePlan } from "../plan/logical.ts";
import { formatLogicalPipeline, formatPhysicalPipeline } from "../plan/printer.ts";
import { serializePlan } from "../plan/serialize.ts";

export type ExplainFormat = "text" | "json" | "dot";

export interface ExplainOptions extends OptimizeOptions {
  /** Also print the plan after each rule that changed it. */
  readonly verbose?: boolean;
}

/**
 * `tsdf explain`: the logical plan, the optimized plan, the physical plan (of the optimized
 * one) and the rules that fired, with how often.
 */
export function explainPipeline(plan: PipelinePlan, format: ExplainFormat, partitions: number, options: ExplainOptions = {}): string {
  const { plan: optimized, trace } = optimize(plan, options);
  if (format === "dot") return formatDot(optimized);
  const physical = planPhysical(optimized, { partitions });
  const fired = [...rulesFired(trace)];
  if (format === "json") {
    return JSON.stringify(
      {
        logical: serializePlan(plan),
        optimized: serializePlan(optimized),
        physical: formatPhysicalPipeline(physical).split("\n"),
        rulesFired: Object.fromEntries(fired),
        ...(options.verbose && { trace: trace.map((t) => ({ rule: t.rule, plan: t.plan.split("\n") })) }),
      },
      null,
      2,
    );
  }
  const verbose = options.verbose ? trace.flatMap((t, i) => [`== after ${t.rule} (${i + 1}) ==`, t.plan]) : [];
  return [
    `== logical ==`,
    formatLogicalPipeline(plan),
    ...verbose,
    `== optimized ==`,
    formatLogicalPipeline(optimized),
    `== physical ==`,
    formatPhysicalPipeline(physical),
    `== rules fired ==`,
    ...(fired.length === 0 ? ["(none)"] : fired.map(([name, n]) => `${name} x${n}`)),
  ].join("\n");
}
