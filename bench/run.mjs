// `npm run bench [-- options]`: db-benchmark's questions against DuckDB, Polars and Arquero
// (bench/db-benchmark/run.ts), then file reading (bench/io.ts), the DSL's types (bench/types.ts),
// the parallel runtime's speedup and recovery (bench/parallel.ts, 1e7 rows unless --rows), the
// optimizer on and off (bench/optimizer.ts) and the Spark target's translation time and, on a
// loopback Spark cluster started for it, db-benchmark's groupby via --remote next to PySpark
// Connect (bench/spark.ts); each records its own section of BENCHMARKS.md.
//
//   --rows N          table size (default 1e6, also TSDF_BENCH_ROWS; e.g. --rows 1e7)
//   --threads T       threads for every engine (default 1, also TSDF_BENCH_THREADS)
//   --questions LIST  e.g. groupby-q1,groupby-q2 or groupby or join (also TSDF_BENCH_QUESTIONS)
//   --engines LIST    subset of tsdf,DuckDB,Polars,Arquero     --modes memory,file
//   --runs R          timed runs in memory (best counts; default 5)
//   --sales N         sales ETL rows (default 1e6; 0 skips it and the build timing)
//   --only NAME       one of db-benchmark, io, types, parallel, optimizer, spark
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: Object.fromEntries(
    ["rows", "threads", "questions", "engines", "modes", "runs", "sales", "only"].map((name) => [name, { type: "string" }]),
  ),
  strict: true,
});
const pass = (...names) => names.flatMap((n) => (values[n] === undefined ? [] : [`--${n}`, values[n]]));
const scripts = [
  ["db-benchmark", "./db-benchmark/run.ts", pass("rows", "threads", "questions", "engines", "modes", "runs", "sales")],
  ["io", "./io.ts", pass("rows", "threads")],
  ["types", "./types.ts", []],
  ["parallel", "./parallel.ts", pass("rows")],
  ["optimizer", "./optimizer.ts", []],
  ["spark", "./spark.ts", pass("rows")],
];
if (values.only !== undefined && !scripts.some(([name]) => name === values.only)) {
  console.error(`--only takes one of ${scripts.map(([name]) => name).join(", ")}`);
  process.exit(2);
}
const tsx = createRequire(import.meta.url).resolve("tsx/cli");
let failed = 0;
for (const [name, script, args] of scripts) {
  if (values.only !== undefined && values.only !== name) continue;
  const r = spawnSync(process.execPath, [tsx, new URL(script, import.meta.url).pathname, ...args], { stdio: "inherit" });
  // A failed cross-check still records its table; report it at the end, after the others ran.
  if (r.status !== 0) failed = r.status ?? 1;
}
process.exit(failed);
