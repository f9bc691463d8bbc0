import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO, tsdf } from "./cli.ts";

/* A program that imports a built bundle gets the pipeline's output row types. */

let dist: string;
beforeAll(() => {
  dist = join(mkdtempSync(join(tmpdir(), "tsdf-typed-")), "dist");
  const r = tsdf(["build", resolve(REPO, "test/fixtures/pipelines/basic.ts"), "--out", dist]);
  expect(r.code).toBe(0);
});

function typeErrors(source: string): string[] {
  const file = join(dist, "consumer.mts");
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("the bundle's types", () => {
  it("types job.run() outputs with the pipeline's row types", () => {
    const errors = typeErrors(`
import job from "./basic.mjs";
const { outputs } = await job.run({ dataDir: "data", params: { min_qty: 2 } });
const row = outputs.by_customer[0];
if (row) {
  const customer: string = row.customer;
  const n: bigint = row.n;
  const total: number | null = row.total;
  console.log(customer, n, total);
}
export {};
`);
    expect(errors).toEqual([]);
  });

  it("rejects a misspelt output column and a wrong row type", () => {
    const errors = typeErrors(`
import job from "./basic.mjs";
const { outputs } = await job.run();
const row = outputs.by_customer[0]!;
const total: number = row.total;
console.log(row.totl, total);
export {};
`);
    expect(errors.some((e) => e.includes("'totl' does not exist"))).toBe(true);
    expect(errors.some((e) => e.includes("'number | null' is not assignable to type 'number'"))).toBe(true);
  });
});
