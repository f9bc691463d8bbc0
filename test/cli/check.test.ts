import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { collectDiagnostics, formatTscStyle } from "../../cli/check.ts";

const fixture = (name: string) => resolve(import.meta.dirname, "../fixtures", name);

describe("tsdf check", () => {
  it("reports TypeScript's errors with their location", async () => {
    const { diagnostics } = await collectDiagnostics([fixture("type-errors/misspelt-column.ts")]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 6, column: 56, code: "TS2551" });
    expect(diagnostics[0]?.message).toContain("Did you mean 'price'?");
  });

  it("reports an untranslatable lambda as a TSDF error in tsc's format", async () => {
    const { diagnostics } = await collectDiagnostics([fixture("pipelines/untranslatable.ts")]);
    expect(diagnostics.map((d) => d.code)).toEqual(["TSDF1003"]);
    const line = formatTscStyle(diagnostics[0] as never, resolve(import.meta.dirname, "../.."));
    expect(line).toMatch(/^test\/fixtures\/pipelines\/untranslatable\.ts\(6,63\): error TSDF1003: the lambda uses a call to 'Math\.round\(\)'/);
  });

  it("reports plan errors found while tracing, at the lambda", async () => {
    const { diagnostics } = await collectDiagnostics([fixture("pipelines/join-collision.ts")]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "TSDF2008", line: 9 });
    expect(diagnostics[0]?.message).toContain("both sides of the join have a column 'id'");
  });

  it("finds nothing in a clean pipeline and lists the files it watched", async () => {
    const { diagnostics, files } = await collectDiagnostics([fixture("pipelines/basic.ts")]);
    expect(diagnostics).toEqual([]);
    expect(files.some((f) => f.endsWith("basic.ts"))).toBe(true);
  });
});
