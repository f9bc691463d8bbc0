import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { explainSpark } from "../../../cli/explain.ts";
import { compilePipelines } from "../../../compiler/compile.ts";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import { isTsdfError, type TsdfError } from "../../../plan/errors.ts";
import type { PipelinePlan } from "../../../plan/logical.ts";
import { formatSparkActions } from "../../../targets/spark/format-relation.ts";
import { runOnSpark } from "../../../targets/spark/run-on-spark.ts";
import { clusterPath, translatePipeline } from "../../../targets/spark/translate-plan.ts";
import { tsdf } from "../../e2e/cli.ts";

/*
 * The plan → Spark Connect translation, checked on the relation text (no server): each semantic
 * mapping shows up as the Spark expression that keeps JavaScript's meaning, and each construct
 * with no faithful mapping is a TSDF7001 error.
 */

const FIXTURES = resolve(import.meta.dirname, "../fixtures");
const INCOMPATIBLE = ["drop-duplicates", "first", "unordered-limit", "arrow-read"] as const;
let traced: PipelinePlan;
let semantics: PipelinePlan;
const incompatible = new Map<string, PipelinePlan>();

beforeAll(async () => {
  const plans = await compilePipelines([resolve(FIXTURES, "semantics.ts"), ...INCOMPATIBLE.map((n) => resolve(FIXTURES, "incompatible", `${n}.ts`))]);
  traced = plans[0] as PipelinePlan;
  semantics = optimize(traced).plan;
  for (const [i, n] of INCOMPATIBLE.entries()) incompatible.set(n, optimize(plans[i + 1] as PipelinePlan).plan);
}, 120_000);

function sparkText(currentDate?: string): string {
  return formatSparkActions(translatePipeline(semantics, currentDate === undefined ? {} : { currentDate }));
}

function translationError(name: (typeof INCOMPATIBLE)[number]): TsdfError {
  try {
    translatePipeline(incompatible.get(name) as PipelinePlan);
  } catch (e) {
    if (isTsdfError(e)) return e;
    throw e;
  }
  throw new Error(`${name} translated`);
}

describe("semantic mappings in the relation tree", () => {
  it("=== and !== against a nullable value are null-safe (<=>)", () => {
    expect(sparkText()).toContain("(`a` <=> `b`) AS null_equals_null");
    expect(sparkText()).toContain("not((`s` <=> `t`)) AS null_not_equals");
  });

  it("/ is double division, by zero giving ±Infinity or NaN as in JavaScript", () => {
    expect(sparkText()).toContain(
      "if((`y` == 0D), (`x` * if(startswith(CAST(`y` AS STRING), '-'), double('-Infinity'), double('Infinity'))), (`x` / `y`)) AS divide",
    );
  });

  it("int32 arithmetic runs on doubles, so a product never wraps", () => {
    expect(sparkText()).toContain("((CAST(`big` AS DOUBLE) * CAST(`big` AS DOUBLE)) + CAST(`big` AS DOUBLE)) AS int_overflow");
  });

  it("?? is coalesce and && returns an operand, not SQL's three-valued AND", () => {
    expect(sparkText()).toContain("coalesce(coalesce(`a`, `b`), -1) AS nullish");
    expect(sparkText()).toContain("if(coalesce(not((`s` == '')), false), `t`, `s`) AS and_operands");
  });

  it("toDate is to_date (null for a bad string with the session's settings); currentDate is the run's date", () => {
    expect(sparkText("2024-06-30")).toContain("to_date(`ds`, 'yyyy-MM-dd') AS to_date_unparsable");
    expect(sparkText("2024-06-30")).toContain("datediff(DATE '2024-06-30', ");
    expect(sparkText()).toContain("datediff(:current_date, ");
  });

  it("orderBy keeps tsdf's null ordering explicitly", () => {
    expect(sparkText()).toContain("Sort: `a` ASC NULLS FIRST, `id` ASC NULLS FIRST");
    expect(sparkText()).toContain("Sort: `s` DESC NULLS LAST, `id` ASC NULLS FIRST");
  });
});

describe("constructs with no faithful mapping", () => {
  it("first() is an error at its source location", () => {
    const e = translationError("first");
    expect(e.code).toBe("TSDF7001");
    expect(e.message).toMatch(/first\(\) cannot run on Spark/);
    expect(e.location).toMatchObject({ file: resolve(FIXTURES, "incompatible", "first.ts"), line: 6 });
  });

  it("dropDuplicates on some columns, limit without orderBy and Arrow inputs are errors at the call", () => {
    const cases: [(typeof INCOMPATIBLE)[number], RegExp, string][] = [
      ["drop-duplicates", /dropDuplicates\("k"\) cannot run on Spark/, "dropDuplicates"],
      ["unordered-limit", /limit\(\) on unordered rows/, "limit"],
      ["arrow-read", /read\.arrow\(\) cannot run on Spark/, "arrow"],
    ];
    for (const [name, message, method] of cases) {
      const e = translationError(name);
      expect(e.message).toMatch(message);
      const at = e.location as { file: string; line: number; column: number; lineText: string };
      expect(at).toMatchObject({ file: resolve(FIXTURES, "incompatible", `${name}.ts`), line: 6 });
      // The column points at the method's name on its line.
      expect(at.lineText.slice(at.column - 1)).toMatch(new RegExp(`^${method}\\(`));
    }
  });
});

describe("tsdf explain --target spark", () => {
  it("prints one tree per sink, and the same relations as JSON", () => {
    const text = explainSpark(traced, "text");
    expect(text.split("\n").filter((l) => l.startsWith("Output: "))).toEqual([
      "Output: name=mapped",
      "Output: name=avg_of_no_rows",
      "Output: name=nulls_first_ascending",
      "Output: name=nulls_last_descending",
      "Output: name=strings_ascending",
      "Output: name=strings_descending",
      "Output: name=strings_below_private_use",
      "Output: name=strings_min_max",
      "Output: name=null_keys_never_match",
    ]);
    const json = JSON.parse(explainSpark(traced, "json")) as { target: string; sinks: { kind: string; relation: { project?: unknown } }[] };
    expect(json.target).toBe("spark");
    expect(json.sinks.map((s) => s.kind)).toEqual(Array(9).fill("Output"));
    expect(json.sinks[0]?.relation.project).toBeDefined();
  });
});

describe("paths on the cluster", () => {
  it("resolves a local data folder to absolute paths and joins a URI", () => {
    expect(clusterPath("input/a.csv", "/data")).toBe("/data/input/a.csv");
    expect(clusterPath("input/a.csv", "s3a://bucket/etl/")).toBe("s3a://bucket/etl/input/a.csv");
    expect(clusterPath("input/a.csv", undefined)).toBe("input/a.csv");
  });
});

describe("an unreachable server", () => {
  it("fails within 10 s, naming the address", async () => {
    const started = Date.now();
    const run = runOnSpark(semantics, {
      remote: "sc://127.0.0.1:9",
      currentDate: "2024-06-30",
      out: () => {},
      decodeRows: () => [],
      formatShow: () => [],
    });
    await expect(run).rejects.toMatchObject({ code: "TSDF7002", message: expect.stringContaining("127.0.0.1:9") });
    expect(Date.now() - started).toBeLessThan(11_000);
  }, 20_000);
});

describe("tsdf build --target spark", () => {
  it("fails on a construct Spark cannot run, naming it, and writes nothing", () => {
    const out = mkdtempSync(join(tmpdir(), "tsdf-target-spark-"));
    try {
      const r = tsdf(["build", resolve(FIXTURES, "incompatible", "first.ts"), "--out", out, "--target", "spark"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("TSDF7001");
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("tsdf run --remote", () => {
  it("fails on a construct Spark cannot run before it connects (TSDF7001, not the unreachable server's TSDF7002)", () => {
    const r = tsdf(["run", resolve(FIXTURES, "incompatible", "first.ts"), "--remote", "sc://127.0.0.1:9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("TSDF7001");
    expect(r.stderr).toMatch(/first\.ts:\d+:\d+/);
    expect(r.stderr).not.toContain("TSDF7002");
  });
});
