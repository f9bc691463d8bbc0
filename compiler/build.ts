import type { PipelinePlan } from "../plan/logical.ts";
import { compilePipeline } from "./compile.ts";
import type { SchemaResolver } from "./trace.ts";
import { type EmittedFiles, emitBundle } from "./emit.ts";
import { optimize, type OptimizeOptions, type RuleApplication } from "./optimize/optimizer.ts";

/**
 * `tsdf build`: compile, optimize, then emit the bundle, plan JSON and typed plan into `outDir`.
 * The bundle runs the optimized plan.
 */
export async function buildPipeline(
  entryPath: string,
  outDir: string,
  options: OptimizeOptions & {
    readonly resolveSchema?: SchemaResolver;
    /** Checks the optimized plan before anything is written (`--target spark`); throws to stop the build. */
    readonly checkPlan?: (plan: PipelinePlan) => void;
  } = {},
): Promise<{ plan: PipelinePlan; logical: PipelinePlan; trace: RuleApplication[]; files: EmittedFiles }> {
  const logical = await compilePipeline(entryPath, options.resolveSchema);
  const { plan, trace } = optimize(logical, options);
  options.checkPlan?.(plan);
  const files = await emitBundle(plan, outDir);
  return { plan, logical, trace, files };
}
