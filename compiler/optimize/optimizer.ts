import { TsdfError } from "../../plan/errors.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan } from "../../plan/logical.ts";
import { formatLogicalPipeline } from "../../plan/printer.ts";
import { formatSchema, sameSchema } from "../../plan/schema.ts";
import { rewriteBottomUp } from "./with-inputs.ts";
import type { OptimizerRule, RuleContext } from "./rule.ts";
import { collapseProjections } from "./rules/collapse-projections.ts";
import { combineFilters } from "./rules/combine-filters.ts";
import { eliminateProjection } from "./rules/eliminate-projection.ts";
import { eliminateSort } from "./rules/eliminate-sort.ts";
import { inferJoinNotNull } from "./rules/infer-join-not-null.ts";
import { pruneColumns } from "./rules/prune-columns.ts";
import { pushDownFilter } from "./rules/push-down-filter.ts";
import { pushDownFilterIntoScan } from "./rules/push-down-filter-into-scan.ts";
import { pushDownLimit } from "./rules/push-down-limit.ts";
import { simplifyExpressions } from "./rules/simplify-expressions.ts";

/** One rule that changed the plan, and the plan after it (for `--verbose`). */
export interface RuleApplication {
  readonly rule: string;
  readonly batch: string;
  readonly plan: string;
}

interface Batch {
  readonly name: string;
  readonly rules: readonly OptimizerRule[];
  readonly maxIterations: number;
}

/*
 * The rule list, top to bottom. Each batch runs its rules in order, over the whole plan,
 * until a full round changes nothing (or `maxIterations`).
 */
const BATCHES: readonly Batch[] = [
  {
    name: "simplify",
    maxIterations: 3,
    rules: [
      // First: folded constants (captured values included) and `true &&` let later rules see plain conjuncts.
      simplifyExpressions,
      // Here, not with pushdown: its filters sit right on the join sides only until pushdown moves them.
      inferJoinNotNull,
    ],
  },
  {
    name: "push_down",
    maxIterations: 20,
    rules: [
      // Before pushing: one filter with all conjuncts moves as one, and its conjuncts split per join side.
      combineFilters,
      // Filters move towards the scans through projections, sorts, unions, joins and aggregates.
      pushDownFilter,
      // Limits move down through projections so a limit meets its sort (a top-N sort).
      pushDownLimit,
      // After pushdown, projections that met each other merge; what used to sit between them is gone.
      collapseProjections,
      // A projection that only passes its input through is dropped; collapsing often leaves one.
      eliminateProjection,
      // A sort under an aggregate or a join is not observed; removing it may let a filter pass further.
      eliminateSort,
      // Substitution by the rules above can create new constant sub-expressions.
      simplifyExpressions,
    ],
  },
  {
    name: "scan",
    maxIterations: 20,
    rules: [
      // Filters settled: each reader gets the conjuncts right above it to skip rows with.
      pushDownFilterIntoScan,
      // Last: columns nothing reads are dropped from projections and scans once every filter is in place.
      pruneColumns,
      // Pruning leaves projections that select exactly what a narrowed scan reads.
      eliminateProjection,
    ],
  },
];

/** Every rule's name, in the order they first run. */
export const RULE_NAMES: readonly string[] = [...new Set(BATCHES.flatMap((b) => b.rules.map((r) => r.name)))];

export interface OptimizeOptions {
  readonly disabledRules?: readonly string[];
}

/** Runs the rule batches over a pipeline. The result has the same sinks with the same schemas. */
export function optimize(plan: PipelinePlan, options: OptimizeOptions = {}): { plan: PipelinePlan; trace: RuleApplication[] } {
  const disabled = new Set(options.disabledRules ?? []);
  for (const name of disabled) {
    if (!RULE_NAMES.includes(name)) {
      throw new TsdfError("TSDF6002", `--disable-rule: no optimizer rule is named '${name}'`, undefined, [`rules: ${RULE_NAMES.join(", ")}`]);
    }
  }
  const trace: RuleApplication[] = [];
  let current = plan;
  for (const batch of BATCHES) {
    const rules = batch.rules.filter((r) => !disabled.has(r.name));
    for (let i = 0; i < batch.maxIterations; i++) {
      let changed = false;
      for (const rule of rules) {
        const next = applyRule(current, rule);
        if (next === current) continue;
        checkSchemas(current, next, rule);
        trace.push({ rule: rule.name, batch: batch.name, plan: formatLogicalPipeline(next) });
        current = next;
        changed = true;
      }
      if (!changed) break;
    }
  }
  return { plan: current, trace };
}

/** Counts of each rule that changed the plan, in the order they first fired. */
export function rulesFired(trace: readonly RuleApplication[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of trace) counts.set(t.rule, (counts.get(t.rule) ?? 0) + 1);
  return counts;
}

/**
 * One bottom-up pass of a rule over the DAG. Memoized by identity, so a shared node is
 * rewritten once and stays one shared object. Returns `plan` itself when nothing changed.
 */
export function applyRule(plan: PipelinePlan, rule: OptimizerRule): PipelinePlan {
  if (rule.rewritePipeline) return rule.rewritePipeline(plan);
  const refs = new Map<LogicalPlan, number>();
  const count = (p: LogicalPlan): void => {
    const r = (refs.get(p) ?? 0) + 1;
    refs.set(p, r);
    if (r === 1) for (const c of inputsOf(p)) count(c);
  };
  for (const s of plan.sinks) count(s.input);
  const ctx: RuleContext = { isShared: (p) => (refs.get(p) ?? 0) > 1 };
  return rewriteBottomUp(plan, (rebuilt, p) => {
    if (rebuilt !== p) refs.set(rebuilt, refs.get(p) ?? 0);
    const out = rule.rewrite(rebuilt, ctx);
    if (out !== rebuilt) refs.set(out, refs.get(p) ?? 0);
    return out;
  });
}

function checkSchemas(before: PipelinePlan, after: PipelinePlan, rule: OptimizerRule): void {
  before.sinks.forEach((s, i) => {
    const a = after.sinks[i];
    if (!a || !sameSchema(s.input.schema, a.input.schema)) {
      throw new TsdfError("TSDF6001", `optimizer rule ${rule.name} changed the output schema of a ${s.kind.toLowerCase()} sink`, s.loc, [
        `before: ${formatSchema(s.input.schema)}`,
        `after:  ${a ? formatSchema(a.input.schema) : "(missing)"}`,
        `this is a bug in tsdf; --disable-rule ${rule.name} works around it`,
      ]);
    }
  });
}
