import * as path from "node:path";
import type * as arrow from "apache-arrow";
import { compilePipelines } from "../../../compiler/compile.ts";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import type { PipelinePlan } from "../../../plan/logical.ts";
import type { PhysicalPipeline } from "../../../plan/physical.ts";
import type { Schema } from "../../../plan/schema.ts";
import { runPipeline } from "../../../runtime/driver.ts";
import { closePools } from "../../../runtime/executor.ts";
import { DictionaryEncoder } from "../../../runtime/io/dictionary-encode.ts";
import { scanInputBytes } from "../../../runtime/io/input-sizes.ts";
import { readParquet } from "../../../runtime/io/parquet.ts";
import { readParquetFooter } from "../../../runtime/io/parquet-footer.ts";
import type { TableSpec } from "../datagen.ts";
import type { Answer, Question } from "../questions.ts";
import { type Engine, type EngineOptions, toNumber } from "./engine.ts";

const PIPELINES = new URL("../pipelines/", import.meta.url);

export function tableSchema(spec: TableSpec): Schema {
  return {
    fields: spec.columns.map((c) => ({ name: c.name, type: c.type === "string" ? "utf8" : c.type === "int" ? "int32" : "float64", nullable: false })),
  };
}

/**
 * tsdf: the pipelines in bench/db-benchmark/pipelines/, compiled and optimized as `tsdf build`
 * does and planned as `tsdf run` does, from the input files' sizes (once, before timing), run
 * by the driver over Arrow batches read from Parquet (in memory, the driver's `tables`, their
 * repeated strings dictionary-encoded as tsdf holds in-memory tables) or
 * over the CSV files (end to end).
 */
export async function tsdfEngine(opts: EngineOptions, version: string, questions: readonly Question[]): Promise<Engine> {
  const answerable = questions.filter((q) => q.tsdfMissing === undefined);
  const logical = await compilePipelines(answerable.map((q) => path.join(PIPELINES.pathname, `${q.id}.ts`)));
  const optimized = new Map<string, PipelinePlan>(answerable.map((q, k) => [q.id, optimize(logical[k] as PipelinePlan).plan]));
  const physical = new Map<string, PhysicalPipeline>();
  const planned = async (q: Question, dataDir: string): Promise<PhysicalPipeline> => {
    const key = `${q.id}:${dataDir}`;
    let plan = physical.get(key);
    if (plan === undefined) {
      const logicalPlan = optimized.get(q.id);
      if (logicalPlan === undefined) throw new Error(`tsdf: ${q.id} is not answerable (${q.tsdfMissing})`);
      plan = planPhysical(logicalPlan, { partitions: opts.threads, inputBytes: await scanInputBytes(logicalPlan, dataDir) });
      physical.set(key, plan);
    }
    return plan;
  };
  // One thread: tasks run in the calling thread, as DuckDB and Polars run on one.
  const workers = opts.threads > 1 ? opts.threads : 0;
  let tables: Record<string, arrow.RecordBatch[]> = {};
  let loadedDir = "";
  const run = async (q: Question, dataDir: string, inMemory: boolean): Promise<Answer> => {
    const { outputs } = await runPipeline(await planned(q, dataDir), {
      dataDir,
      workers,
      currentDate: "2024-06-30",
      params: {},
      ...(inMemory && { tables }),
      out: () => {},
      err: () => {},
    });
    const row = outputs.check?.[0] ?? {};
    return Object.fromEntries(["rows", ...q.check].map((c) => [c, toNumber(row[c])]));
  };
  return {
    name: "tsdf",
    version,
    answers: (q) => optimized.has(q.id),
    async load(data) {
      tables = {};
      // The input's size as plain Arrow (what the memory goal compares with), before its strings are encoded.
      let plainBytes = 0;
      for (const spec of data.tables) {
        const file = path.join(data.dir, `${spec.name}.parquet`);
        // A few row groups at a time, so the plain strings of the whole table never live at once.
        const groups = (await readParquetFooter(file, file)).rowGroups.length;
        let encoder: DictionaryEncoder | undefined;
        for (let g = 0; g < groups; g += 4) {
          const { batches } = await readParquet(file, file, tableSchema(spec), undefined, Array.from({ length: Math.min(4, groups - g) }, (_, k) => g + k));
          plainBytes += batches.reduce((m, b) => m + b.data.byteLength, 0);
          encoder ??= new DictionaryEncoder((batches[0] as arrow.RecordBatch).schema);
          encoder.add(batches);
        }
        tables[`${spec.name}.csv`] = encoder?.finish() ?? [];
      }
      loadedDir = data.dir;
      return plainBytes;
    },
    async unload() {
      tables = {};
    },
    inMemory: (q) => run(q, loadedDir, true),
    fromFile: (q, data) => run(q, data.dir, false),
    close: closePools,
  };
}
