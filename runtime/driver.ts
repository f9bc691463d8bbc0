import { setMaxListeners } from "node:events";
import { resolve } from "node:path";
import * as arrow from "apache-arrow";
import { TsdfError } from "../plan/errors.ts";
import { isoToDays } from "../plan/functions.ts";
import type { PhysicalPipeline, PhysicalSink, ScanExec } from "../plan/physical.ts";
import { batchesToColumns, columnsToRows } from "./exec/columns.ts";
import type { KernelContext } from "./exec/kernels.ts";
import type { Partition } from "./exec/task.ts";
import { inlineExecutor, poolExecutor, userErrorToTsdf, WorkerLostError, type WriteReply } from "./executor.ts";
import { FaultPlan, parseFaults } from "./faults.ts";
import { type InputMetrics, type RunMetrics, runSummary } from "./metrics.ts";
import { type ProgressListener, silentProgress } from "./progress.ts";
import { type ScanSources, Scheduler } from "./scheduler.ts";
import type { StagedOutput } from "./io/committer.ts";
import type { BlockBuffer } from "./shuffle/blocks.ts";
import type { ReadMetrics } from "./io/row-assembler.ts";
import { formatShow } from "./show.ts";

export type Row = Record<string, unknown>;

export interface DriverOptions {
  /** Input and output paths of the plan are resolved against this folder. */
  readonly dataDir: string;
  /**
   * Worker threads that run the tasks (default 0: tasks run in this thread, one at a time).
   * The partition count is the physical plan's, independent of this.
   */
  readonly workers?: number;
  /** The worker module (default: runtime/worker-tsx.mjs, for running from sources). */
  readonly workerFile?: URL;
  /** Failures of one task before the run fails (default 4). */
  readonly maxTaskFailures?: number;
  /** Injected faults (default: parsed from the TSDF_FAULTS environment variable). */
  readonly faults?: string;
  /** Stage progress (default: none). */
  readonly progress?: ProgressListener;
  /** Cancels the run: no output is written. */
  readonly signal?: AbortSignal;
  /** `currentDate()` of this run, `yyyy-MM-dd`. */
  readonly currentDate: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Where `show()` prints (default: stdout). */
  readonly out?: (line: string) => void;
  /** Where the end-of-run summaries (stages, malformed and dropped input rows) go (default: stderr). */
  readonly err?: (line: string) => void;
  /** End with a one-line summary of stages and tasks on `err` (what the CLI does unless --quiet). */
  readonly summary?: boolean;
  /** Test hook: scans of these paths read the given batches instead of files. */
  readonly tables?: Readonly<Record<string, arrow.RecordBatch | readonly arrow.RecordBatch[]>>;
}

/**
 * The in-memory batches of a scan, cut into its partitions as a file reader would (contiguous
 * row ranges), keeping only the scan's columns: slices of the given buffers, nothing copied.
 */
function inMemoryScan(tables: NonNullable<DriverOptions["tables"]>, node: ScanExec): arrow.RecordBatch[][] {
  const t = tables[node.path];
  if (t === undefined) throw new Error(`internal: no in-memory table for ${node.path}`);
  const table = new arrow.Table(Array.isArray(t) ? [...(t as readonly arrow.RecordBatch[])] : [t as arrow.RecordBatch]).select(node.schema.fields.map((f) => f.name));
  const size = Math.ceil(table.numRows / node.partitions);
  return Array.from({ length: node.partitions }, (_, p) => {
    const start = Math.min(p * size, table.numRows);
    return table.slice(start, Math.min(start + size, table.numRows)).batches;
  });
}

function rowsOf(sink: PhysicalSink, parts: readonly Partition[]): Row[] {
  const node = sink.input;
  const cb = batchesToColumns(parts.flat(), node.schema);
  return columnsToRows(cb, node.schema);
}

/**
 * Runs every sink of a physical pipeline. All sinks are computed first (a sub-plan several
 * sinks share is computed once), each output's part files staged as soon as its rows are, while
 * the other sinks still compute; then each write is committed (atomically, per output); then
 * `show()` tables are printed. A failure while computing leaves every output untouched.
 */
export async function runPipeline(plan: PhysicalPipeline, opts: DriverOptions): Promise<{ outputs: Record<string, Row[]>; metrics: RunMetrics }> {
  const started = performance.now();
  const currentDate = isoToDays(opts.currentDate);
  if (currentDate === null) throw new TsdfError("TSDF4006", `--current-date expects yyyy-MM-dd, got '${opts.currentDate}'`);
  const ctx: KernelContext = { currentDate, params: opts.params };
  // What each partition's latest read counted (a partition read again after a loss replaces its counts).
  const reads = new Map<string, { node: ScanExec; metrics: ReadMetrics }>();
  const scans: ScanSources = {
    dataDir: opts.dataDir,
    inMemory: (node) => opts.tables?.[node.path] !== undefined,
    readInMemory: async (node) => inMemoryScan(opts.tables ?? {}, node),
    // Loaded on first use: a run over in-memory tables needs no file formats.
    splits: async (node) => (await import("./io/scan-splits.ts")).planScan(node, opts.dataDir),
    read: (node, partition, metrics) => reads.set(`${node.id}:${partition}`, { node, metrics }),
  };
  const workers = Math.max(0, Math.floor(opts.workers ?? 0));
  const executor = workers === 0 ? inlineExecutor : poolExecutor(opts.workerFile ?? new URL("./worker-tsx.mjs", import.meta.url), workers);
  const progress = opts.progress ?? silentProgress;
  const signal = opts.signal ?? new AbortController().signal;
  // Every task in flight listens for cancellation on the same signal.
  setMaxListeners(0, signal);
  const maxTaskFailures = opts.maxTaskFailures ?? 4;
  const scheduler = new Scheduler(
    plan.sinks.map((s) => s.input),
    {
      ctx,
      executor,
      scans,
      faults: new FaultPlan(parseFaults(opts.faults ?? process.env.TSDF_FAULTS)),
      progress,
      maxTaskFailures,
      maxStageAttempts: 4,
      signal,
      runId: `${process.pid}-${started}`,
    },
  );
  /** Writes partition p of a write sink into its staging folder, in a task thread; retried when the thread dies or its input block is lost. */
  const writePart = async (sink: Extract<PhysicalSink, { kind: "WriteSink" }>, dir: string, p: number, first: BlockBuffer[]): Promise<boolean> => {
    let buffers = first;
    for (let failures = 0; ; ) {
      let reply: WriteReply | undefined;
      try {
        reply = await executor.write({ kind: "write", dir, displayPath: sink.path, nodeId: sink.input.id, partition: p, format: sink.format, schema: sink.input.schema, options: sink.options, buffers }, signal);
      } catch (e) {
        if (!(e instanceof WorkerLostError) || ++failures >= maxTaskFailures) throw e;
      }
      if (reply?.kind === "written") return reply.wrote;
      if (reply?.kind === "user-error") throw userErrorToTsdf(reply.error);
      if (reply?.kind === "lost") {
        if (++failures >= maxTaskFailures) throw new TsdfError("TSDF5002", `the rows of ${sink.path} were lost ${failures} times (last: ${reply.message}); giving up, no output was written`);
        scheduler.dropBlock(reply.nodeId, reply.partition);
      }
      // The buffers went to the thread: take the partition again (recomputed if it was lost).
      buffers = (await scheduler.collectBuffers(sink.input))[p] ?? [];
    }
  };
  let results: (Partition[] | undefined)[];
  // Per write sink, its staged output (see stageOutput): its partitions are written by tasks as
  // soon as they are computed, while other sinks still compute.
  const staged: (Promise<StagedOutput> | undefined)[] = [];
  let failed = false;
  try {
    results = await Promise.all(
      plan.sinks.map(async (sink, k) => {
        if (sink.kind !== "WriteSink") return scheduler.collect(sink.input);
        const parts = await scheduler.collectBuffers(sink.input);
        const { stageDataset } = await import("./io/committer.ts");
        if (failed) return undefined;
        staged[k] = stageDataset(resolve(opts.dataDir, sink.path), sink.path, sink.format, parts.length, sink.input.schema, sink.options, (dir, p) =>
          writePart(sink, dir, p, parts[p] ?? []),
        );
        await staged[k];
        return undefined;
      }),
    );
  } catch (e) {
    // Nothing is committed: what was staged is removed (an output being staged, once it is).
    failed = true;
    await Promise.allSettled(staged.map(async (s) => (await s)?.abort()));
    throw e;
  } finally {
    progress.close();
  }

  const outputs: Record<string, Row[]> = {};
  const shows: string[] = [];
  for (const [k, sink] of plan.sinks.entries()) {
    const parts = results[k] ?? [];
    switch (sink.kind) {
      case "WriteSink":
        try {
          await (await staged[k])?.commit();
        } catch (e) {
          // The outputs after this one are not committed either.
          await Promise.allSettled(staged.slice(k + 1).map(async (s) => (await s)?.abort()));
          throw e;
        }
        break;
      case "OutputSink":
        outputs[sink.name] = rowsOf(sink, parts);
        break;
      case "ShowSink": {
        const rows = rowsOf(sink, parts);
        if (sink.title !== undefined) shows.push(sink.title);
        shows.push(...formatShow(sink.input.schema, rows.slice(0, sink.rows), sink.rows, rows.length > sink.rows));
        break;
      }
    }
  }
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  for (const line of shows) out(line);
  const inputs = metricsByPath(reads.values());
  const metrics: RunMetrics = { pipeline: plan.name, workers, partitions: plan.partitions, wallMs: performance.now() - started, stages: scheduler.metrics(), inputs };
  const err = opts.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const line of metricsSummary(inputs)) err(line);
  if (opts.summary) err(runSummary(metrics));
  return { outputs, metrics };
}

/**
 * The reads' counts per input path and mode. Scans of the same file in the same mode read the
 * same rows, so they count once (the largest); partitions of one scan add up.
 */
function metricsByPath(reads: Iterable<{ node: ScanExec; metrics: ReadMetrics }>): InputMetrics[] {
  const counters = ["malformedRows", "droppedRows", "bytesDecoded", "rowGroupsRead", "rowGroupsSkipped"] as const;
  const perScan = new Map<ScanExec, InputMetrics>();
  for (const { node, metrics } of reads) {
    const m = perScan.get(node) ?? { path: node.path, mode: node.options.mode ?? "PERMISSIVE", malformedRows: 0, droppedRows: 0, bytesDecoded: 0, rowGroupsRead: 0, rowGroupsSkipped: 0 };
    for (const c of counters) m[c] += metrics[c] ?? 0;
    perScan.set(node, m);
  }
  const byKey = new Map<string, InputMetrics>();
  for (const m of perScan.values()) {
    const key = `${m.path}\u0000${m.mode}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, m);
    else for (const c of counters) seen[c] = Math.max(seen[c], m[c]);
  }
  return [...byKey.values()];
}

/** One line per input with malformed or dropped rows, e.g. `tsdf: input/sales.csv: 2 malformed rows, 1 dropped (PERMISSIVE)`. */
export function metricsSummary(inputs: readonly Pick<InputMetrics, "path" | "mode" | "malformedRows" | "droppedRows">[]): string[] {
  const lines: string[] = [];
  for (const m of inputs) {
    const parts: string[] = [];
    if (m.malformedRows > 0) parts.push(`${m.malformedRows} malformed row${m.malformedRows === 1 ? "" : "s"}`);
    if (m.droppedRows > 0) parts.push(`${m.droppedRows} dropped`);
    if (parts.length > 0) lines.push(`tsdf: ${m.path}: ${parts.join(", ")} (${m.mode})`);
  }
  return lines;
}
