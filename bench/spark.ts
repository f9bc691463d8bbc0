/**
 * The Spark target's client-side cost: translating the sales ETL's optimized plan into Spark
 * Connect relations (every sink), and encoding them as the protobuf messages sent to the server.
 * Then db-benchmark's groupby questions end to end through `job.run({ remote })` next to
 * PySpark Connect sending the same queries to the same server: on `--remote` when given, else on
 * the loopback cluster of scripts/spark-cluster.mjs, started for the run (`--no-cluster` skips).
 *
 *   npx tsx bench/spark.ts [--remote sc://host:15002/;token=...] [--no-cluster] [--rows 1e6] [--runs 3]
 *
 * Prints the tables and records them in BENCHMARKS.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
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
  options: { remote: { type: "string" }, "no-cluster": { type: "boolean" }, rows: { type: "string" }, runs: { type: "string" } },
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

/**
 * The groupby questions tsdf answers, as PySpark DataFrame code sending Spark what tsdf's
 * translation sends (see `tsdf explain --target spark`): non-nullable columns filtered on not
 * null, integer sums and means on doubles. Only the client differs.
 */
const PYSPARK_QUESTIONS: Readonly<Record<string, string>> = {
  "groupby-q1": 'nn(x, "id1", "v1").groupBy("id1").agg(F.sum(dbl("v1")).alias("v1")).agg(F.count("*"), F.sum("v1"))',
  "groupby-q2": 'nn(x, "id1", "id2", "v1").groupBy("id1", "id2").agg(F.sum(dbl("v1")).alias("v1")).agg(F.count("*"), F.sum("v1"))',
  "groupby-q3": 'nn(x, "id3", "v1", "v3").groupBy("id3").agg(F.sum(dbl("v1")).alias("v1"), F.avg("v3").alias("v3")).agg(F.count("*"), F.sum("v1"), F.sum("v3"))',
  "groupby-q4":
    'nn(x, "id4", "v1", "v2", "v3").groupBy("id4").agg(F.avg(dbl("v1")).alias("v1"), F.avg(dbl("v2")).alias("v2"), F.avg("v3").alias("v3")).agg(F.count("*"), F.sum("v1"), F.sum("v2"), F.sum("v3"))',
  "groupby-q5":
    'nn(x, "id6", "v1", "v2", "v3").groupBy("id6").agg(F.sum(dbl("v1")).alias("v1"), F.sum(dbl("v2")).alias("v2"), F.sum("v3").alias("v3")).agg(F.count("*"), F.sum("v1"), F.sum("v2"), F.sum("v3"))',
  "groupby-q7":
    'nn(x, "id3", "v1", "v2").groupBy("id3").agg(F.max("v1").alias("a"), F.min("v2").alias("b")).select((F.coalesce("a", F.lit(0)).cast("double") - F.coalesce("b", F.lit(0)).cast("double")).alias("r")).agg(F.count("*"), F.sum("r"))',
  "groupby-q10":
    'nn(x, "id1", "id2", "id3", "id4", "id5", "id6", "v3").groupBy("id1", "id2", "id3", "id4", "id5", "id6").agg(F.sum("v3").alias("v3"), F.count("*").alias("n")).agg(F.count("*"), F.sum("v3"), F.sum("n"))',
};

/** Answers one question id per line on stdin with its wall time in ms on stdout. */
const PYSPARK_SCRIPT = `
import json, sys, time
from functools import reduce
from pyspark.sql import SparkSession, functions as F
remote, path, questions, conf = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
schema = "id1 STRING, id2 STRING, id3 STRING, id4 INT, id5 INT, id6 INT, v1 INT, v2 INT, v3 DOUBLE"
def nn(x, *cols):
    return x.filter(reduce(lambda a, b: a & b, [F.col(c).isNotNull() for c in cols])).select(*cols)
def dbl(c):
    return F.col(c).cast("double")
for line in sys.stdin:
    # One session per run, configured as tsdf's: what a script run once per job does.
    started = time.perf_counter()
    spark = SparkSession.builder.remote(remote).create()
    for k, v in conf.items():
        spark.conf.set(k, v)
    x = spark.read.csv(path, header=True, schema=schema, enforceSchema=False, mode="PERMISSIVE")
    eval(questions[line.strip()]).collect()
    ms = (time.perf_counter() - started) * 1000
    spark.stop()
    print(ms, flush=True)
`;

/**
 * PySpark sends a token without TLS only to a host named localhost (gRPC's local credentials);
 * tsdf's `;use_ssl=false` has no such rule, so the same loopback server is named so for PySpark.
 */
const pysparkUrl = (url: string) => url.replace(/^sc:\/\/127\.0\.0\.1([:/])/, "sc://localhost$1");

/** A PySpark Connect client kept running, so that its runs alternate with tsdf's under the same load. */
function pysparkClient(url: string, csv: string): { run(id: string): Promise<number>; close(): void } {
  const python = process.env.TSDF_BENCH_PYTHON ?? resolve(import.meta.dirname, "../.cache/spark-venv/bin/python");
  const child = spawn(python, ["-c", PYSPARK_SCRIPT, pysparkUrl(url), csv, JSON.stringify(PYSPARK_QUESTIONS), JSON.stringify(SESSION_CONF)], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(id) {
      child.stdin.write(`${id}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`PySpark Connect failed: ${stderr}`);
      return Number(next.value);
    },
    close: () => child.stdin.end(),
  };
}

/** Best wall time of each question through tsdf's client and through PySpark Connect, on the same server, runs alternating. */
async function groupbyOnSpark(url: string, rows: number, runs: number): Promise<string[]> {
  const data = await groupbyData(rows);
  const ids = Object.keys(PYSPARK_QUESTIONS);
  const plans = await compilePipelines(ids.map((id) => resolve(import.meta.dirname, "db-benchmark/pipelines", `${id}.ts`)));
  const pyspark = pysparkClient(url, join(data.dir, "x.csv"));
  const best: { tsdf: number; pyspark: number }[] = [];
  try {
    const jobs = plans.map((logical) => createJob(serializePlan(optimize(logical).plan), planPhysical));
    // A fresh server compiles and loads classes on its first queries: one untimed round of each.
    for (const [i, job] of jobs.entries()) {
      await job.run({ remote: url, dataDir: data.dir });
      await pyspark.run(ids[i] as string);
    }
    for (const [i, job] of jobs.entries()) {
      const b = { tsdf: Number.POSITIVE_INFINITY, pyspark: Number.POSITIVE_INFINITY };
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        await job.run({ remote: url, dataDir: data.dir });
        b.tsdf = Math.min(b.tsdf, performance.now() - started);
        b.pyspark = Math.min(b.pyspark, await pyspark.run(ids[i] as string));
      }
      best.push(b);
      process.stderr.write(`${ids[i]}: tsdf ${(b.tsdf / 1000).toFixed(2)} s, PySpark ${(b.pyspark / 1000).toFixed(2)} s\n`);
    }
  } finally {
    pyspark.close();
  }
  const table = [
    "",
    `db-benchmark groupby on ${prettySci(rows)} rows from CSV, end to end on the same Spark Connect server (the same queries; one session per run for both clients; after one untimed round, runs alternate between the clients, best of ${runs}; a ratio near 1: tsdf's client adds nothing measurable):`,
    "",
    "| question | tsdf --remote (s) | PySpark Connect (s) | tsdf / PySpark |",
    "|---|---:|---:|---:|",
    ...ids.map((id, i) => {
      const { tsdf, pyspark } = best[i] as { tsdf: number; pyspark: number };
      return `| ${id} | ${(tsdf / 1000).toFixed(2)} | ${(pyspark / 1000).toFixed(2)} | ${(tsdf / pyspark).toFixed(2)} |`;
    }),
  ];
  console.log(table.join("\n"));
  return table;
}

/** The loopback cluster of scripts/spark-cluster.mjs (what `npm run test:spark` starts), for the run. */
function startLocalCluster(): string {
  const script = resolve(import.meta.dirname, "../scripts/spark-cluster.mjs");
  const r = spawnSync(process.execPath, [script, "start"], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error("could not start the local Spark cluster (scripts/spark-cluster.mjs start)");
  return readFileSync(resolve(import.meta.dirname, "../.cache/spark-cluster/remote"), "utf8").trim();
}

function stopLocalCluster(): void {
  spawnSync(process.execPath, [resolve(import.meta.dirname, "../scripts/spark-cluster.mjs"), "stop"], { stdio: ["ignore", "inherit", "inherit"] });
}

const given = flags.remote ?? process.env.TSDF_BENCH_SPARK_REMOTE;
const remote = given ?? (flags["no-cluster"] ? undefined : startLocalCluster());
let endToEnd: string[] = [];
try {
  if (remote !== undefined) endToEnd = await groupbyOnSpark(remote, Number(flags.rows ?? 1e6), Number(flags.runs ?? 3));
} finally {
  if (given === undefined && remote !== undefined) stopLocalCluster();
}
recordSection("Spark Connect target", [
  "Plan translation for `tsdf run --remote` (goal: under 20 ms for the sales ETL): the optimized plan of",
  "examples/sales-etl becomes one Spark Connect relation or write command per sink, then protobuf bytes.",
  "",
  ...lines,
  ...endToEnd,
  "",
  `- Machine: ${machineLine()}`,
  `- Node ${process.version}; @bufbuild/protobuf ${packageVersion("@bufbuild/protobuf")}, @grpc/grpc-js ${packageVersion("@grpc/grpc-js")}; command: \`npx tsx bench/spark.ts${given !== undefined ? " --remote <url>" : remote === undefined ? " --no-cluster" : ""}\``,
  ...(remote !== undefined && given === undefined ? ["- Server: scripts/spark-cluster.mjs on loopback (pyspark 4.0.1: a standalone master, 2 workers of 1 core, Spark Connect, 4 shuffle partitions)"] : []),
]);
console.log("recorded in BENCHMARKS.md");
