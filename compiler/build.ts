import type { PipelinePlan } from "../plan/logical.ts";
import { compilePipeline } from "./compile.ts";
import { type EmittedFiles, emitBundle } from "./emit.ts";

/** `tsdf build`: compile, then emit the bundle, plan JSON and typed plan into `outDir`. */
export async function buildPipeline(entryPath: string, outDir: string): Promise<{ plan: PipelinePlan; files: EmittedFiles }> {
  const plan = await compilePipeline(entryPath);
  const files = await emitBundle(plan, outDir);
  return { plan, files };
}
