/**
 * Editor-side benchmark of the DSL's types: a 300-column × 40-step pipeline (and 1000 × 80),
 * checked by TypeScript 6 (what ts-morph bundles) and TypeScript 7 (the native compiler, when
 * installed as the `typescript7` dev dependency), plus language-service completion latency
 * after an edit. Prints a table; `bench/run.mjs` records it in BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pipelineService, widePipeline } from "../test/types/wide-pipeline.ts";
import { recordSection } from "./benchmarks-md.ts";

const DIR = resolve(import.meta.dirname, "data/types");
const require = createRequire(import.meta.url);

function writeCase(columns: number, steps: number): string {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `wide_${columns}x${steps}.ts`);
  writeFileSync(file, widePipeline(columns, steps).replace("COMPLETE_HERE", "c0"));
  writeFileSync(
    join(DIR, `tsconfig_${columns}x${steps}.json`),
    JSON.stringify({ extends: "../../../tsconfig.json", compilerOptions: { types: [] }, include: [`wide_${columns}x${steps}.ts`] }),
  );
  return file;
}

interface TscRun {
  readonly seconds: number;
  readonly errors: number;
  readonly ts2589: number;
  readonly instantiations?: number;
}

function runTsc(tscBin: string, columns: number, steps: number): TscRun {
  const started = performance.now();
  const r = spawnSync(process.execPath, [tscBin, "--noEmit", "--extendedDiagnostics", "-p", join(DIR, `tsconfig_${columns}x${steps}.json`)], { encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  const out = `${r.stdout}${r.stderr}`;
  const inst = /Instantiations:\s+(\d+)/.exec(out)?.[1];
  return {
    seconds,
    errors: (out.match(/error TS\d+/g) ?? []).length,
    ts2589: (out.match(/error TS2589/g) ?? []).length,
    ...(inst !== undefined && { instantiations: Number(inst) }),
  };
}

/**
 * Median wall and CPU time of a completion request at the end of the chain after an edit. CPU time
 * is reported too because on a shared machine wall time mostly measures the wait for a core.
 */
function completionLatency(file: string, edits: number): { medianMs: number; medianCpuMs: number; columns: number } {
  let version = 0;
  const service = pipelineService(DIR, file, () => String(version));
  const text = widePipeline(300, 40);
  const at = text.indexOf("r.COMPLETE_HERE") + 2;
  service.getCompletionsAtPosition(file, at, {});
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let columns = 0;
  for (let i = 0; i < edits; i++) {
    version++;
    const started = performance.now();
    const cpu = process.cpuUsage();
    columns = service.getCompletionsAtPosition(file, at, {})?.entries.length ?? 0;
    const used = process.cpuUsage(cpu);
    times.push(performance.now() - started);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  return { medianMs: median(times), medianCpuMs: median(cpuTimes), columns };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export interface TypesBench {
  readonly rows: string[][];
}

export function runTypesBench(): TypesBench {
  const ts6 = require.resolve("typescript/bin/tsc");
  const ts7Bin = resolve(import.meta.dirname, "../node_modules/typescript7/bin/tsc");
  const ts7 = existsSync(ts7Bin) ? ts7Bin : undefined;
  const rows: string[][] = [];
  for (const [columns, steps] of [
    [300, 40],
    [1000, 80],
  ] as const) {
    const file = writeCase(columns, steps);
    const six = runTsc(ts6, columns, steps);
    const seven = ts7 ? runTsc(ts7, columns, steps) : undefined;
    const completion = columns === 300 ? completionLatency(file, 15) : undefined;
    rows.push([
      `${columns} × ${steps}`,
      `${six.errors} (${six.ts2589} TS2589)`,
      `${six.seconds.toFixed(2)} s`,
      six.instantiations?.toLocaleString("en-US") ?? "?",
      seven ? `${seven.errors} errors, ${seven.seconds.toFixed(2)} s` : "not installed",
      completion ? `${completion.medianMs.toFixed(0)} ms, CPU ${completion.medianCpuMs.toFixed(0)} ms (${completion.columns} entries)` : "",
    ]);
  }
  return { rows };
}

export const TYPES_HEADER = ["schema × chain", "TS 6 errors", "TS 6 tsc", "instantiations", "TS 7 tsc", "completion after edit (median)"];

/** Replaces this benchmark's section of BENCHMARKS.md. */
function recordInBenchmarks(rows: readonly string[][]): void {
  const table = [TYPES_HEADER, TYPES_HEADER.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`);
  recordSection("Editor types", [
    "The DSL's row types on a wide schema and a long chain (withColumn / filter / withColumns /",
    "withColumnRenamed, then groupBy().agg()), as `tsc --noEmit` and an editor's language service see them.",
    "Completion: median over 15 edits of the language service's completions at the end of the chain",
    "(wall time, and the CPU time the process used: on a busy machine wall time mostly measures the wait for a core).",
    "",
    ...table,
    "",
    `- TypeScript ${require("typescript/package.json").version} (what ts-morph bundles)${existsSync(resolve(import.meta.dirname, "../node_modules/typescript7/package.json")) ? ` and ${require("typescript7/package.json").version}` : ""}; Node ${process.version}`,
    "- Command: `npm run bench` (this section: `npx tsx bench/types.ts`)",
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = runTypesBench();
  for (const r of [TYPES_HEADER, ...rows]) console.log(r.join(" | "));
  recordInBenchmarks(rows);
  console.log("recorded in BENCHMARKS.md");
}
