import { setMaxListeners } from "node:events";
import { resolve } from "node:path";
import type * as arrow from "apache-arrow";
import { TsdfError } from "../plan/errors.ts";
import { isoToDays } from "../plan/functions.ts";
import type { ParseMode } from "../plan/logical.ts";
import type { PhysicalPipeline, PhysicalSink, ScanExec } from "../plan/physical.ts";
import { batchToColumns, type ColumnBatch, columnsToBatch, columnsToRows, concatColumns } from "./exec/columns.ts";
import type { KernelContext } from "./exec/kernels.ts";
import type { Partition } from "./exec/task.ts";
import { inlineExecutor, poolExecutor } from "./executor.ts";
import { FaultPlan, parseFaults } from "./faults.ts";
import { type RunMetrics, runSummary } from "./metrics.ts";
import { type ProgressListener, silentProgress } from "./progress.ts";
import { type ScanSource, Scheduler } from "./scheduler.ts";
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

/** Splits rows into `n` contiguous partitions, as a file reader does. */
function splitContiguous(cb: ColumnBatch, n: number): ColumnBatch[] {
  const size = Math.ceil(cb.length / n);
  return Array.from({ length: n }, (_, p) => {
    const start = Math.min(p * size, cb.length);
    const end = Math.min(start + size, cb.length);
    return { length: end - start, columns: cb.columns.map((c) => c.slice(start, end)) };
  });
}

function inMemoryScan(tables: NonNullable<DriverOptions["tables"]>, fallback: ScanSource): ScanSource {
  return async (node: ScanExec) => {
    const t = tables[node.path];
    if (t === undefined) return fallback(node);
    const batches = Array.isArray(t) ? (t as readonly arrow.RecordBatch[]) : [t as arrow.RecordBatch];
    const all = concatColumns(
      batches.map((b) => batchToColumns(b, node.schema)),
      node.schema.fields.length,
    );
    return splitContiguous(all, node.partitions).map((cb) => columnsToBatch(cb, node.schema));
  };
}

function rowsOf(sink: PhysicalSink, parts: readonly Partition[]): Row[] {
  const node = sink.input;
  const cb = concatColumns(
    parts.flatMap((part) => part.map((b) => batchToColumns(b, node.schema))),
    node.schema.fields.length,
  );
  return columnsToRows(cb, node.schema);
}

/**
 * Runs every sink of a physical pipeline. All sinks are computed first (a sub-plan several
 * sinks share is computed once); then each write is committed (atomically, per output);
 * then `show()` tables are printed. A failure while computing leaves every output untouched.
 */
export async function runPipeline(plan: PhysicalPipeline, opts: DriverOptions): Promise<{ outputs: Record<string, Row[]>; metrics: RunMetrics }> {
  const started = performance.now();
  const currentDate = isoToDays(opts.currentDate);
  if (currentDate === null) throw new TsdfError("TSDF4006", `--current-date expects yyyy-MM-dd, got '${opts.currentDate}'`);
  const ctx: KernelContext = { currentDate, params: opts.params };
  // Per scan node, the reader's counts of its latest read (a scan read again after a lost worker replaces them).
  const scanMetrics = new Map<ScanExec, ScanMetrics>();
  // Loaded on first use: a run over in-memory tables needs no file formats.
  const fromFiles: ScanSource = async (node) => {
    const { readDataset } = await import("./io/read-dataset.ts");
    const metrics: ScanMetrics = { mode: node.options.mode ?? "PERMISSIVE", malformedRows: 0, droppedRows: 0 };
    const batches = await readDataset(resolve(opts.dataDir, node.path), node.path, node.format, node.fileSchema, node.options, node.columns, node.partitions, metrics);
    scanMetrics.set(node, metrics);
    return batches;
  };
  const scan = opts.tables ? inMemoryScan(opts.tables, fromFiles) : fromFiles;
  const workers = Math.max(0, Math.floor(opts.workers ?? 0));
  const executor = workers === 0 ? inlineExecutor : poolExecutor(opts.workerFile ?? new URL("./worker-tsx.mjs", import.meta.url), workers);
  const progress = opts.progress ?? silentProgress;
  const signal = opts.signal ?? new AbortController().signal;
  // Every task in flight listens for cancellation on the same signal.
  setMaxListeners(0, signal);
  const scheduler = new Scheduler(
    plan.sinks.map((s) => s.input),
    {
      ctx,
      executor,
      scan,
      faults: new FaultPlan(parseFaults(opts.faults ?? process.env.TSDF_FAULTS)),
      progress,
      maxTaskFailures: opts.maxTaskFailures ?? 4,
      maxStageAttempts: 4,
      signal,
      runId: `${process.pid}-${started}`,
    },
  );
  let results: Partition[][];
  try {
    results = await Promise.all(plan.sinks.map((sink) => scheduler.collect(sink.input)));
  } finally {
    progress.close();
  }

  const outputs: Record<string, Row[]> = {};
  const shows: string[] = [];
  for (const [k, sink] of plan.sinks.entries()) {
    const parts = results[k] as Partition[];
    switch (sink.kind) {
      case "WriteSink": {
        const { writeDataset } = await import("./io/committer.ts");
        await writeDataset(
          resolve(opts.dataDir, sink.path),
          sink.path,
          sink.format,
          parts.map((p) => [...p]),
          sink.input.schema,
          sink.options,
        );
        break;
      }
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
  const metrics: RunMetrics = { pipeline: plan.name, workers, partitions: plan.partitions, wallMs: performance.now() - started, stages: scheduler.metrics() };
  const err = opts.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const line of metricsSummary(metricsByPath(scanMetrics))) err(line);
  if (opts.summary) err(runSummary(metrics));
  return { outputs, metrics };
}

/** Malformed and dropped row counts of one input, as its reader counted them under `mode`. */
export interface ScanMetrics {
  readonly mode: ParseMode;
  malformedRows: number;
  droppedRows: number;
}

/** The scans' counts per input path and mode; scans of the same file in the same mode read the same rows, so they count once. */
function metricsByPath(scans: ReadonlyMap<ScanExec, ScanMetrics>): (ScanMetrics & { readonly path: string })[] {
  const byKey = new Map<string, ScanMetrics & { readonly path: string }>();
  for (const [node, m] of scans) {
    const key = `${node.path}\u0000${m.mode}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { path: node.path, ...m });
    else {
      seen.malformedRows = Math.max(seen.malformedRows, m.malformedRows);
      seen.droppedRows = Math.max(seen.droppedRows, m.droppedRows);
    }
  }
  return [...byKey.values()];
}

/** One line per input with malformed or dropped rows, e.g. `tsdf: input/sales.csv: 2 malformed rows, 1 dropped (PERMISSIVE)`. */
export function metricsSummary(inputs: readonly (ScanMetrics & { readonly path: string })[]): string[] {
  const lines: string[] = [];
  for (const m of inputs) {
    const parts: string[] = [];
    if (m.malformedRows > 0) parts.push(`${m.malformedRows} malformed row${m.malformedRows === 1 ? "" : "s"}`);
    if (m.droppedRows > 0) parts.push(`${m.droppedRows} dropped`);
    if (parts.length > 0) lines.push(`tsdf: ${m.path}: ${parts.join(", ")} (${m.mode})`);
  }
  return lines;
}
