/**
 * What the optimizer saves: bytes the readers decode and wall time, for plans run as traced and
 * as optimized (every rule on), over the same files.
 *
 *   npx tsx bench/optimizer.ts                      # sales ETL at 2e5 sales rows, G1 at 1e6 rows
 *   npx tsx bench/optimizer.ts --sales 1000000 --rows 10000000 --partitions 2
 *
 * Workloads: the sales ETL example (CSV, built from its source as `tsdf build` does) on input
 * generated at scale; db-benchmark's G1 table (bench/db-benchmark/datagen.ts) as CSV and as
 * Parquet, with a selective filter, a projection and a grouped aggregate; and the same table
 * sorted by `id6` and written by tsdf as Parquet (row groups of 122,880 rows), with a range filter
 * on `id6` that row-group statistics can answer. Bytes decoded are the readers' own counters over
 * the physical plan's scans: a CSV split's byte range, the Parquet column chunks read.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { compilePipeline } from "../compiler/compile.ts";
import { optimize } from "../compiler/optimize/optimizer.ts";
import { planPhysical } from "../compiler/physical/plan-physical.ts";
import * as b from "../plan/builder.ts";
import { type BinaryOp, col, type Expr, lit } from "../plan/expr.ts";
import type { FileFormat, LogicalPlan, PipelinePlan } from "../plan/logical.ts";
import { type PhysicalPlan, physicalInputs, type ScanExec } from "../plan/physical.ts";
import { runPipeline } from "../runtime/driver.ts";
import type { ReadMetrics } from "../runtime/io/row-assembler.ts";
import { planScan, readScanSplit } from "../runtime/io/scan-splits.ts";
import { resolveParams } from "../runtime/job.ts";
import { DATA_ROOT, GROUPBY_TABLE, groupbyData, prettySci } from "./db-benchmark/datagen.ts";
import { tableSchema } from "./db-benchmark/engines/tsdf.ts";
import { salesData } from "./db-benchmark/sales-etl.ts";
import { machineLine } from "./environment.ts";

const { values } = parseArgs({ options: { sales: { type: "string" }, rows: { type: "string" }, partitions: { type: "string" }, runs: { type: "string" } }, strict: true });
const count = (v: string | undefined, fallback: number) => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n < 1) throw new Error(`expected a positive number, got ${v}`);
  return Math.floor(n);
};
const SALES = count(values.sales, 200_000);
const ROWS = count(values.rows, 1_000_000);
const PARTITIONS = count(values.partitions, 2);
const RUNS = count(values.runs, 2);
const CURRENT_DATE = "2024-06-30";

interface Workload {
  readonly name: string;
  readonly format: FileFormat;
  readonly dataDir: string;
  readonly plan: PipelinePlan;
}

interface Measured {
  readonly seconds: number;
  readonly metrics: ReadMetrics;
}

const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: "Binary", op, left, right });
const and = (left: Expr, right: Expr): Expr => ({ kind: "Logical", op: "&&", left, right });
const outputs = (name: string, plan: LogicalPlan): PipelinePlan => ({ name, params: [], sinks: [{ kind: "Output", name: "out", input: plan }] });

/** G1: `id1 === "id001" && v1 >= 3`, then sum(v3) and count() by id4. */
function groupQuery(format: FileFormat, file: string): PipelinePlan {
  const scan = b.scan(format, file, tableSchema(GROUPBY_TABLE), format === "csv" ? { header: true } : {});
  const filtered = b.filter(scan, and(bin("===", col("id1"), lit("id001", "utf8")), bin(">=", col("v1"), lit(3, "int32"))));
  return outputs("g1_filter_group", b.aggregate(filtered, ["id4"], [
    { name: "v3", expr: { kind: "Agg", fn: "sum", arg: col("v3") } },
    { name: "n", expr: { kind: "Agg", fn: "count" } },
  ]));
}

/** G1 sorted by id6: `id6 <= 500`, then sum(v3) and count() over the rows. */
function rangeQuery(file: string): PipelinePlan {
  const filtered = b.filter(b.scan("parquet", file, tableSchema(GROUPBY_TABLE), {}), bin("<=", col("id6"), lit(500, "int32")));
  return outputs("g1_sorted_range", b.aggregate(filtered, [], [
    { name: "v3", expr: { kind: "Agg", fn: "sum", arg: col("v3") } },
    { name: "n", expr: { kind: "Agg", fn: "count" } },
  ]));
}

/** The G1 table sorted by id6, written by tsdf as Parquet under the data folder (once). */
async function sortedCopy(dir: string): Promise<string> {
  const out = "x_by_id6.parquet";
  if (!existsSync(path.join(dir, out))) {
    const sorted = b.sort(b.scan("parquet", "x.parquet", tableSchema(GROUPBY_TABLE), {}), [{ expr: col("id6"), descending: false, nullsFirst: true }]);
    const write: PipelinePlan = { name: "sort", params: [], sinks: [{ kind: "Write", input: sorted, format: "parquet", path: out, options: { mode: "overwrite" } }] };
    await runPipeline(planPhysical(write, { partitions: 1 }), { dataDir: dir, currentDate: CURRENT_DATE, params: {}, out: () => {}, err: () => {} });
  }
  return out;
}

function scansOf(roots: readonly PhysicalPlan[]): ScanExec[] {
  const seen = new Set<PhysicalPlan>();
  const scans: ScanExec[] = [];
  const visit = (p: PhysicalPlan): void => {
    if (seen.has(p)) return;
    seen.add(p);
    if (p.kind === "ScanExec") scans.push(p);
    for (const c of physicalInputs(p)) visit(c);
  };
  for (const r of roots) visit(r);
  return scans;
}

/**
 * Best wall times of RUNS runs of each plan, after one warm-up run of each (compiled kernels, the
 * Parquet codec and the page cache warm), the plans taking turns so that load from other work on
 * the machine falls on both alike; and what each plan's scans decode, counted by reading them once
 * more, untimed.
 */
async function measure(w: Workload, plans: readonly PipelinePlan[]): Promise<Measured[]> {
  const physical = plans.map((plan) => planPhysical(plan, { partitions: PARTITIONS }));
  const seconds = plans.map(() => Number.POSITIVE_INFINITY);
  for (let i = 0; i <= RUNS; i++) {
    for (const [k, p] of physical.entries()) {
      const t0 = performance.now();
      await runPipeline(p, { dataDir: w.dataDir, currentDate: CURRENT_DATE, params: resolveParams(w.plan.params, {}), out: () => {}, err: () => {} });
      if (i > 0) seconds[k] = Math.min(seconds[k] as number, (performance.now() - t0) / 1000);
    }
  }
  const measured: Measured[] = [];
  for (const [k, p] of physical.entries()) {
    const metrics: ReadMetrics = { malformedRows: 0, droppedRows: 0, bytesDecoded: 0, rowGroupsRead: 0, rowGroupsSkipped: 0 };
    for (const scan of scansOf(p.sinks.map((s) => s.input))) {
      for (const split of await planScan(scan, w.dataDir)) await readScanSplit(scan, split, w.dataDir, metrics);
    }
    measured.push({ seconds: seconds[k] as number, metrics });
  }
  return measured;
}

const mb = (n: number | undefined) => ((n ?? 0) / 1e6).toFixed(1);

const groupby = await groupbyData(ROWS);
const salesDir = await salesData(SALES, 1);
const workloads: Workload[] = [
  { name: `sales ETL (${prettySci(SALES)} sales)`, format: "csv", dataDir: salesDir, plan: await compilePipeline(path.resolve(import.meta.dirname, "../examples/sales-etl/sales_etl.ts")) },
  { name: `G1 ${prettySci(ROWS)}: filter, group`, format: "csv", dataDir: groupby.dir, plan: groupQuery("csv", "x.csv") },
  { name: `G1 ${prettySci(ROWS)}: filter, group`, format: "parquet", dataDir: groupby.dir, plan: groupQuery("parquet", "x.parquet") },
  { name: `G1 ${prettySci(ROWS)} by id6: range`, format: "parquet", dataDir: groupby.dir, plan: rangeQuery(await sortedCopy(groupby.dir)) },
];

const header = ["workload", "format", "optimizer", "MB decoded", "row groups read / skipped", `wall (s, best of ${RUNS} warm)`, "on / off"];
const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
for (const w of workloads) {
  const [off, on] = (await measure(w, [w.plan, optimize(w.plan).plan])) as [Measured, Measured];
  for (const [label, m] of [["off", off], ["on", on]] as const) {
    const groups = w.format === "parquet" ? `${m.metrics.rowGroupsRead} / ${m.metrics.rowGroupsSkipped}` : "-";
    const ratio = label === "on" ? `${(on.seconds / off.seconds).toFixed(2)} time, ${((on.metrics.bytesDecoded ?? 0) / Math.max(1, off.metrics.bytesDecoded ?? 0)).toFixed(2)} bytes` : "";
    lines.push(`| ${w.name} | ${w.format} | ${label} | ${mb(m.metrics.bytesDecoded)} | ${groups} | ${m.seconds.toFixed(2)} | ${ratio} |`);
  }
}
console.log(lines.join("\n"));
console.log(`\n${PARTITIONS} partitions, driver thread; ${machineLine()}; data under ${path.relative(process.cwd(), DATA_ROOT)}`);
