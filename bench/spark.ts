/**
 * The Spark target's client-side cost: translating the sales ETL's optimized plan into Spark
 * Connect relations (every sink), and encoding them as the protobuf messages sent to the server.
 * No server is needed. With `--remote sc://host:15002`, also db-benchmark's groupby questions
 * end to end through `job.run({ remote })` next to PySpark Connect running the same queries on
 * the same server (a cluster from `node scripts/spark-cluster.mjs start` will do).
 *
 *   npx tsx bench/spark.ts [--remote sc://127.0.0.1:15002] [--rows 1e5] [--runs 2]
 *
 * Prints the tables and records them in BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { compilePipeline, compilePipelines } from "../compiler/compile.ts";
import { optimize } from "../compiler/optimize/optimizer.ts";
import { planPhysical } from "../compiler/physical/plan-physical.ts";
import { serializePlan } from "../plan/serialize.ts";
import { createJob } from "../runtime/job.ts";
import { encodeMessage } from "../targets/spark/proto/codec.ts";
import { SESSION_CONF } from "../targets/spark/run-on-spark.ts";
import { translatePipeline } from "../targets/spark/translate-plan.ts";
import { recordSection } from "./benchmarks-md.ts";
import { groupbyData, prettySci } from "./db-benchmark/datagen.ts";
import { machineLine, packageVersion } from "./environment.ts";

const { values: flags } = parseArgs({
  options: { remote: { type: "string" }, rows: { type: "string" }, runs: { type: "string" } },
  strict: true,
});
const RUNS = 200;
const ENTRY = resolve(import.meta.dirname, "../examples/sales-etl/sales_etl.ts");
const { plan } = optimize(await compilePipeline(ENTRY));
const runValues = { currentDate: "2024-06-30", params: { min_quantity: 0 }, dataDir: "/data/sales-etl" };

function timeMs(f: () => void): { first: number; median: number } {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    f();
    samples.push(performance.now() - started);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { first: samples[0] as number, median: sorted[Math.floor(RUNS / 2)] as number };
}

let bytes = 0;
const translate = timeMs(() => translatePipeline(plan, runValues));
const encode = timeMs(() => {
  bytes = 0;
  for (const a of translatePipeline(plan, runValues)) {
    const message = a.kind === "Write" ? { command: a.command } : { root: a.relation };
    bytes += encodeMessage("spark.connect.Plan", message).length;
  }
});

const lines = [
  `| step | first run (ms) | median of ${RUNS} (ms) |`,
  "|---|---:|---:|",
  `| translate ${plan.sinks.length} sinks | ${translate.first.toFixed(2)} | ${translate.median.toFixed(2)} |`,
  `| translate + encode (${(bytes / 1024).toFixed(1)} KiB of protobuf) | ${encode.first.toFixed(2)} | ${encode.median.toFixed(2)} |`,
];
console.log(lines.join("\n"));

/** The groupby questions tsdf answers, as PySpark DataFrame code over the same CSV (db-benchmark's check). */
const PYSPARK_QUESTIONS: Readonly<Record<string, string>> = {
  "groupby-q1": 'x.groupBy("id1").agg(F.sum("v1").alias("v1")).agg(F.count("*"), F.sum("v1"))',
  "groupby-q2": 'x.groupBy("id1", "id2").agg(F.sum("v1").alias("v1")).agg(F.count("*"), F.sum("v1"))',
  "groupby-q3": 'x.groupBy("id3").agg(F.sum("v1").alias("v1"), F.avg("v3").alias("v3")).agg(F.count("*"), F.sum("v1"), F.sum("v3"))',
  "groupby-q4": 'x.groupBy("id4").agg(*[F.avg(c).alias(c) for c in ("v1", "v2", "v3")]).agg(F.count("*"), F.sum("v1"), F.sum("v2"), F.sum("v3"))',
  "groupby-q5": 'x.groupBy("id6").agg(*[F.sum(c).alias(c) for c in ("v1", "v2", "v3")]).agg(F.count("*"), F.sum("v1"), F.sum("v2"), F.sum("v3"))',
  "groupby-q7": 'x.groupBy("id3").agg((F.max("v1") - F.min("v2")).alias("r")).agg(F.count("*"), F.sum("r"))',
  "groupby-q10": 'x.groupBy("id1", "id2", "id3", "id4", "id5", "id6").agg(F.sum("v3").alias("v3"), F.count("*").alias("n")).agg(F.count("*"), F.sum("v3"), F.sum("n"))',
};

const PYSPARK_SCRIPT = `
import json, sys, time
from pyspark.sql import SparkSession, functions as F
remote, path, runs, questions, conf = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]), json.loads(sys.argv[5])
schema = "id1 STRING, id2 STRING, id3 STRING, id4 INT, id5 INT, id6 INT, v1 INT, v2 INT, v3 DOUBLE"
out = {}
for qid, code in questions.items():
    best = None
    for _ in range(runs):
        # One session per run, configured as tsdf's: what a script run once per job does.
        started = time.perf_counter()
        spark = SparkSession.builder.remote(remote).create()
        for k, v in conf.items():
            spark.conf.set(k, v)
        x = spark.read.csv(path, header=True, schema=schema)
        eval(code).collect()
        ms = (time.perf_counter() - started) * 1000
        spark.stop()
        best = ms if best is None else min(best, ms)
    out[qid] = best
print(json.dumps(out))
`;

/** Best wall time of each question through tsdf's client and through PySpark Connect, on the same server. */
async function groupbyOnSpark(url: string, rows: number, runs: number): Promise<string[]> {
  const data = await groupbyData(rows);
  const ids = Object.keys(PYSPARK_QUESTIONS);
  const plans = await compilePipelines(ids.map((id) => resolve(import.meta.dirname, "db-benchmark/pipelines", `${id}.ts`)));
  const tsdfMs: number[] = [];
  for (const logical of plans) {
    const job = createJob(serializePlan(optimize(logical).plan), planPhysical);
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      await job.run({ remote: url, dataDir: data.dir });
      best = Math.min(best, performance.now() - started);
    }
    tsdfMs.push(best);
  }
  const python = process.env.TSDF_BENCH_PYTHON ?? resolve(import.meta.dirname, "../.cache/spark-venv/bin/python");
  const py = spawnSync(python, ["-c", PYSPARK_SCRIPT, url, join(data.dir, "x.csv"), String(runs), JSON.stringify(PYSPARK_QUESTIONS), JSON.stringify(SESSION_CONF)], { encoding: "utf8" });
  if (py.status !== 0) throw new Error(`PySpark Connect failed: ${py.stderr}`);
  const pyMs = JSON.parse(py.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, number>;
  const table = [
    "",
    `db-benchmark groupby on ${prettySci(rows)} rows from CSV, end to end on the same Spark Connect server, one session per run for both clients (best of ${runs}; a ratio near 1: tsdf's client adds nothing measurable):`,
    "",
    "| question | tsdf --remote (s) | PySpark Connect (s) | tsdf / PySpark |",
    "|---|---:|---:|---:|",
    ...ids.map((id, i) => {
      const t = tsdfMs[i] as number;
      const p = pyMs[id] ?? Number.NaN;
      return `| ${id} | ${(t / 1000).toFixed(2)} | ${(p / 1000).toFixed(2)} | ${(t / p).toFixed(2)} |`;
    }),
  ];
  console.log(table.join("\n"));
  return table;
}

const remote = flags.remote ?? process.env.TSDF_BENCH_SPARK_REMOTE;
const endToEnd = remote === undefined ? [] : await groupbyOnSpark(remote, Number(flags.rows ?? 1e5), Number(flags.runs ?? 2));
recordSection("Spark Connect target", [
  "Plan translation for `tsdf run --remote` (goal: under 20 ms for the sales ETL): the optimized plan of",
  "examples/sales-etl becomes one Spark Connect relation or write command per sink, then protobuf bytes.",
  "",
  ...lines,
  ...endToEnd,
  "",
  `- Machine: ${machineLine()}`,
  `- Node ${process.version}; @bufbuild/protobuf ${packageVersion("@bufbuild/protobuf")}, @grpc/grpc-js ${packageVersion("@grpc/grpc-js")}; command: \`npx tsx bench/spark.ts${remote === undefined ? "" : " --remote <url>"}\``,
]);
console.log("recorded in BENCHMARKS.md");
