/**
 * The bytes on disk of each input a pipeline scans, for the physical planner's join strategy
 * (a join side known to be small is broadcast). Runs before planning, when the data folder is known.
 */
import * as path from "node:path";
import type { LogicalPlan, PipelinePlan } from "../../plan/logical.ts";
import { inputsOf } from "../../plan/logical.ts";
import { listDatasetFiles } from "./dataset-files.ts";

/** Total file size of every scanned path under `dataDir`, by the path in the plan; a path that lists no files is left out (its scan reports the error). */
export async function scanInputBytes(plan: PipelinePlan, dataDir: string): Promise<Map<string, number>> {
  const paths = new Set<string>();
  const seen = new Set<LogicalPlan>();
  const visit = (p: LogicalPlan): void => {
    if (seen.has(p)) return;
    seen.add(p);
    if (p.kind === "Scan") paths.add(p.path);
    for (const c of inputsOf(p)) visit(c);
  };
  for (const s of plan.sinks) visit(s.input);
  const sizes = new Map<string, number>();
  for (const p of paths) {
    const files = await listDatasetFiles(path.resolve(dataDir, p), p).catch(() => undefined);
    if (files !== undefined) sizes.set(p, files.reduce((s, f) => s + f.size, 0));
  }
  return sizes;
}
