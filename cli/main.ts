import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { buildPipeline } from "../compiler/build.ts";
import { compilePipeline } from "../compiler/compile.ts";
import { rulesFired } from "../compiler/optimize/optimizer.ts";
import { isTsdfError, TsdfError } from "../plan/errors.ts";
import type { Job } from "../runtime/job.ts";
import { translatePipeline } from "../targets/spark/translate-plan.ts";
import { checkCommand } from "./check.ts";
import { explainPipeline, type ExplainFormat, explainSpark } from "./explain.ts";
import type { SchemaResolver } from "../compiler/trace.ts";

async function loadJob(target: string, dataDir: string): Promise<{ job: Job; cleanup: () => void }> {
  const abs = resolve(target);
  if (!existsSync(abs)) throw new TsdfError("TSDF1000", `file not found: ${target}`);
  const ext = extname(abs);
  if (ext === ".mjs" || ext === ".js") {
    const mod = (await import(pathToFileURL(abs).href)) as { default?: Job };
    if (!mod.default || typeof mod.default.run !== "function") throw new TsdfError("TSDF4010", `${target} is not a tsdf bundle (no default-exported job)`);
    return { job: mod.default, cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "tsdf-run-"));
  const { files } = await buildPipeline(abs, dir, { resolveSchema: fileSchemas(dataDir) });
  const mod = (await import(pathToFileURL(files.bundle).href)) as { default: Job };
  return { job: mod.default, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Reads schemaless inputs' schemas with the runtime's readers. They (Arrow, Parquet) load only when
 * a pipeline has such an input, and the runtime only for `run`: `check` and `build` start faster.
 */
function fileSchemas(dataDir: string): SchemaResolver {
  return async (format, path) => (await import("./file-schemas.ts")).fileSchemaResolver(dataDir)(format, path);
}

/** The `tsdf` command line; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("tsdf")
    .description("Typed dataframe pipelines with Spark's programming model: build, run, explain, check")
    .exitOverride()
    .showHelpAfterError();

  program
    .command("build")
    .description("type-check a pipeline, extract and plan it, and write a runnable bundle")
    .argument("<entry.ts>", "pipeline module (default-exports pipeline(...))")
    .option("--out <dir>", "output folder", "dist")
    .option("--data-dir <dir>", "where inputs read without a schema are, to read their schema", ".")
    .option("--disable-rule <name>", "turn one optimizer rule off (repeatable)", collect, [])
    .option("--verbose", "print the plan after each optimizer rule that changed it")
    .option("--target <target>", "local | spark: spark also checks every construct can run on Spark (tsdf run --remote)", "local")
    .action(async (entry: string, opts: { out: string; dataDir: string; disableRule: string[]; verbose?: boolean; target: string }) => {
      const started = performance.now();
      const target = checkTarget(opts.target);
      const { files, trace } = await buildPipeline(entry, opts.out, {
        disabledRules: opts.disableRule,
        resolveSchema: fileSchemas(opts.dataDir),
        // Throws TSDF7001 at the first construct with no faithful Spark mapping, before anything is written.
        ...(target === "spark" && { checkPlan: translatePipeline }),
      });
      const ms = Math.round(performance.now() - started);
      if (opts.verbose) for (const t of trace) process.stderr.write(`== after ${t.rule} ==\n${t.plan}\n`);
      const fired = [...rulesFired(trace)].map(([name, n]) => `${name} x${n}`).join(", ");
      process.stderr.write(`built ${files.bundle} (${basename(files.planJson)}, ${basename(files.planTs)}) in ${ms} ms; rules fired: ${fired || "none"}\n`);
    });

  program
    .command("run")
    .description("run a built bundle (or build and run an entry .ts)")
    .argument("<bundle.mjs|entry.ts>")
    .option("--data-dir <dir>", "folder the pipeline's paths are relative to", ".")
    .option("--workers <n>", "worker threads running tasks (default: one per CPU; 0: in the main thread)")
    .option("--partitions <n>", "partitions of scans and shuffles (default: the worker count)")
    .option("--max-task-failures <n>", "failures of one task before the run fails", "4")
    .option("--metrics <file.json>", "write per-stage metrics (tasks, attempts, rows, bytes shuffled, time, recomputed partitions)")
    .option("--quiet", "no progress bar and no run summary on stderr")
    .option("--current-date <yyyy-MM-dd>", "the date currentDate() returns (default: today, UTC)")
    .option("--param <name=value>", "a pipeline parameter (repeatable)")
    .option("--remote <sc://host:15002>", "run every sink on a Spark cluster over Spark Connect (default: $SPARK_REMOTE)")
    .option("--token <token>", "the Spark Connect server's bearer token")
    .allowUnknownOption(false)
    .action(async (target: string) => {
      // One parser and one entry for `tsdf run` and `node bundle.mjs`, so both behave the same.
      const args = rawRunArgs(argv, target);
      const { job, cleanup } = await loadJob(target, (await import("../runtime/job.ts")).parseRunArgs(args).dataDir ?? ".");
      try {
        exitCode = await job.main(args);
      } finally {
        cleanup();
      }
    });

  program
    .command("explain")
    .description("print the logical, optimized and physical plan of a pipeline")
    .argument("<entry.ts>")
    .option("--format <format>", "text | json | dot (Graphviz)", "text")
    .option("--workers <n>", "partitions to plan for", "4")
    .option("--data-dir <dir>", "where inputs read without a schema are, to read their schema", ".")
    .option("--disable-rule <name>", "turn one optimizer rule off (repeatable)", collect, [])
    .option("--verbose", "also print the plan after each optimizer rule that changed it")
    .option("--target <target>", "local | spark: the Spark Connect relations the plan becomes (text or json)", "local")
    .action(async (entry: string, opts: { format: string; workers: string; dataDir: string; disableRule: string[]; verbose?: boolean; target: string }) => {
      if (!["text", "json", "dot"].includes(opts.format)) throw new TsdfError("TSDF4011", `--format must be text, json or dot, got '${opts.format}'`);
      const target = checkTarget(opts.target);
      if (target === "spark" && opts.format === "dot") throw new TsdfError("TSDF4011", "--target spark prints text or json, not dot");
      const plan = await compilePipeline(entry, fileSchemas(opts.dataDir));
      if (target === "spark") {
        process.stdout.write(`${explainSpark(plan, opts.format as "text" | "json", { disabledRules: opts.disableRule })}\n`);
        return;
      }
      const explained = explainPipeline(plan, opts.format as ExplainFormat, Number(opts.workers), { disabledRules: opts.disableRule, verbose: opts.verbose === true });
      process.stdout.write(`${explained}\n`);
    });

  program
    .command("check")
    .description("report type errors, untranslatable lambdas and plan errors in tsc's format")
    .argument("<entry.ts...>")
    .option("--watch", "check again on every change")
    .action(async (entries: string[], opts: { watch?: boolean }) => {
      const errors = await checkCommand(entries, { watch: opts.watch === true }, (line) => process.stdout.write(`${line}\n`));
      if (errors > 0) exitCode = 1;
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`${isTsdfError(e) ? e.format() : (e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** `--target` of build and explain: where the plan will run. */
function checkTarget(target: string): "local" | "spark" {
  if (target !== "local" && target !== "spark") throw new TsdfError("TSDF4011", `--target must be local or spark, got '${target}'`);
  return target;
}

/** Commander's accumulator for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The run options exactly as typed after `tsdf run`, without the target. */
function rawRunArgs(argv: readonly string[], target: string): string[] {
  const rest = argv.slice(argv.indexOf("run") + 1);
  rest.splice(rest.indexOf(target), 1);
  return rest;
}
