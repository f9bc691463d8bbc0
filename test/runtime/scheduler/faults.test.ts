/**
 * Fault tolerance, modelled on Spark's FailureSuite and DAGSchedulerSuite: failed tasks are
 * retried, lost blocks are recomputed from lineage (only the missing partitions), repeated
 * failures abort with a clear error and no output. Faults come from TSDF_FAULTS specs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import type { PipelinePlan } from "../../../plan/logical.ts";
import { rowsToBatch } from "../../../runtime/exec/columns.ts";
import { runPipeline } from "../../../runtime/driver.ts";
import { closePools } from "../../../runtime/executor.ts";
import type { RunMetrics } from "../../../runtime/metrics.ts";
import { schemaOf, sorted } from "../exec/fixtures.ts";

// The input is a CSV file, so each map task reads its own split: scan → partial aggregate → shuffle write is one stage.
const data = mkdtempSync(join(tmpdir(), "tsdf-faults-data-"));
const lines = ["id,k,v", ...Array.from({ length: 400 }, (_, i) => `${i},k${i % 7},${i % 13 === 0 ? "" : (i * 37) % 101}`)];
writeFileSync(join(data, "sales.csv"), `${lines.join("\n")}\n`);
const sales = b.scan("csv", join(data, "sales.csv"), schemaOf({ id: "int32", k: "utf8", v: "int32?" }), { header: true });

afterAll(async () => {
  await closePools();
  rmSync(data, { recursive: true, force: true });
});

/** scan → partial aggregate → hash exchange → final aggregate, written or returned. */
function pipeline(write?: string): PipelinePlan {
  const agg = b.aggregate(sales, ["k"], [
    { name: "n", expr: { kind: "Agg", fn: "count" } },
    { name: "total", expr: { kind: "Agg", fn: "sum", arg: col("v") } },
  ]);
  return {
    name: "faults",
    params: [],
    sinks: write === undefined ? [{ kind: "Output", name: "out", input: agg }] : [{ kind: "Write", input: agg, format: "csv", path: write, options: { mode: "overwrite", header: true } }],
  };
}

async function run(opts: { workers: number; faults?: string; maxTaskFailures?: number; dataDir?: string; write?: string; partitions?: number }) {
  return runPipeline(planPhysical(pipeline(opts.write), { partitions: opts.partitions ?? 4 }), {
    dataDir: opts.dataDir ?? "/nonexistent",
    workers: opts.workers,
    currentDate: "2024-06-30",
    params: {},
    faults: opts.faults ?? "",
    ...(opts.maxTaskFailures !== undefined && { maxTaskFailures: opts.maxTaskFailures }),
  });
}

function stageNamed(m: RunMetrics, prefix: string) {
  const s = m.stages.find((x) => x.name.startsWith(prefix));
  if (!s) throw new Error(`no stage ${prefix} in ${m.stages.map((x) => x.name).join(", ")}`);
  return s;
}

const clean = await run({ workers: 0 });
const expected = sorted(clean.outputs.out ?? []);
const mapStage = stageNamed(clean.metrics, "RepartitionExec").stage;
const finalStage = clean.metrics.stages.at(-1)?.stage ?? -1;

describe.each([0, 2])("with %i worker threads", (workers) => {
  it("retries a task that throws once, exactly once", async () => {
    const r = await run({ workers, faults: `fail-task@${mapStage}:1` });
    expect(sorted(r.outputs.out ?? [])).toEqual(expected);
    const s = stageNamed(r.metrics, "RepartitionExec");
    expect(s.failedAttempts).toBe(1);
    expect(s.attempts).toBe(s.tasks + 1);
    expect(r.metrics.stages.reduce((n, x) => n + x.failedAttempts, 0)).toBe(1);
  });

  it("recomputes only the map partition whose shuffle block was lost", async () => {
    const r = await run({ workers, faults: `lose-block@${mapStage}:2` });
    expect(sorted(r.outputs.out ?? [])).toEqual(expected);
    for (const s of r.metrics.stages) expect(s.recomputedPartitions).toEqual(s.stage === mapStage ? [2] : []);
    expect(stageNamed(r.metrics, "RepartitionExec").attempts).toBe(5);
  });

  it("treats a block that fails its checksum as lost", async () => {
    const r = await run({ workers, faults: `corrupt-block@${mapStage}:0` });
    expect(sorted(r.outputs.out ?? [])).toEqual(expected);
    for (const s of r.metrics.stages) expect(s.recomputedPartitions).toEqual(s.stage === mapStage ? [0] : []);
    expect(r.metrics.stages.find((s) => s.stage === finalStage)?.failedAttempts).toBeGreaterThan(0);
  });

  it("recomputes a written output's block that fails its checksum before its write task reads it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdf-faults-"));
    try {
      const r = await run({ workers, faults: `corrupt-block@${finalStage}:2`, dataDir: dir, write: "out" });
      expect(r.metrics.stages.find((s) => s.stage === finalStage)?.recomputedPartitions).toEqual([2]);
      const written = readdirSync(join(dir, "out"))
        .filter((f) => f.endsWith(".csv"))
        .flatMap((f) => readFileSync(join(dir, "out", f), "utf8").trim().split("\n").slice(1));
      const rows = written.map((l) => l.split(",")).map(([k, n, total]) => ({ k, n: BigInt(n as string), total: Number(total) }));
      expect(sorted(rows)).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("aborts after --max-task-failures attempts, with the task's error and no output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdf-faults-"));
    try {
      await expect(run({ workers, faults: `fail-task@${mapStage}:3x10`, maxTaskFailures: 3, dataDir: dir, write: "out" })).rejects.toThrow(
        new RegExp(`task 3 of stage ${mapStage} \\(RepartitionExec #\\d+ hash\\) failed 3 times; last error: injected failure`),
      );
      expect(existsSync(join(dir, "out"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("an in-memory table", () => {
  // Served to tasks in the driver's thread as the table's own batches (no IPC copy): a drill
  // that corrupts such a block must still be caught, and the table must not change.
  const rows = lines.slice(1).map((l) => {
    const [id, k, v] = l.split(",");
    return { id: Number(id), k, v: v === "" ? null : Number(v) };
  });
  const table = rowsToBatch(rows, schemaOf({ id: "int32", k: "utf8", v: "int32?" }));
  const before = JSON.stringify(table.toArray());
  const inMemory = (workers: number, faults = "") =>
    runPipeline(planPhysical(pipeline(), { partitions: 4 }), { dataDir: "/nonexistent", workers, currentDate: "2024-06-30", params: {}, faults, tables: { [join(data, "sales.csv")]: table } });

  it.each([0, 2])("gives the file's answer with %i workers, and a corrupt block of it is recomputed", async (workers) => {
    const plain = await inMemory(workers);
    expect(sorted(plain.outputs.out ?? [])).toEqual(expected);
    const scanStage = stageNamed(plain.metrics, "ScanExec").stage;
    const r = await inMemory(workers, `corrupt-block@${scanStage}:1`);
    expect(sorted(r.outputs.out ?? [])).toEqual(expected);
    expect(stageNamed(r.metrics, "ScanExec").recomputedPartitions).toEqual([1]);
    expect(JSON.stringify(table.toArray())).toBe(before);
  });
});

describe("worker threads dying", () => {
  it("recovers from a killed worker, three runs in a row", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run({ workers: 2, faults: `kill-worker@${mapStage}:${i}` });
      expect(sorted(r.outputs.out ?? [])).toEqual(expected);
      expect(stageNamed(r.metrics, "RepartitionExec").failedAttempts).toBeGreaterThanOrEqual(1);
    }
  });

  it("recomputes the lost blocks of a dead worker when a later stage needs them", async () => {
    // Partition 0 of the final stage dies after the map stage finished: the map outputs its
    // thread made are gone, and exactly those are made again.
    const r = await run({ workers: 2, faults: `kill-worker@${finalStage}:0` });
    expect(sorted(r.outputs.out ?? [])).toEqual(expected);
    const recomputed = stageNamed(r.metrics, "RepartitionExec").recomputedPartitions;
    expect(recomputed.length).toBeGreaterThan(0);
    expect(recomputed.length).toBeLessThan(4);
    expect(new Set(recomputed).size).toBe(recomputed.length);
  });

  it("gives the same answer for 1, 2, 4 and 8 workers and several partition counts", async () => {
    for (const workers of [1, 2, 4, 8]) {
      for (const partitions of [1, 3, 8]) {
        const r = await run({ workers, partitions });
        expect(sorted(r.outputs.out ?? [])).toEqual(expected);
      }
    }
  });
});

describe("TSDF_FAULTS", () => {
  it("names a spec it cannot read", async () => {
    await expect(run({ workers: 0, faults: "explode@1:2" })).rejects.toThrow(/TSDF_FAULTS: cannot read 'explode@1:2'/);
  });

  it("writes nothing when a write's task keeps failing, leaving the previous output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdf-faults-"));
    try {
      await run({ workers: 0, dataDir: dir, write: "out" });
      const before = readFileSync(join(dir, "out", "_SUCCESS"));
      await expect(run({ workers: 0, faults: `fail-task@${finalStage}:0x9`, dataDir: dir, write: "out" })).rejects.toThrow(/failed 4 times/);
      expect(readFileSync(join(dir, "out", "_SUCCESS"))).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([0, 2])("commits no output when a later sink fails, and removes what was staged (%i workers)", async (workers) => {
    const dir = mkdtempSync(join(tmpdir(), "tsdf-faults-"));
    const cleanDir = mkdtempSync(join(tmpdir(), "tsdf-faults-"));
    try {
      // "rows" (the scan, written as it is) is staged while "totals" still computes, then fails.
      const plan = pipeline("totals");
      const twoWrites: PipelinePlan = {
        ...plan,
        sinks: [{ kind: "Write", input: sales, format: "csv", path: "rows", options: { header: true } }, ...plan.sinks],
      };
      const physical = planPhysical(twoWrites, { partitions: 4 });
      const opts = { dataDir: dir, workers, currentDate: "2024-06-30", params: {}, maxTaskFailures: 2 };
      const clean = await runPipeline(physical, { ...opts, dataDir: cleanDir });
      const aggregateStage = clean.metrics.stages.find((x) => x.name.startsWith("HashAggregateExec"))?.stage;
      await expect(runPipeline(physical, { ...opts, faults: `fail-task@${aggregateStage}:0x9` })).rejects.toThrow(/failed 2 times/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(cleanDir, { recursive: true, force: true });
    }
  });
});
