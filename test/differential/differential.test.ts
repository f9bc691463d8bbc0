import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type * as arrow from "apache-arrow";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePipelineModules } from "../../compiler/compile.ts";
import { optimize } from "../../compiler/optimize/optimizer.ts";
import { planPhysical } from "../../compiler/physical/plan-physical.ts";
import type { PipelinePlan } from "../../plan/logical.ts";
import { runPipeline } from "../../runtime/driver.ts";
import { rowsToBatch } from "../../runtime/exec/columns.ts";
import { closePools } from "../../runtime/executor.ts";
import { dictionaryEncode } from "../../runtime/io/dictionary-encode.ts";
import type { Pipeline } from "../../stdlib/pipeline.ts";
import { tracePipeline } from "../../stdlib/pipeline.ts";
import { toPipelinePlan } from "../../stdlib/to-logical.ts";
import { evaluateReference } from "../reference/evaluate.ts";
import { expectSameRows, type Row, t1Rows, t2Rows } from "./random-data.ts";
import { type RandomPipeline, randomPipeline } from "./random-pipeline.ts";

/*
 * The compiled engine must agree with the plain-JS reference evaluator, which runs the user's
 * lambdas as written, on random pipelines over random data, for 1 and several partitions,
 * from the plan as traced and from the optimized plan.
 */

const GENERATED = 24;
/** Each generated pipeline, and the same pipeline with its filters where the optimizer must move them. */
const PIPELINES = 2 * GENERATED;
const DATA_RUNS = 12;
const DIR = resolve(import.meta.dirname, "../../.cache/differential");
const CURRENT_DATE = "2024-01-05";

interface Case {
  readonly spec: RandomPipeline;
  readonly module: Pipeline;
  readonly plan: PipelinePlan;
  readonly optimized: PipelinePlan;
}
const cases: Case[] = [];

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const generated = fc.sample(fc.integer({ min: 0, max: 1e9 }).chain((n) => randomPipeline(`p${n}`)), { numRuns: GENERATED, seed: 20261124 });
  const specs = [...generated, ...generated.map(movedFilters)];
  const paths = specs.map((s, i) => {
    const path = join(DIR, `pipeline_${i}.ts`);
    writeFileSync(path, s.source);
    return path;
  });
  const modules = await compilePipelineModules(paths);
  modules.forEach((module, i) => {
    const plan = toPipelinePlan(tracePipeline(module));
    cases.push({ spec: specs[i] as RandomPipeline, module, plan, optimized: optimize(plan).plan });
  });
}, 180_000);

/**
 * The same pipeline with its filter after the derived columns, and one more filter after the
 * tail where the output has `k`: the reference result is unchanged (a filter on source columns
 * commutes with adding columns), and the optimizer now has to push them through projections,
 * joins, aggregates and sorts, and combine them.
 */
function movedFilters(spec: RandomPipeline): RandomPipeline {
  const lines = spec.source.split("\n").map((line) => {
    const start = "  const df = t1.filter((r) => ";
    const derived = ').withColumn("x", (r) => ';
    if (line.startsWith(start) && line.includes(derived)) {
      const at = line.indexOf(derived);
      const predicate = line.slice(start.length, at);
      return `  const df = t1${line.slice(at + 1, -1)}.filter((r) => ${predicate});`;
    }
    const output = '  p.output("out", ';
    if (line.startsWith(output) && !line.includes("df.agg(") && !line.includes('select("id", "x", "y")')) {
      return `${output}${line.slice(output.length, -2)}.filter((r) => r.k !== "b"));`;
    }
    return line;
  });
  return { ...spec, source: lines.join("\n") };
}

afterAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  await closePools();
});

/** The engine's rows; with `dictionary`, its in-memory tables hold their strings as Arrow dictionaries. */
async function engine(c: Case, t1: Row[], t2: Row[], partitions: number, plan: PipelinePlan = c.plan, workers = 0, dictionary = false): Promise<Row[]> {
  const scans = new Map<string, Row[]>([
    ["t1.csv", t1],
    ["t2.csv", t2],
  ]);
  const tables: Record<string, arrow.RecordBatch[]> = {};
  for (const sink of plan.sinks) {
    const stack = [sink.input];
    while (stack.length > 0) {
      const p = stack.pop();
      if (!p) continue;
      if (p.kind === "Scan") {
        const batches = [rowsToBatch(scans.get(p.path) ?? [], p.fileSchema)];
        tables[p.path] = dictionary ? dictionaryEncode(batches) : batches;
      }
      else if (p.kind === "Join") stack.push(p.left, p.right);
      else if (p.kind === "Union") stack.push(...p.inputs);
      else stack.push(p.input);
    }
  }
  const { outputs } = await runPipeline(planPhysical(plan, { partitions, globalSort: "range" }), { dataDir: DIR, currentDate: CURRENT_DATE, params: {}, tables, workers });
  return outputs.out ?? [];
}

describe("compiled engine ≡ reference evaluator on random pipelines", () => {
  it("compiles every generated pipeline", () => {
    expect(cases).toHaveLength(PIPELINES);
  });

  it("optimizes most generated pipelines (the comparison below is not vacuous)", () => {
    const changed = cases.filter((c) => c.optimized !== c.plan).length;
    expect(changed).toBeGreaterThan(PIPELINES / 2);
  });

  for (let i = 0; i < PIPELINES; i++) {
    it(`pipeline ${i}`, async () => {
      const c = cases[i] as Case;
      await fc.assert(
        fc.asyncProperty(t1Rows, t2Rows, fc.constantFrom(2, 3, 5), async (t1, t2, partitions) => {
          const expected = evaluateReference(c.module, { tables: { "t1.csv": t1, "t2.csv": t2 }, currentDate: CURRENT_DATE }).outputs.out ?? [];
          expectSameRows(await engine(c, t1, t2, 1), expected, c.spec.ordered, c.spec.source);
          expectSameRows(await engine(c, t1, t2, partitions), expected, c.spec.ordered, c.spec.source);
          expectSameRows(await engine(c, t1, t2, 1, c.optimized), expected, c.spec.ordered, `optimized:\n${c.spec.source}`);
          expectSameRows(await engine(c, t1, t2, partitions, c.optimized), expected, c.spec.ordered, `optimized:\n${c.spec.source}`);
          expectSameRows(await engine(c, t1, t2, partitions, c.optimized, 0, true), expected, c.spec.ordered, `dictionary tables:\n${c.spec.source}`);
        }),
        { numRuns: DATA_RUNS, seed: 1000 + i },
      );
    });
  }
});

describe("the same answers on worker threads", () => {
  // Tasks, shuffles and broadcasts cross threads as Arrow IPC blocks: any worker and partition
  // count must give the reference result (a sample of the pipelines, to keep the suite fast).
  for (const workers of [1, 2, 4, 8]) {
    it(`${workers} worker${workers === 1 ? "" : "s"}`, async () => {
      for (let i = workers; i < PIPELINES; i += 12) {
        const c = cases[i] as Case;
        await fc.assert(
          fc.asyncProperty(t1Rows, t2Rows, fc.constantFrom(1, 3, 8), async (t1, t2, partitions) => {
            const expected = evaluateReference(c.module, { tables: { "t1.csv": t1, "t2.csv": t2 }, currentDate: CURRENT_DATE }).outputs.out ?? [];
            expectSameRows(await engine(c, t1, t2, partitions, c.optimized, workers), expected, c.spec.ordered, c.spec.source);
            expectSameRows(await engine(c, t1, t2, partitions, c.optimized, workers, true), expected, c.spec.ordered, `dictionary tables:\n${c.spec.source}`);
          }),
          { numRuns: 3, seed: 2000 + i },
        );
      }
    }, 120_000);
  }
});
