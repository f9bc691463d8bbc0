import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { planPhysical } from "../../compiler/physical/plan-physical.ts";
import type { PipelinePlan } from "../../plan/logical.ts";
import { serializePlan } from "../../plan/serialize.ts";
import { createJob, type OutputRow, type RunOptions } from "../../runtime/job.ts";

/** The cluster scripts/spark-cluster.mjs started for this run, or one it keeps up (`start`), with its token. */
export const REMOTE = process.env.TSDF_TEST_SPARK_REMOTE ?? keptCluster();

function keptCluster(): string {
  const file = resolve(import.meta.dirname, "../../.cache/spark-cluster/remote");
  if (!existsSync(file)) throw new Error("no Spark cluster is up: run `npm run test:spark`, or `node scripts/spark-cluster.mjs start` first");
  return readFileSync(file, "utf8").trim();
}

export interface BothEngines {
  readonly local: Record<string, OutputRow[]>;
  readonly spark: Record<string, OutputRow[]>;
  readonly localShows: string[];
  readonly sparkShows: string[];
}

/** Runs one optimized plan with the local runtime and on Spark, as `job.run()` does with and without `remote`. */
export async function runBothEngines(plan: PipelinePlan, options: Omit<RunOptions, "remote" | "out" | "workers">): Promise<BothEngines> {
  const job = createJob(serializePlan(plan), planPhysical);
  const localShows: string[] = [];
  const sparkShows: string[] = [];
  const spark = await job.run({ ...options, remote: REMOTE, out: (l) => sparkShows.push(l) });
  const local = await job.run({ ...options, workers: 1, progress: false, out: (l) => localShows.push(l) });
  return { local: local.outputs, spark: spark.outputs, localShows, sparkShows };
}
