import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Users' editors and `tsc` may be TypeScript 7 (the native compiler). The whole repository,
 * including the DSL's @ts-expect-error type tests, must check under it as under TypeScript 6.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const tsc7 = resolve(ROOT, "node_modules/typescript7/bin/tsc");

function tsc(args: readonly string[]) {
  const r = spawnSync(process.execPath, [tsc7, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("TypeScript 7", () => {
  it("is the native compiler, version 7", () => {
    expect(tsc(["--version"]).out).toMatch(/Version 7\./);
  });

  it("checks the repository, type tests included, without errors", () => {
    const r = tsc(["--noEmit", "-p", "tsconfig.json"]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("rejects a misspelt column with a suggestion", () => {
    const r = tsc(["--noEmit", "-p", "test/fixtures/type-errors/tsconfig.json"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/misspelt-column\.ts\(6,56\): error TS2551: Property 'prices' does not exist .*Did you mean 'price'\?/);
    expect(r.out).toMatch(/wrong-type\.ts\(6,\d+\): error TS2345/);
  });
});
