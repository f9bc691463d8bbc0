import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compilePipelines } from "../../../compiler/compile.ts";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import { isTsdfError } from "../../../plan/errors.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan } from "../../../plan/logical.ts";
import type { Schema } from "../../../plan/schema.ts";
import { rowsToBatch } from "../../../runtime/exec/columns.ts";
import { writeParquet } from "../../../runtime/io/parquet.ts";
import { translatePipeline } from "../../../targets/spark/translate-plan.ts";
import { expectSameRows, type Row, t1Rows, t2Rows } from "../../differential/random-data.ts";
import { type RandomPipeline, randomPipeline } from "../../differential/random-pipeline.ts";
import { runBothEngines } from "../cluster-run.ts";

/*
 * The differential suite's pipelines on both engines: each random pipeline the Spark target
 * accepts, over random data with nulls, NaN, -0 and unicode, read from Parquet files both engines
 * read; Spark's output must equal the local runtime's (doubles within 1e-9 relative).
 */

/** The main differential suite's count and seed: every one of these compiles. */
const GENERATED = 24;
/** Pipelines the target rejects (first()/last(), limit without orderBy, ...): at most this many. */
const MAX_REJECTED = 4;
/** Inside the repository, so the generated modules resolve `tsdf` as the examples do. */
const DIR = resolve(import.meta.dirname, "../../../.cache/spark-differential");
const CURRENT_DATE = "2024-01-05";

interface Case {
  readonly spec: RandomPipeline;
  readonly plan: PipelinePlan;
  readonly data: string;
}
const cases: Case[] = [];
let rejected = 0;
let rowsCompared = 0;

function scanSchema(p: LogicalPlan, path: string): Schema | undefined {
  if (p.kind === "Scan") return p.path === path ? p.fileSchema : undefined;
  for (const c of inputsOf(p)) {
    const s = scanSchema(c, path);
    if (s) return s;
  }
  return undefined;
}

// At collection time, so that there is one test per accepted pipeline.
{
  mkdirSync(DIR, { recursive: true });
  const specs = fc
    .sample(fc.integer({ min: 0, max: 1e9 }).chain((n) => randomPipeline(`p${n}`)), { numRuns: GENERATED, seed: 20261124 })
    .map((s) => ({ ...s, source: s.source.replace(/p\.read\.csv\("(t\d)\.csv", (T\d)\)/g, 'p.read.parquet("$1.parquet", $2)') }));
  const paths = specs.map((s, i) => {
    const path = join(DIR, `pipeline_${i}.ts`);
    writeFileSync(path, s.source);
    return path;
  });
  const plans = await compilePipelines(paths);
  const tables = fc.sample(fc.tuple(t1Rows, t2Rows), { numRuns: GENERATED, seed: 7 });
  for (const [i, logical] of plans.entries()) {
    const plan = optimize(logical).plan;
    try {
      translatePipeline(plan);
    } catch (e) {
      if (isTsdfError(e) && e.code === "TSDF7001") {
        rejected++;
        continue;
      }
      throw e;
    }
    const data = join(DIR, `data_${i}`);
    mkdirSync(data, { recursive: true });
    const [t1, t2] = tables[i] as [Row[], Row[]];
    for (const [name, rows] of [["t1", t1], ["t2", t2]] as const) {
      const schema = plan.sinks.map((s) => scanSchema(s.input, `${name}.parquet`)).find((s) => s !== undefined);
      if (schema) await writeParquet(join(data, `${name}.parquet`), [rowsToBatch(rows, schema)], schema);
    }
    cases.push({ spec: specs[i] as RandomPipeline, plan, data });
  }
}

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe("Spark ≡ local runtime on random pipelines", () => {
  it("compares every generated pipeline the Spark target accepts", () => {
    expect(cases.length + rejected).toBe(GENERATED);
    expect(rejected).toBeLessThanOrEqual(MAX_REJECTED);
  });

  for (const [i, c] of cases.entries()) {
    it(`pipeline ${i}`, async () => {
      const both = await runBothEngines(c.plan, { dataDir: c.data, currentDate: CURRENT_DATE });
      expectSameRows(both.spark.out ?? [], both.local.out ?? [], c.spec.ordered, c.spec.source);
      rowsCompared += both.local.out?.length ?? 0;
    });
  }

  it("compared rows, not only empty outputs", () => {
    expect(rowsCompared).toBeGreaterThan(2 * cases.length);
  });
});
