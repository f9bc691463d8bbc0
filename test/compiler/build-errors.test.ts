import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePipeline } from "../../compiler/compile.ts";
import { TsdfError } from "../../plan/errors.ts";

const fixture = (name: string) => resolve(import.meta.dirname, "../fixtures", name);

async function buildError(path: string): Promise<TsdfError> {
  try {
    await compilePipeline(path);
  } catch (e) {
    if (e instanceof TsdfError) return e;
    throw e;
  }
  throw new Error(`expected ${path} to fail`);
}

describe("tsdf build errors", () => {
  it("reports a misspelt column as a type error with file:line:column", async () => {
    const e = await buildError(fixture("type-errors/misspelt-column.ts"));
    expect(e.code).toBe("TSDF1100");
    expect(e.format()).toContain("misspelt-column.ts:6:56: error TS2551");
    expect(e.message).toContain("'prices'");
  });

  it("reports a wrong argument type with its location", async () => {
    const e = await buildError(fixture("type-errors/wrong-type.ts"));
    expect(e.message).toMatch(/wrong-type\.ts:6:\d+: error TS2345/);
  });

  it("rejects a call tsdf cannot translate, pointing at it with a hint", async () => {
    const e = await buildError(fixture("pipelines/untranslatable.ts"));
    expect(e.code).toBe("TSDF1003");
    expect(e.location).toMatchObject({ line: 6, column: 63 });
    expect(e.message).toContain("Math.round");
    expect(e.message).toContain("HALF_UP");
  });

  it("fails clearly on a missing entry file", async () => {
    const e = await buildError("does/not/exist.ts");
    expect(e.code).toBe("TSDF1000");
  });
});
