import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import type { SourceFile } from "ts-morph";
import { isTsdfError, TsdfError } from "../plan/errors.ts";
import type { FileFormat, PipelinePlan } from "../plan/logical.ts";
import type { Field } from "../plan/schema.ts";
import { isPipeline, type Pipeline, tracePipeline } from "../stdlib/pipeline.ts";
import { schemalessReads, toPipelinePlan } from "../stdlib/to-logical.ts";
import { rewriteSourceFile } from "./translate/rewrite.ts";

/** Reads a file's own schema at build time, for `p.read.parquet(path)` without one. */
export type SchemaResolver = (format: FileFormat, path: string) => Promise<readonly Field[] | undefined>;

/** The rewritten text of each user file that calls the DSL (lambdas translated, calls located), by absolute path. */
export function rewriteFiles(userFiles: readonly SourceFile[]): Map<string, string> {
  const rewritten = new Map<string, string>();
  for (const sf of userFiles) {
    const r = rewriteSourceFile(sf);
    if (r.rewritten) rewritten.set(resolve(sf.getFilePath()), r.text);
  }
  return rewritten;
}

export const STDLIB_ENTRY = resolve(import.meta.dirname, "../stdlib/index.ts");

/**
 * Bundles the user's (rewritten) pipeline module, runs its body with tracing builders, and
 * returns the DataFrame graph as a logical plan. No data is read.
 */
export async function tracePlan(entry: SourceFile, rewritten: ReadonlyMap<string, string>, resolveSchema?: SchemaResolver): Promise<PipelinePlan> {
  const pipeline = await loadPipeline(entry, rewritten);
  try {
    const traced = tracePipeline(pipeline);
    const fileSchemas = new Map<string, readonly Field[]>();
    for (const read of schemalessReads(traced)) {
      const fields = await resolveSchema?.(read.format, read.path);
      if (fields) fileSchemas.set(read.path, fields);
    }
    return toPipelinePlan(traced, fileSchemas);
  } catch (e) {
    if (isTsdfError(e)) throw e;
    throw new TsdfError("TSDF1017", `the pipeline threw while it was traced: ${(e as Error).message}`);
  }
}

/**
 * Bundles and imports the rewritten pipeline module. Its lambdas carry their IR and their
 * original functions, so the same object feeds the planner and the reference evaluator.
 */
export async function loadPipeline(entry: SourceFile, rewritten: ReadonlyMap<string, string>): Promise<Pipeline> {
  const dir = mkdtempSync(join(tmpdir(), "tsdf-trace-"));
  const outfile = join(dir, "pipeline.mjs");
  try {
    await esbuild.build({
      entryPoints: [entry.getFilePath()],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile,
      logLevel: "silent",
      alias: { tsdf: STDLIB_ENTRY },
      plugins: [
        {
          name: "tsdf-rewrite",
          setup(build) {
            build.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
              const text = rewritten.get(resolve(args.path));
              return text === undefined ? undefined : { contents: text, loader: "ts" };
            });
          },
        },
      ],
    });
    // The stdlib instance inside the bundle builds the graph; the graph is plain data.
    const mod = (await import(pathToFileURL(outfile).href)) as { default?: unknown };
    if (!isPipeline(mod.default)) {
      throw new TsdfError("TSDF1015", `${entry.getFilePath()} must default-export pipeline("name", (p) => { ... })`, {
        file: entry.getFilePath(),
        line: 1,
        column: 1,
      });
    }
    return mod.default;
  } catch (e) {
    if (isTsdfError(e)) throw e;
    const err = e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] };
    const first = err.errors?.[0];
    if (first) {
      throw new TsdfError("TSDF1016", `could not bundle the pipeline: ${first.text}`, first.location && { file: first.location.file, line: first.location.line, column: first.location.column + 1 });
    }
    throw new TsdfError("TSDF1017", `the pipeline module threw while it was loaded: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
