import { existsSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
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
  /** The user's own source files: the entries and what they import, without tsdf or packages. */
  readonly userFiles: readonly SourceFile[];
}

const TSDF_ROOT = resolve(import.meta.dirname, "..") + sep;

/** tsdf's own sources; inside tsdf's repository, examples and tests count as user code. */
function isLibraryFile(path: string): boolean {
  const abs = resolve(path);
  return abs.startsWith(TSDF_ROOT) && /^(plan|stdlib|compiler|runtime|cli)[\\/]/.test(abs.slice(TSDF_ROOT.length));
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

/** One problem in the user's source, as `tsdf check` prints it. */
export interface Diagnostic {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  /** `TS2551` for TypeScript's own, `TSDF1003` for tsdf's. */
  readonly code: string;
  readonly message: string;
}

/** `file:line:column: error CODE: message`, the form tsdf's errors take. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file ? `${d.file}:${d.line}:${d.column}: ` : ""}error ${d.code}: ${d.message}`;
}

/** A program over the entries, and TypeScript's errors in the user's own files. */
export function typeCheck(entryPaths: readonly string[]): CheckedProgram & { readonly diagnostics: readonly Diagnostic[] } {
  const abs = entryPaths.map((p) => resolve(p));
  const missing = entryPaths.find((_, i) => !existsSync(abs[i] as string));
  if (missing !== undefined) throw new TsdfError("TSDF1000", `entry file not found: ${missing}`);
  const tsConfigFilePath = abs[0] === undefined ? undefined : findTsconfig(abs[0]);
  const project = tsConfigFilePath
    ? new Project({ tsConfigFilePath, skipAddingFilesFromTsConfig: true, compilerOptions: { skipLibCheck: true, noEmit: true } })
    : new Project({ compilerOptions: DEFAULT_OPTIONS });
  const entries = abs.map((p) => project.addSourceFileAtPath(p));
  project.resolveSourceFileDependencies();
  const userFiles = project.getSourceFiles().filter((sf) => !sf.isDeclarationFile() && !sf.isInNodeModules() && !isLibraryFile(sf.getFilePath()));
  // Only the user's files are checked: tsdf's own sources are checked by its CI, and skipping
  // them (and every .d.ts) is most of a cold build's time.
  const program = project.getProgram().compilerObject;
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...userFiles.flatMap((sf) => [...program.getSyntacticDiagnostics(sf.compilerNode), ...program.getSemanticDiagnostics(sf.compilerNode)]),
  ]
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d): Diagnostic => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file) return { line: 0, column: 0, code: `TS${d.code}`, message };
      const pos = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      return { file: d.file.fileName, line: pos.line + 1, column: pos.character + 1, code: `TS${d.code}`, message };
    });
  return { project, entries, userFiles, diagnostics };
}

/**
 * Type-checks pipeline entries and what they import in one program, with the first entry's
 * tsconfig when there is one. TypeScript's errors become one TsdfError listing each as
 * `file:line:column`.
 */
export function checkProgram(entryPaths: readonly string[]): CheckedProgram {
  const { diagnostics, ...checked } = typeCheck(entryPaths);
  if (diagnostics.length > 0) {
    throw new TsdfError("TSDF1100", `type errors in the pipeline (${diagnostics.length}):\n${diagnostics.map(formatDiagnostic).join("\n")}`);
  }
  return checked;
}
