import { rename, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isTsdfError, TsdfError } from "../plan/errors.ts";
import { isoToDays } from "../plan/functions.ts";
import type { ParamSpec, PipelinePlan } from "../plan/logical.ts";
import type { PhysicalPipeline } from "../plan/physical.ts";
import { deserializePlan } from "../plan/serialize.ts";
import { runPipeline } from "./driver.ts";
import { scanInputBytes } from "./io/input-sizes.ts";
import { closePools, keepV8OnTaskThreads } from "./executor.ts";
import type { RunMetrics } from "./metrics.ts";
import { progressReporter } from "./progress.ts";

export type ParamValue = string | number | boolean;
export type OutputRow = Record<string, unknown>;

/** Options of one run, as `tsdf run` and `node bundle.mjs` take them. */
export interface RunOptions {
  /** Pipeline paths are relative to this folder (default: the current directory). */
  readonly dataDir?: string;
  /** Worker threads running tasks (default: one per CPU); 0 runs every task in the calling thread. */
  readonly workers?: number;
  /** Partitions of scans and exchanges (default: the worker count, at least 1). */
  readonly partitions?: number;
  /** Failures of one task before the run fails (default 4, as Spark's spark.task.maxFailures). */
  readonly maxTaskFailures?: number;
  /** Writes per-stage metrics (tasks, attempts, rows, bytes shuffled, time, recomputed partitions) as JSON. */
  readonly metricsFile?: string;
  /** Stage progress and the end-of-run summary on stderr (the CLI's default; off for `job.run()`). */
  readonly progress?: boolean;
  /** Cancels the run; nothing is written. */
  readonly signal?: AbortSignal;
  /** `currentDate()` for this run, `yyyy-MM-dd` (default: today, UTC). */
  readonly currentDate?: string;
  readonly params?: Readonly<Record<string, string | ParamValue>>;
  /** Where `show()` tables and the run summary go (default: stdout). */
  readonly out?: (line: string) => void;
  /** Runs every sink on a Spark cluster instead: `sc://host:15002` (`--remote`, or `SPARK_REMOTE`). */
  readonly remote?: string;
  /** The Spark Connect server's bearer token (`--token`). */
  readonly token?: string;
}

/** A built pipeline: what `import job from "./dist/x.mjs"` gives. */
export interface Job<Outputs extends Record<string, OutputRow> = Record<string, OutputRow>> {
  readonly name: string;
  readonly plan: PipelinePlan;
  run(options?: RunOptions): Promise<{ outputs: { [K in keyof Outputs]: Outputs[K][] }; metrics: RunMetrics }>;
  /** Runs with command-line arguments; what `node bundle.mjs --data-dir d` does. */
  main(argv: readonly string[]): Promise<number>;
}

/** Checks `--param` values against the pipeline's declared parameters and converts them. */
export function resolveParams(specs: readonly ParamSpec[], given: Readonly<Record<string, string | ParamValue>>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(given)) {
    if (!specs.some((s) => s.name === name)) {
      const known = specs.map((s) => s.name).join(", ") || "none";
      throw new TsdfError("TSDF4001", `unknown --param '${name}'; this pipeline's parameters: ${known}`);
    }
  }
  for (const spec of specs) {
    const raw = given[spec.name];
    if (raw === undefined) {
      if (spec.default !== undefined) out[spec.name] = spec.default;
      else if (!spec.optional) throw new TsdfError("TSDF4003", `missing --param ${spec.name}=<${spec.type}>`);
      continue;
    }
    out[spec.name] = convertParam(spec, raw);
  }
  return out;
}

function convertParam(spec: ParamSpec, raw: string | ParamValue): ParamValue {
  if (typeof raw !== "string") return raw;
  switch (spec.type) {
    case "utf8":
      return raw;
    case "boolean":
      if (raw === "true" || raw === "false") return raw === "true";
      break;
    case "int32": {
      const n = Number(raw);
      if (raw.trim() !== "" && Number.isInteger(n) && Math.abs(n) <= 2147483647) return n;
      break;
    }
    default: {
      const n = Number(raw);
      if (raw.trim() !== "" && !Number.isNaN(n)) return n;
    }
  }
  const expected = spec.type === "boolean" ? "true or false" : spec.type === "int32" ? "an integer" : "a number";
  throw new TsdfError("TSDF4002", `--param ${spec.name}=${raw}: expected ${expected}`);
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function positiveInt(flag: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new TsdfError("TSDF4005", `--${flag} expects ${min === 0 ? "a non-negative" : "a positive"} integer, got '${raw}'`);
  return n;
}

/** What `node bundle.mjs --help` prints. */
export const RUN_USAGE = `Usage: node <bundle>.mjs [options]   (or: tsdf run <bundle>.mjs [options])

Options:
  --data-dir <dir>             folder the pipeline's paths are relative to (default: ".")
  --workers <n>                worker threads running tasks (default: one per CPU; 0: in the main thread)
  --partitions <n>             partitions of scans and shuffles (default: the worker count)
  --max-task-failures <n>      failures of one task before the run fails (default: 4)
  --metrics <file.json>        write per-stage metrics (tasks, attempts, rows, bytes shuffled, time, recomputed partitions)
  --quiet                      no progress bar and no run summary on stderr
  --current-date <yyyy-MM-dd>  the date currentDate() returns (default: today, UTC)
  --param <name=value>         a pipeline parameter (repeatable)
  --remote <sc://host:15002>   run every sink on a Spark cluster over Spark Connect (default: $SPARK_REMOTE)
  --token <token>              the Spark Connect server's bearer token
  -h, --help                   this text
`;

const RUN_OPTIONS = {
  "data-dir": { type: "string" },
  workers: { type: "string" },
  partitions: { type: "string" },
  "max-task-failures": { type: "string" },
  metrics: { type: "string" },
  quiet: { type: "boolean" },
  "current-date": { type: "string" },
  param: { type: "string", multiple: true },
  remote: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The options as given; an unknown option or a missing value is TSDF4005. */
function runOptionValues(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: RUN_OPTIONS, strict: true }).values;
  } catch (e) {
    // node:util's parseArgs: "Unknown option '--x'", "Option '--workers <value>' argument missing", …
    throw new TsdfError("TSDF4005", `${(e as Error).message.split(". ")[0]}; --help lists the options`);
  }
}

/** Whether the arguments ask for the usage text. */
export function wantsRunUsage(argv: readonly string[]): boolean {
  return runOptionValues(argv).help === true;
}

/** Parses `--data-dir D --workers N --partitions N --param k=v --current-date YYYY-MM-DD --metrics F --quiet --max-task-failures N --remote sc://host:15002 --token T`. */
export function parseRunArgs(argv: readonly string[]): RunOptions {
  const values = runOptionValues(argv);
  const params: Record<string, string> = {};
  for (const kv of values.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new TsdfError("TSDF4004", `--param expects name=value, got '${kv}'`);
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const workers = positiveInt("workers", values.workers, 0);
  const partitions = positiveInt("partitions", values.partitions);
  const maxTaskFailures = positiveInt("max-task-failures", values["max-task-failures"]);
  return {
    ...(values["data-dir"] !== undefined && { dataDir: values["data-dir"] }),
    ...(workers !== undefined && { workers }),
    ...(partitions !== undefined && { partitions }),
    ...(maxTaskFailures !== undefined && { maxTaskFailures }),
    ...(values.metrics !== undefined && { metricsFile: values.metrics }),
    progress: values.quiet !== true,
    ...(values["current-date"] !== undefined && { currentDate: values["current-date"] }),
    params,
    ...remoteOptions(values.remote, values.token),
  };
}

/** `--remote` or, as in PySpark, `SPARK_REMOTE`; `--token` only with a remote. */
function remoteOptions(remote: string | undefined, token: string | undefined): Pick<RunOptions, "remote" | "token"> {
  const url = remote ?? process.env.SPARK_REMOTE;
  if (url === undefined || url === "") {
    if (token !== undefined) throw new TsdfError("TSDF4005", "--token needs --remote sc://host:15002 (or SPARK_REMOTE)");
    return {};
  }
  return { remote: url, ...(token !== undefined && { token }) };
}

/** Runs the plan on Spark; the runtime lends its row decoding and `show()` layout so results read as a local run's. */
async function runRemote(plan: PipelinePlan, options: RunOptions & { remote: string }, currentDate: string, params: Record<string, ParamValue>) {
  const started = performance.now();
  const [{ runOnSpark }, { batchesToColumns, columnsToRows }, { formatShow }] = await Promise.all([
    import("../targets/spark/run-on-spark.ts"),
    import("./exec/columns.ts"),
    import("./show.ts"),
  ]);
  const { outputs } = await runOnSpark(plan, {
    remote: options.remote,
    ...(options.token !== undefined && { token: options.token }),
    dataDir: options.dataDir ?? ".",
    currentDate,
    params,
    out: options.out ?? ((line) => process.stdout.write(`${line}\n`)),
    decodeRows: (batches, schema) => columnsToRows(batchesToColumns(batches, schema), schema),
    formatShow,
  });
  const metrics: RunMetrics = { pipeline: plan.name, workers: 0, partitions: 0, wallMs: performance.now() - started, stages: [], inputs: [] };
  return { outputs, metrics };
}

/** What the bundle's physical planner is told about a run. */
export interface PhysicalPlanning {
  readonly partitions: number;
  /** Bytes on disk of each scanned path. */
  readonly inputBytes: ReadonlyMap<string, number>;
  /** How a global sort spreads its rows: sampled key ranges over all partitions, or one partition. */
  readonly globalSort: "single" | "range";
}

/**
 * Turns a built plan into a job; `planPhysical` comes from the bundle, so the runtime stays
 * compiler-free. `workerFile` is the bundle's compiled worker (default: the sources' worker).
 */
export function createJob<Outputs extends Record<string, OutputRow>>(
  planJson: unknown,
  planPhysical: (plan: PipelinePlan, options: PhysicalPlanning) => PhysicalPipeline,
  workerFile?: URL,
): Job<Outputs> {
  const plan = deserializePlan(planJson);
  const run = async (options: RunOptions = {}) => {
    const currentDate = options.currentDate ?? todayUtc();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(currentDate) || isoToDays(currentDate) === null) {
      throw new TsdfError("TSDF4006", `--current-date expects yyyy-MM-dd, got '${currentDate}'`);
    }
    const params = resolveParams(plan.params, options.params ?? {});
    if (options.remote !== undefined) {
      const remote = await runRemote(plan, { ...options, remote: options.remote }, currentDate, params);
      return { outputs: remote.outputs as { [K in keyof Outputs]: Outputs[K][] }, metrics: remote.metrics };
    }
    const workers = options.workers ?? availableParallelism();
    const dataDir = resolve(options.dataDir ?? ".");
    // Input sizes decide the join strategies (a small side is broadcast) and partition counts.
    const physical = planPhysical(plan, { partitions: options.partitions ?? Math.max(1, workers), inputBytes: await scanInputBytes(plan, dataDir), globalSort: "range" });
    const result = await runPipeline(physical, {
      dataDir,
      workers,
      ...(workerFile && { workerFile }),
      ...(options.maxTaskFailures !== undefined && { maxTaskFailures: options.maxTaskFailures }),
      ...(options.progress && { progress: progressReporter({ stream: process.stderr }), summary: true }),
      ...(options.signal && { signal: options.signal }),
      currentDate,
      params,
      ...(options.out && { out: options.out }),
    });
    if (options.metricsFile !== undefined) {
      // Written next to its final name, then renamed: a reader never sees half a file.
      const file = resolve(options.metricsFile);
      await writeFile(`${file}.tmp-${process.pid}`, `${JSON.stringify(result.metrics, null, 2)}\n`);
      await rename(`${file}.tmp-${process.pid}`, file);
    }
    return { outputs: result.outputs as { [K in keyof Outputs]: Outputs[K][] }, metrics: result.metrics };
  };
  return {
    name: plan.name,
    plan,
    run,
    async main(argv) {
      // Ctrl-C cancels: running tasks are abandoned, nothing is committed, the process exits.
      const cancel = new AbortController();
      const onSigint = () => cancel.abort();
      process.once("SIGINT", onSigint);
      try {
        if (wantsRunUsage(argv)) {
          process.stdout.write(RUN_USAGE);
          return 0;
        }
        const options = parseRunArgs(argv);
        const workers = options.workers ?? availableParallelism();
        if (options.remote === undefined) keepV8OnTaskThreads(workers);
        await run({ ...options, workers, signal: cancel.signal });
        return 0;
      } catch (e) {
        process.stderr.write(`${isTsdfError(e) ? e.format() : (e as Error).stack ?? String(e)}\n`);
        return cancel.signal.aborted ? 130 : 1;
      } finally {
        process.off("SIGINT", onSigint);
        await closePools();
      }
    },
  };
}
