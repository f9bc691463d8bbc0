import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isTsdfError, TsdfError } from "../plan/errors.ts";
import { isoToDays } from "../plan/functions.ts";
import type { ParamSpec, PipelinePlan } from "../plan/logical.ts";
import type { PhysicalPipeline } from "../plan/physical.ts";
import { deserializePlan } from "../plan/serialize.ts";
import { runPipeline } from "./driver.ts";

export type ParamValue = string | number | boolean;
export type OutputRow = Record<string, unknown>;

/** Options of one run, as `tsdf run` and `node bundle.mjs` take them. */
export interface RunOptions {
  /** Pipeline paths are relative to this folder (default: the current directory). */
  readonly dataDir?: string;
  /** Partitions and tasks run at once (default: one per CPU). */
  readonly workers?: number;
  /** `currentDate()` for this run, `yyyy-MM-dd` (default: today, UTC). */
  readonly currentDate?: string;
  readonly params?: Readonly<Record<string, string | ParamValue>>;
  /** Where `show()` tables and the run summary go (default: stdout). */
  readonly out?: (line: string) => void;
}

/** A built pipeline: what `import job from "./dist/x.mjs"` gives. */
export interface Job<Outputs extends Record<string, OutputRow> = Record<string, OutputRow>> {
  readonly name: string;
  readonly plan: PipelinePlan;
  run(options?: RunOptions): Promise<{ outputs: { [K in keyof Outputs]: Outputs[K][] } }>;
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

/** Parses `--data-dir D --workers N --param k=v --current-date YYYY-MM-DD`. */
export function parseRunArgs(argv: readonly string[]): RunOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "data-dir": { type: "string" },
      workers: { type: "string" },
      "current-date": { type: "string" },
      param: { type: "string", multiple: true },
    },
    strict: true,
  });
  const params: Record<string, string> = {};
  for (const kv of values.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new TsdfError("TSDF4004", `--param expects name=value, got '${kv}'`);
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1) throw new TsdfError("TSDF4005", `--workers expects a positive integer, got '${values.workers}'`);
  }
  return {
    ...(values["data-dir"] !== undefined && { dataDir: values["data-dir"] }),
    ...(workers !== undefined && { workers }),
    ...(values["current-date"] !== undefined && { currentDate: values["current-date"] }),
    params,
  };
}

/** Turns a built plan into a job; `planPhysical` comes from the bundle, so the runtime stays compiler-free. */
export function createJob<Outputs extends Record<string, OutputRow>>(
  planJson: unknown,
  planPhysical: (plan: PipelinePlan, options: { partitions: number }) => PhysicalPipeline,
): Job<Outputs> {
  const plan = deserializePlan(planJson);
  const run = async (options: RunOptions = {}) => {
    const currentDate = options.currentDate ?? todayUtc();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(currentDate) || isoToDays(currentDate) === null) {
      throw new TsdfError("TSDF4006", `--current-date expects yyyy-MM-dd, got '${currentDate}'`);
    }
    const params = resolveParams(plan.params, options.params ?? {});
    const partitions = options.workers ?? availableParallelism();
    const physical = planPhysical(plan, { partitions });
    const result = await runPipeline(physical, {
      dataDir: resolve(options.dataDir ?? "."),
      partitions,
      currentDate,
      params,
      ...(options.out && { out: options.out }),
    });
    return { outputs: result.outputs as { [K in keyof Outputs]: Outputs[K][] } };
  };
  return {
    name: plan.name,
    plan,
    run,
    async main(argv) {
      try {
        await run(parseRunArgs(argv));
        return 0;
      } catch (e) {
        process.stderr.write(`${isTsdfError(e) ? e.format() : (e as Error).stack ?? String(e)}\n`);
        return 1;
      }
    },
  };
}
