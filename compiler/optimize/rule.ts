import type { LogicalPlan, PipelinePlan } from "../../plan/logical.ts";

/** What a rule may ask about the plan around the node it rewrites. */
export interface RuleContext {
  /**
   * Whether a node has more than one parent (or sink). A rule must not rewrite a shared node
   * for one parent only: that would split one computation into two.
   */
  isShared(p: LogicalPlan): boolean;
}

/** A pure rewrite of one node (its inputs already rewritten). Returns `p` itself when it does not apply. */
export interface OptimizerRule {
  /** snake_case: it appears in `tsdf explain` and `--disable-rule`. */
  readonly name: string;
  rewrite(p: LogicalPlan, ctx: RuleContext): LogicalPlan;
  /**
   * For a rule that needs the whole plan at once (what every parent of a shared node reads):
   * replaces the bottom-up walk. Returns `plan` itself when it does not apply.
   */
  rewritePipeline?(plan: PipelinePlan): PipelinePlan;
}

/** For tests and single-parent plans: nothing is shared. */
export const NOTHING_SHARED: RuleContext = { isShared: () => false };
