import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { pipelineService, widePipeline } from "./wide-pipeline.ts";

/*
 * The DSL's types on wide schemas and long chains: a pipeline over `columns` columns with `steps`
 * chained withColumn / filter / withColumns / withColumnRenamed calls, then groupBy().agg().
 * Typed query builders commonly fail such chains with TS2589; tsdf's row types must not.
 * (Speed belongs in bench/, not here: these tests only check correctness.)
 */

const DIR = resolve(import.meta.dirname, "../../.cache/type-scale");

/** Checks the pipeline with `r.COMPLETE_HERE` replaced by `r.<read>`. */
function check(columns: number, steps: number, read = "c0") {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `wide_${columns}x${steps}.ts`);
  const text = widePipeline(columns, steps);
  writeFileSync(file, text.replace("COMPLETE_HERE", read));
  const service = pipelineService(DIR, file);
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

  it("1000 columns × 80 steps: no TS2589, even reading a column no step touched", () => {
    // Column types are looked up lazily, one level per step: c999 is first read after all 80.
    const { errors, hover } = check(1000, 80, "c999");
    expect(errors).toEqual([]);
    expect(hover).toContain("total: number | null;");
  });
});
