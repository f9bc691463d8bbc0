/**
 * db-benchmark's groupby and join questions answered by tsdf, DuckDB, Polars and Arquero on the
 * same seeded data with the same thread count; each engine and mode runs in its own process.
 * Answers are cross-checked (a mismatch fails the run after the table is written); then the
 * sales ETL example at scale and a cold `tsdf build`. Prints the tables and records them in
 * BENCHMARKS.md.
 *
 *   npx tsx bench/db-benchmark/run.ts [--rows 1e6] [--threads 1] [--runs 5]
 *       [--questions groupby-q1,join] [--engines tsdf,DuckDB,Polars,Arquero] [--modes memory,file]
 *       [--sales 1e6 | --sales 0]
 */
import { spawn } from "node:child_process";
import * as os from "node:os";
import { parseArgs } from "node:util";
import { recordSection } from "../benchmarks-md.ts";
import { machineLine, packageVersion, tsdfVersion } from "../environment.ts";
import { DEFAULT_SEED, groupbyData, joinData, prettySci } from "./datagen.ts";
import type { EngineName, EngineReport, EngineRun, Mode, QuestionResult } from "./engine-process.ts";
import { type Answer, type Question, selectQuestions } from "./questions.ts";
import { BUILDS, type SalesEtlResult, salesEtl } from "./sales-etl.ts";

const ENGINES: readonly EngineName[] = ["tsdf", "DuckDB", "Polars", "Arquero"];
const MODES: readonly Mode[] = ["memory", "file"];
const MODE_TITLE: Record<Mode, string> = { memory: "in memory", file: "end to end from CSV" };

function count(name: string, raw: string | undefined, fallback: number, min = 1): number {
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(v) || v < min || !Number.isInteger(v)) throw new Error(`--${name} expects an integer ≥ ${min}, got '${raw}'`);
  return v;
}

function listOf<T extends string>(name: string, raw: string | undefined, all: readonly T[]): T[] {
  if (raw === undefined) return [...all];
  const picked = raw.split(",").map((s) => all.find((a) => a.toLowerCase() === s.trim().toLowerCase()));
  if (picked.some((p) => p === undefined)) throw new Error(`--${name} takes a comma-separated subset of ${all.join(",")}, got '${raw}'`);
  return picked as T[];
}

const { values: flags } = parseArgs({
  options: {
    rows: { type: "string" },
    threads: { type: "string" },
    runs: { type: "string" },
    questions: { type: "string" },
    engines: { type: "string" },
    modes: { type: "string" },
    sales: { type: "string" },
    seed: { type: "string" },
  },
  strict: true,
});
const rows = count("rows", flags.rows ?? process.env.TSDF_BENCH_ROWS, 1e6);
const threads = count("threads", flags.threads ?? process.env.TSDF_BENCH_THREADS, 1);
const runs = count("runs", flags.runs, 5);
const seed = count("seed", flags.seed, DEFAULT_SEED, 0);
const sales = count("sales", flags.sales, 1e6, 0);
const questions = selectQuestions(flags.questions ?? process.env.TSDF_BENCH_QUESTIONS);
const engines = listOf("engines", flags.engines, ENGINES);
const modes = listOf("modes", flags.modes, MODES);

const loadAtStart = os.loadavg()[0] ?? 0;
if (questions.some((q) => q.suite === "groupby")) await groupbyData(rows, seed);
if (questions.some((q) => q.suite === "join")) await joinData(rows, seed);

/** Runs one engine in one mode in a child process (tsx, so the tsdf engine compiles from sources). */
function runChild(run: EngineRun): Promise<EngineReport | { error: string }> {
  return new Promise((resolve) => {
    const tsx = new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url).pathname;
    const child = spawn(process.execPath, [tsx, new URL("./engine-process.ts", import.meta.url).pathname, JSON.stringify(run)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last) as EngineReport);
      else resolve({ error: `exit code ${code}${last ? `: ${last}` : ""}` });
    });
  });
}

const reports: EngineReport[] = [];
const failedEngines: string[] = [];
for (const mode of modes) {
  for (const engine of engines) {
    process.stderr.write(`${engine}, ${MODE_TITLE[mode]} …\n`);
    const r = await runChild({ engine, mode, rows, seed, threads, runs: mode === "memory" ? runs : 1, questions: questions.map((q) => q.id) });
    if ("error" in r) failedEngines.push(`${engine} (${MODE_TITLE[mode]}): ${r.error}`);
    else reports.push(r);
  }
}

// ── Cross-check: every answer against DuckDB's in-memory one (or the first engine's). ──
const RELATIVE_TOLERANCE = 1e-9;
// A NaN in an answer arrives from the child's JSON as null: two of them agree.
const same = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
const mismatches: string[] = [];
const resultOf = (engine: EngineName, mode: Mode, q: Question): QuestionResult | undefined =>
  reports.find((r) => r.engine === engine && r.mode === mode)?.results.find((x) => x.question === q.id);
const okAnswers = (q: Question) =>
  reports.flatMap((r) => {
    const x = r.results.find((y) => y.question === q.id);
    return x?.kind === "ok" ? [{ engine: r.engine, mode: r.mode, answer: x.answer }] : [];
  });
const wrong = new Set<string>();
for (const q of questions) {
  const all = okAnswers(q);
  const reference = all.find((a) => a.engine === "DuckDB" && a.mode === "memory") ?? all[0];
  if (!reference) continue;
  for (const a of all) {
    const bad = Object.keys(reference.answer).filter((k) => !same(reference.answer[k] ?? null, (a.answer as Answer)[k] ?? null));
    if (bad.length > 0) {
      wrong.add(`${a.engine}/${a.mode}/${q.id}`);
      mismatches.push(
        `${q.id}: ${a.engine} (${MODE_TITLE[a.mode]}) ${JSON.stringify(a.answer)} ≠ ${reference.engine} (${MODE_TITLE[reference.mode]}) ${JSON.stringify(reference.answer)}`,
      );
    }
  }
}

// ── Tables ──
const peers = engines.filter((e) => e !== "tsdf");
const fmt = (s: number) => (s < 0.1 ? s.toFixed(3) : s < 10 ? s.toFixed(2) : s.toFixed(1));
function cell(engine: EngineName, mode: Mode, q: Question): string {
  const x = resultOf(engine, mode, q);
  if (!x) return "";
  switch (x.kind) {
    case "ok":
      return `${fmt(x.seconds)}${wrong.has(`${engine}/${mode}/${q.id}`) ? " ✗" : ""}`;
    case "unsupported":
      return "—";
    case "error":
      return "error";
  }
}
function ratio(mode: Mode, q: Question, peer: EngineName): string {
  const a = resultOf("tsdf", mode, q);
  const b = resultOf(peer, mode, q);
  return a?.kind === "ok" && b?.kind === "ok" ? `${(a.seconds / b.seconds).toFixed(1)}×` : "";
}
function timesTable(mode: Mode): string[] {
  const header = ["question", ...engines, ...(engines.includes("tsdf") ? peers.map((p) => `tsdf / ${p}`) : [])];
  const lines = questions.map((q) => [
    `${q.id} ${q.title}`,
    ...engines.map((e) => cell(e, mode, q)),
    ...(engines.includes("tsdf") ? peers.map((p) => ratio(mode, q, p)) : []),
  ]);
  return markdownTable(header, lines);
}
function markdownTable(header: readonly string[], lines: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...lines.map((l) => `| ${l.join(" | ")} |`)];
}
const mb = (bytes: number | undefined) => (bytes === undefined ? "" : `${Math.round(bytes / 2 ** 20).toLocaleString("en-US")} MiB`);
const memoryTable = markdownTable(
  ["engine", ...modes.map((m) => `peak RSS, ${MODE_TITLE[m]}`)],
  engines.map((e) => [e, ...modes.map((m) => mb(reports.find((r) => r.engine === e && r.mode === m)?.maxRssBytes))]),
);
const arrowBytes = reports.find((r) => r.engine === "tsdf" && r.mode === "memory")?.loadedBytes ?? {};

const etl: SalesEtlResult | undefined = sales > 0 && engines.includes("tsdf") ? await salesEtl(sales, seed, threads) : undefined;
const etlLines = etl
  ? [
      `- \`tsdf build examples/sales-etl/sales_etl.ts\`, cold (a fresh process into an empty folder, type check included; best of ${BUILDS}): ${etl.build.ok ? `${etl.build.seconds.toFixed(2)} s` : `failed: ${etl.build.stderr.trim().split("\n")[0]}`}`,
      `- The sales ETL bundle end to end over ${etl.sales.toLocaleString("en-US")} sales rows (${Math.floor(etl.sales / 20).toLocaleString("en-US")} customers; CSV in, Parquet and CSV out; process start to exit): ${etl.run.ok ? `${etl.run.seconds.toFixed(2)} s, peak RSS ${mb(etl.run.maxRssBytes)}` : `failed: ${etl.run.stderr.trim().split("\n").slice(-3).join(" ")}`}`,
    ]
  : [];

const versions = [
  `tsdf ${tsdfVersion()}`,
  `apache-arrow ${packageVersion("apache-arrow")}`,
  ...reports.filter((r) => r.mode === modes[0] && r.engine !== "tsdf").map((r) => `${r.engine === "DuckDB" ? "@duckdb/node-api" : r.engine === "Polars" ? "nodejs-polars" : "arquero"} ${r.version}`),
];
const given = Object.entries(flags).map(([name, value]) => ` --${name} ${value}`);
const rerun = `npm run bench --${given.join("") || " --rows 1e6"}`;
const body = [
  `db-benchmark's questions (h2oai/db-benchmark: groupby G1_${prettySci(rows)}_1e2_0_0, join J1_${prettySci(rows)}_NA_0_0) on data generated`,
  "here with the same distributions and a seeded RNG (bench/db-benchmark/datagen.ts). Each engine runs in its own",
  "process; each answer is checked by its row count and column sums, and the engines' checks must agree.",
  `Times in seconds; in memory: best of ${runs} over tables loaded before timing (tsdf: Arrow batches read from Parquet, their`,
  "repeated strings dictionary-encoded, handed to the driver; DuckDB: tables; Polars: DataFrames; Arquero: tables parsed",
  "from CSV); end to end: one run reading the CSV files. A ratio above 1× means tsdf is slower. — : the engine cannot",
  "answer the question.",
  "",
  ...modes.flatMap((m) => [`### ${MODE_TITLE[m]}, ${rows.toLocaleString("en-US")} rows, ${threads} thread${threads === 1 ? "" : "s"}`, "", ...timesTable(m), ""]),
  "### Peak memory (max RSS of each engine's process)",
  "",
  ...memoryTable,
  "",
  ...(arrowBytes.groupby !== undefined || arrowBytes.join !== undefined
    ? [
        `Input as plain Arrow in memory (strings not dictionary-encoded): ${[arrowBytes.groupby !== undefined ? `groupby ${mb(arrowBytes.groupby)}` : "", arrowBytes.join !== undefined ? `join ${mb(arrowBytes.join)}` : ""].filter(Boolean).join(", ")}.`,
        "",
      ]
    : []),
  ...(etlLines.length > 0 ? ["### Sales ETL and build", "", ...etlLines, ""] : []),
  ...questions.filter((q) => q.tsdfMissing).map((q) => `- tsdf cannot answer ${q.id} (${q.title}): ${q.tsdfMissing}.`),
  ...(questions.some((q) => q.id === "groupby-q9") ? ["- groupby-q9 in tsdf computes r² from group means (no corr() aggregate); the others call corr()."] : []),
  ...failedEngines.map((f) => `- Failed: ${f}`),
  ...mismatches.map((m) => `- **Answers differ** (✗): ${m}`),
  `- Machine: ${machineLine(loadAtStart)}`,
  `- Node ${process.version}; ${versions.join(", ")}`,
  `- Threads: ${threads} for every engine (tsdf: ${threads > 1 ? `${threads} worker threads and partitions` : "tasks in the calling thread, 1 partition"}; DuckDB threads; POLARS_MAX_THREADS; Arquero has one).`,
  `- Command: \`${rerun}\` (this section alone: \`npx tsx bench/db-benchmark/run.ts${given.join("")}\`)`,
];

for (const m of modes) {
  console.log(`\n${MODE_TITLE[m]}:`);
  console.log(timesTable(m).join("\n"));
}
console.log(`\n${memoryTable.join("\n")}`);
for (const l of etlLines) console.log(l);
recordSection(`db-benchmark, ${prettySci(rows)} rows`, body);
console.log(`recorded in BENCHMARKS.md (## db-benchmark, ${prettySci(rows)} rows)`);
if (mismatches.length > 0 || failedEngines.length > 0) {
  for (const m of mismatches) console.error(`MISMATCH ${m}`);
  for (const f of failedEngines) console.error(`FAILED ${f}`);
  process.exitCode = 1;
}
