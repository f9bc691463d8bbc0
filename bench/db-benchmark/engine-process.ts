/**
 * One engine's run of the selected questions, in its own process so that its peak memory (max
 * RSS) is its own: `npx tsx engine-process.ts '<EngineRun JSON>'` prints one JSON line, an
 * EngineReport. bench/db-benchmark/run.ts starts one per engine and mode.
 */
import { packageVersion } from "../environment.ts";
import { type Dataset, groupbyData, joinData } from "./datagen.ts";
import type { Engine } from "./engines/engine.ts";
import { type Answer, QUESTIONS, type Question, type Suite } from "./questions.ts";

export type EngineName = "tsdf" | "DuckDB" | "Polars" | "Arquero";
export type Mode = "memory" | "file";

export interface EngineRun {
  readonly engine: EngineName;
  readonly mode: Mode;
  readonly rows: number;
  readonly seed: number;
  readonly threads: number;
  /** Timed runs per question; the best counts. */
  readonly runs: number;
  readonly questions: readonly string[];
}

export type QuestionResult =
  | { readonly question: string; readonly kind: "ok"; readonly seconds: number; readonly answer: Answer }
  | { readonly question: string; readonly kind: "unsupported" }
  | { readonly question: string; readonly kind: "error"; readonly message: string };

export interface EngineReport {
  readonly engine: EngineName;
  readonly version: string;
  readonly mode: Mode;
  readonly results: readonly QuestionResult[];
  /** The process's peak resident memory. */
  readonly maxRssBytes: number;
  /** Per suite, the loaded tables' size in memory where the engine tells (tsdf: Arrow buffers). */
  readonly loadedBytes: Partial<Record<Suite, number>>;
}

async function createEngine(run: EngineRun, questions: readonly Question[]): Promise<Engine> {
  const opts = { threads: run.threads };
  switch (run.engine) {
    case "tsdf": {
      const { tsdfEngine } = await import("./engines/tsdf.ts");
      return tsdfEngine(opts, packageVersion("apache-arrow"), questions);
    }
    case "DuckDB": {
      const { duckdbEngine } = await import("./engines/duckdb.ts");
      return duckdbEngine(opts, packageVersion("@duckdb/node-api"));
    }
    case "Polars": {
      const { polarsEngine } = await import("./engines/polars.ts");
      return polarsEngine(opts, packageVersion("nodejs-polars"));
    }
    case "Arquero": {
      const { arqueroEngine } = await import("./engines/arquero.ts");
      return arqueroEngine(packageVersion("arquero"));
    }
  }
}

async function timed(runs: number, answer: () => Promise<Answer>): Promise<{ seconds: number; answer: Answer }> {
  let seconds = Number.POSITIVE_INFINITY;
  let last: Answer = {};
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await answer();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds, answer: last };
}

export async function runEngine(run: EngineRun): Promise<EngineReport> {
  const questions = QUESTIONS.filter((q) => run.questions.includes(q.id));
  const engine = await createEngine(run, questions);
  const results: QuestionResult[] = [];
  const loadedBytes: Partial<Record<Suite, number>> = {};
  const datasets: Record<Suite, () => Promise<Dataset>> = { groupby: () => groupbyData(run.rows, run.seed), join: () => joinData(run.rows, run.seed) };
  for (const suite of ["groupby", "join"] as const) {
    const inSuite = questions.filter((q) => q.suite === suite);
    if (inSuite.length === 0) continue;
    const data = await datasets[suite]();
    if (run.mode === "memory") {
      const bytes = await engine.load(data);
      if (bytes !== undefined) loadedBytes[suite] = bytes;
    }
    for (const q of inSuite) {
      if (!engine.answers(q)) {
        results.push({ question: q.id, kind: "unsupported" });
        continue;
      }
      try {
        const r = await timed(run.runs, () => (run.mode === "memory" ? engine.inMemory(q) : engine.fromFile(q, data)));
        results.push({ question: q.id, kind: "ok", ...r });
      } catch (e) {
        results.push({ question: q.id, kind: "error", message: (e as Error).message.split("\n")[0] ?? String(e) });
      }
    }
    if (run.mode === "memory") await engine.unload();
  }
  await engine.close();
  return { engine: run.engine, version: engine.version, mode: run.mode, results, maxRssBytes: process.resourceUsage().maxRSS * 1024, loadedBytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await runEngine(JSON.parse(process.argv[2] ?? "{}") as EngineRun);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
