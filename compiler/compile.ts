import { resolve, sep } from "node:path";
import type { PipelinePlan } from "../plan/logical.ts";
import { checkProgram } from "./check.ts";
import { tracePlan } from "./trace.ts";

const TSDF_ROOT = resolve(import.meta.dirname, "..") + sep;

/** tsdf's own sources, never rewritten; inside tsdf's repository, examples and tests are user code. */
function isLibraryFile(path: string): boolean {
  const abs = resolve(path);
  return abs.startsWith(TSDF_ROOT) && /^(plan|stdlib|compiler|runtime|cli)[\\/]/.test(abs.slice(TSDF_ROOT.length));
}

/** Type-checks, translates and traces a pipeline entry into its logical plan. */
export async function compilePipeline(entryPath: string): Promise<PipelinePlan> {
  const { project, entry } = checkProgram(entryPath);
  const userFiles = project.getSourceFiles().filter((sf) => !sf.isDeclarationFile() && !sf.isInNodeModules() && !isLibraryFile(sf.getFilePath()));
  return tracePlan(entry, userFiles);
}
