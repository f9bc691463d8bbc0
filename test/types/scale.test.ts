import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/*
 * The DSL's types on wide schemas and long chains: a pipeline over `columns` columns with `steps`
 * chained withColumn / filter / withColumns / withColumnRenamed calls, then groupBy().agg().
 * Typed query builders commonly fail such chains with TS2589; tsdf's row types must not.
 * (Speed belongs in bench/, not here: these tests only check correctness.)
 */

const DIR = resolve(import.meta.dirname, "../../.cache/type-scale");

function widePipeline(columns: number, steps: number): string {
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

function check(columns: number, steps: number) {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `wide_${columns}x${steps}.ts`);
  const text = widePipeline(columns, steps);
  writeFileSync(file, text.replace("COMPLETE_HERE", "c0"));
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
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f) ?? "") : undefined),
    getCurrentDirectory: () => DIR,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
  };
  const service = ts.createLanguageService(host);
  const errors = [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].map(
    (d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
  );
  const at = text.indexOf("r.COMPLETE_HERE") + 2;
  const completions = service.getCompletionsAtPosition(file, at, {})?.entries.map((e) => e.name) ?? [];
  const hover = service.getQuickInfoAtPosition(file, text.indexOf("const out") + 6)?.displayParts?.map((p) => p.text).join("");
  return { errors, completions, hover };
}

describe("row types on wide schemas and long chains", () => {
  it("300 columns × 40 steps: no errors, every column completes at the end of the chain", () => {
    const { errors, completions, hover } = check(300, 40);
    expect(errors).toEqual([]);
    expect(completions).toContain("c299");
    expect(completions).toContain("k38");
    expect(completions).toContain("r39");
    expect(completions).not.toContain("n36");
    expect(completions.length).toBe(300 + 30);
    expect(hover).toBe("const out: DataFrame<{\n    c0: string;\n    total: number | null;\n    n: bigint;\n}>");
  });

  it("1000 columns × 80 steps: no TS2589", () => {
    const { errors } = check(1000, 80);
    expect(errors).toEqual([]);
  });
});
