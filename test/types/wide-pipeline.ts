import { resolve } from "node:path";
import ts from "typescript";

/**
 * A pipeline over `columns` columns with `steps` chained withColumn / filter / withColumns /
 * withColumnRenamed calls, then groupBy().agg(): the shape typed query builders fail on.
 * `r.COMPLETE_HERE` marks where an editor would ask for completions at the end of the chain.
 */
export function widePipeline(columns: number, steps: number): string {
  const kinds = ["t.string()", "t.float64()", "t.int32().nullable()"];
  const fields = Array.from({ length: columns }, (_, i) => `  c${i}: ${kinds[i % 3]},`).join("\n");
  let chain = `p.read.csv("wide.csv", Wide)`;
  for (let s = 0; s < steps; s++) {
    if (s % 4 === 0) chain += `\n    .withColumn("n${s}", (r) => r.c1 * 2 + ${s})`;
    else if (s % 4 === 1) chain += `\n    .filter((r) => r.c${(s * 3 + 1) % columns} > 0)`;
    else if (s % 4 === 2) chain += `\n    .withColumns((r) => ({ m${s}: upper(r.c0), k${s}: r.c4 + 1 }))`;
    else chain += `\n    .withColumnRenamed("n${s - 3}", "r${s}")`;
  }
  return `import { count, pipeline, schema, sum, t, upper } from "tsdf";
const Wide = schema({
${fields}
});
export default pipeline("wide", (p) => {
  const df = ${chain};
  const out = df.groupBy("c0").agg((g) => ({ total: sum(g.c1), n: count() }));
  out.show();
  df.filter((r) => r.COMPLETE_HERE === null);
});
`;
}


/**
 * A TypeScript language service over one pipeline file, as an editor would hold it, with
 * `tsdf` resolved to this repository's stdlib. `version()` lets a caller simulate edits.
 */
export function pipelineService(dir: string, file: string, version: () => string = () => "1"): ts.LanguageService {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    types: [],
    paths: { tsdf: [resolve(import.meta.dirname, "../../stdlib/index.ts")] },
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: (f) => (f === file ? version() : "1"),
    getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f) ?? "") : undefined),
    getCurrentDirectory: () => dir,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
  };
  return ts.createLanguageService(host);
}
