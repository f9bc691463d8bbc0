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
  const userFiles = project.getSourceFiles().filter((sf) => !sf.isDeclarationFile() && !sf.isInNodeModules() && !isLibraryFile(sf.getFilePath()));
  // Only the user's files are checked: tsdf's own sources are checked by its CI, and skipping
  // them (and every .d.ts) is most of a cold build's time.
  const program = project.getProgram().compilerObject;
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...userFiles.flatMap((sf) => [...program.getSyntacticDiagnostics(sf.compilerNode), ...program.getSemanticDiagnostics(sf.compilerNode)]),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length > 0) {
    const lines = diagnostics.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file) return `error TS${d.code}: ${message}`;
      const pos = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${d.file.fileName}:${pos.line + 1}:${pos.character + 1}: error TS${d.code}: ${message}`;
    });
    throw new TsdfError("TSDF1100", `type errors in the pipeline (${diagnostics.length}):\n${lines.join("\n")}`);
  }
  return { project, entries, userFiles };
}
