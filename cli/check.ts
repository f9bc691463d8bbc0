import { watch } from "node:fs";
import { relative } from "node:path";
import { type Diagnostic, typeCheck } from "../compiler/check.ts";
import { tracePlan } from "../compiler/trace.ts";
import { rewriteSourceFile } from "../compiler/translate/rewrite.ts";
import { isTsdfError, type TsdfError } from "../plan/errors.ts";

/** `file(line,col): error CODE: message`, tsc's own format, so editors' tsc matchers read it. */
export function formatTscStyle(d: Diagnostic, cwd: string): string {
  const where = d.file ? `${relative(cwd, d.file)}(${d.line},${d.column}): ` : "";
  return `${where}error ${d.code}: ${d.message}`;
}

function fromTsdfError(e: TsdfError): Diagnostic {
  const loc = e.location;
  const message = [e.message, ...e.notes].join(" ");
  return loc ? { file: loc.file, line: loc.line, column: loc.column, code: e.code, message } : { line: 0, column: 0, code: e.code, message };
}

/**
 * Everything `tsdf build` would reject, without emitting anything: TypeScript's errors, every
 * lambda tsdf cannot translate, and (when those are clean) errors found while tracing the plan.
 */
export async function collectDiagnostics(entries: readonly string[]): Promise<{ diagnostics: Diagnostic[]; files: string[] }> {
  const checked = typeCheck(entries);
  const diagnostics: Diagnostic[] = [...checked.diagnostics];
  const translation: TsdfError[] = [];
  const rewritten = new Map<string, string>();
  for (const sf of checked.userFiles) {
    const r = rewriteSourceFile(sf, translation);
    if (r.rewritten) rewritten.set(sf.getFilePath(), r.text);
  }
  diagnostics.push(...translation.map(fromTsdfError));
  if (diagnostics.length === 0) {
    for (const entry of checked.entries) {
      try {
        await tracePlan(entry, rewritten);
      } catch (e) {
        if (!isTsdfError(e)) throw e;
        diagnostics.push(fromTsdfError(e));
      }
    }
  }
  return { diagnostics, files: checked.userFiles.map((sf) => sf.getFilePath()) };
}

const clock = () => new Date().toLocaleTimeString("en-GB", { hour12: false });

/**
 * `tsdf check [--watch] entry…`: prints diagnostics as tsc does; with --watch, reruns on every
 * change with tsc's watch banners, which VS Code's `$tsc-watch` background matcher recognises.
 * Returns the number of errors of the (last) run.
 */
export async function checkCommand(entries: readonly string[], options: { watch: boolean }, write: (line: string) => void): Promise<number> {
  const cwd = process.cwd();
  const once = async (): Promise<{ errors: number; files: string[] }> => {
    const { diagnostics, files } = await collectDiagnostics(entries);
    for (const d of diagnostics) write(formatTscStyle(d, cwd));
    return { errors: diagnostics.length, files };
  };
  if (!options.watch) {
    const { errors } = await once();
    write(errors === 0 ? "Found 0 errors." : `Found ${errors} error${errors === 1 ? "" : "s"}.`);
    return errors;
  }
  write(`[${clock()}] Starting compilation in watch mode...`);
  for (;;) {
    const { errors, files } = await once();
    // Watch before saying so: whoever reads the banner may save at once.
    const changed = new Promise<void>((done) => {
      const watchers = files.map((f) =>
        watch(f, () => {
          for (const w of watchers) w.close();
          done();
        }),
      );
    });
    write(`[${clock()}] Found ${errors} error${errors === 1 ? "" : "s"}. Watching for file changes.`);
    await changed;
    // Editors save in bursts; let the burst finish before checking again.
    await new Promise((r) => setTimeout(r, 100));
    write(`[${clock()}] File change detected. Starting incremental compilation...`);
  }
}
