import type { PipelinePlan } from "../plan/logical.ts";
import { checkProgram } from "./check.ts";
import type { Pipeline } from "../stdlib/pipeline.ts";
import { loadPipeline, rewriteFiles, type SchemaResolver, tracePlan } from "./trace.ts";

/** Type-checks, translates and traces a pipeline entry into its logical plan. */
export async function compilePipeline(entryPath: string, resolveSchema?: SchemaResolver): Promise<PipelinePlan> {
  const [plan] = await compilePipelines([entryPath], resolveSchema);
  return plan as PipelinePlan;
}

/** Compiles several entries with one type check, which is what dominates build time. */
export async function compilePipelines(entryPaths: readonly string[], resolveSchema?: SchemaResolver): Promise<PipelinePlan[]> {
  const { entries, rewritten } = checkAndRewrite(entryPaths);
  const plans: PipelinePlan[] = [];
  for (const entry of entries) plans.push(await tracePlan(entry, rewritten, resolveSchema));
  return plans;
}

/** The compiled pipeline objects themselves (lambdas with IR and functions), for differential tests. */
export async function compilePipelineModules(entryPaths: readonly string[]): Promise<Pipeline[]> {
  const { entries, rewritten } = checkAndRewrite(entryPaths);
  const modules: Pipeline[] = [];
  for (const entry of entries) modules.push(await loadPipeline(entry, rewritten));
  return modules;
}

function checkAndRewrite(entryPaths: readonly string[]) {
  const { entries, userFiles } = checkProgram(entryPaths);
  return { entries, rewritten: rewriteFiles(userFiles) };
}
