import { optimize, type OptimizeOptions, rulesFired } from "../compiler/optimize/optimizer.ts";
import { planPhysical } from "../compiler/physical/plan-physical.ts";
import { formatDot } from "../plan/dot.ts";
import type { PipelinePlan } from "../plan/logical.ts";
import { formatLogicalPipeline, formatPhysicalPipeline } from "../plan/printer.ts";
import { serializePlan } from "../plan/serialize.ts";
import { formatSparkActions } from "../targets/spark/format-relation.ts";
import { translatePipeline } from "../targets/spark/translate-plan.ts";

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

/**
 * `tsdf explain --target spark`: the Spark Connect relation tree of each sink of the optimized
 * plan, without a server. Run parameters and `currentDate()` print as `:name` markers.
 */
export function explainSpark(plan: PipelinePlan, format: "text" | "json", options: OptimizeOptions = {}): string {
  const { plan: optimized } = optimize(plan, options);
  const actions = translatePipeline(optimized);
  if (format === "text") return formatSparkActions(actions);
  const sinks = actions.map((a) => (a.kind === "Write" ? { kind: a.kind, path: a.sink.path, command: a.command } : { kind: a.kind, relation: a.relation }));
  // Protobuf int64 fields are bigints; JSON carries them as decimal strings.
  return JSON.stringify({ target: "spark", sinks }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
