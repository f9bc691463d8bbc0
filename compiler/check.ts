import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Project, ts, type SourceFile } from "ts-morph";
import { TsdfError } from "../plan/errors.ts";

/** Compiler options for a pipeline without a tsconfig of its own: strict, modern ESM. */
const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
};

export interface CheckedProgram {
  readonly project: Project;
  readonly entries: readonly SourceFile[];
}

function findTsconfig(from: string): string | undefined {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Type-checks pipeline entries and what they import in one program, with the first entry's
 * tsconfig when there is one. TypeScript's diagnostics become one TsdfError listing each as
 * `file:line:column`.
 */
export function checkProgram(entryPaths: readonly string[]): CheckedProgram {
  const abs = entryPaths.map((p) => resolve(p));
  const missing = entryPaths.find((_, i) => !existsSync(abs[i] as string));
  if (missing !== undefined) throw new TsdfError("TSDF1000", `entry file not found: ${missing}`);
  const tsConfigFilePath = abs[0] === undefined ? undefined : findTsconfig(abs[0]);
  const project = tsConfigFilePath
    ? new Project({ tsConfigFilePath, skipAddingFilesFromTsConfig: true, compilerOptions: { skipLibCheck: true, noEmit: true } })
    : new Project({ compilerOptions: DEFAULT_OPTIONS });
  const entries = abs.map((p) => project.addSourceFileAtPath(p));
  project.resolveSourceFileDependencies();
  const diagnostics = project.getPreEmitDiagnostics().filter((d) => d.getCategory() === ts.DiagnosticCategory.Error);
  if (diagnostics.length > 0) {
    const lines = diagnostics.map((d) => {
      const file = d.getSourceFile();
      const message = ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, "\n");
      if (!file) return `error TS${d.getCode()}: ${message}`;
      const pos = file.getLineAndColumnAtPos(d.getStart() ?? 0);
      return `${file.getFilePath()}:${pos.line}:${pos.column}: error TS${d.getCode()}: ${message}`;
    });
    throw new TsdfError("TSDF1100", `type errors in the pipeline (${diagnostics.length}):\n${lines.join("\n")}`);
  }
  return { project, entries };
}
