import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeBundle, REPO, tsdf } from "./cli.ts";

const FIXTURE = resolve(REPO, "test/fixtures/pipelines/basic.ts");
let bundle: string;
let work: string;

const SALES = `id,customer,qty,price,day
1,c1,2,10.5,2024-01-01
2,c2,1,3.25,2024-01-02
3,,4,1.0,2024-01-03
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tsdf-bad-input-"));
  const r = tsdf(["build", FIXTURE, "--out", join(work, "dist")]);
  expect(r.stderr).toContain("built");
  expect(r.code).toBe(0);
  bundle = join(work, "dist", "basic.mjs");
});

/** A data folder with `input/sales.csv` holding `sales` (none when null). */
function dataDir(sales: string | null): string {
  const dir = mkdtempSync(join(work, "data-"));
  if (sales !== null) {
    mkdirSync(join(dir, "input"));
    writeFileSync(join(dir, "input", "sales.csv"), sales);
  }
  return dir;
}

describe("a bundle's worker threads", () => {
  it("load their task module with import(), never require(esm), which aborts the process when a failed run ends while one is loading", () => {
    // Piscina tries require() first; the task module's top-level await makes require() refuse it.
    let code: unknown;
    try {
      createRequire(import.meta.url)(join(work, "dist", "basic.workers", "task.js"));
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(["ERR_REQUIRE_ASYNC_MODULE", "ERR_REQUIRE_ESM"]).toContain(code);
  });
});

describe("a bundle's command line", () => {
  it("prints its options for --help, and names an unknown option or a missing value without a stack trace", () => {
    const help = nodeBundle(bundle, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node <bundle>\.mjs \[options\]/);
    expect(help.stdout).toContain("--partitions <n>");
    const unknown = nodeBundle(bundle, ["--data-dir", work, "--wrokers", "2"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error TSDF4005: Unknown option '--wrokers'; --help lists the options");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const missing = nodeBundle(bundle, ["--workers"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("TSDF4005: Option '--workers <value>' argument missing");
  });
});

describe("bad input fails with a located tsdf error and no output", () => {
  it("runs clean input (the control case)", () => {
    const dir = dataDir(SALES);
    const r = nodeBundle(bundle, ["--data-dir", dir, "--current-date", "2024-02-01", "--workers", "2"]);
    // Nothing but the end-of-run summary.
    expect(r.stderr).toMatch(/^tsdf: \d+ stages?, \d+ tasks?, [\d.]+ (B|KiB|MiB) shuffled, [\d.]+ s on \d+ workers?\n$/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("C1");
  });

  it("names a missing input file", () => {
    const dir = dataDir(null);
    const r = nodeBundle(bundle, ["--data-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TSDF3001.*input[\\/]sales\.csv/);
  });

  it("names the file, line and column of a header that does not match the schema", () => {
    const dir = dataDir(SALES.replace("qty", "quantity"));
    const r = nodeBundle(bundle, ["--data-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sales\.csv:1:\d+/);
    expect(r.stderr).toContain("TSDF3002");
  });

  it("names the line and column of a value that does not parse as its type (FAILFAST)", () => {
    const dir = dataDir(SALES.replace("3,,4,1.0", "3,,four,1.0"));
    const r = nodeBundle(bundle, ["--data-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sales\.csv:4:\d+/);
    expect(r.stderr).toContain("four");
  });

  it("rejects an unknown --param before reading anything", () => {
    const dir = dataDir(SALES);
    const r = tsdf(["run", bundle, "--data-dir", dir, "--param", "min_qtty=2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown --param 'min_qtty'");
    expect(r.stderr).toContain("min_qty");
  });

  it("rejects an ill-typed --param", () => {
    const dir = dataDir(SALES);
    const r = tsdf(["run", bundle, "--data-dir", dir, "--param", "min_qty=lots"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expected a number");
  });

  it("keeps the previous output intact after a failed run", () => {
    const dir = dataDir(SALES);
    expect(nodeBundle(bundle, ["--data-dir", dir]).code).toBe(0);
    const snapshot = () => readdirSync(join(dir, "output", "clean")).map((f) => [f, readFileSync(join(dir, "output", "clean", f), "utf8")]);
    const before = snapshot();
    expect(before.map(([f]) => f)).toContain("_SUCCESS");
    writeFileSync(join(dir, "input", "sales.csv"), SALES.replace("3,,4,1.0", "3,,4,abc"));
    const r = nodeBundle(bundle, ["--data-dir", dir]);
    expect(r.code).toBe(1);
    expect(readdirSync(join(dir, "output"))).toEqual(["clean"]);
    expect(snapshot()).toEqual(before);
    expect(readFileSync(join(dir, "input", "sales.csv"), "utf8")).toContain("abc");
  });
});
