import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type Schema, schemaOf } from "../../plan/schema.ts";
import { rowsToBatch } from "../../runtime/exec/columns.ts";
import { writeParquet } from "../../runtime/io/parquet.ts";
import { nodeBundle, REPO, tsdf } from "./cli.ts";

/* `p.read.parquet(path)` without a schema: tsdf build reads the file's schema from --data-dir. */

const FIXTURE = resolve(REPO, "test/fixtures/pipelines/schemaless.ts");
const SCHEMA: Schema = schemaOf([
  { name: "id", type: "int64", nullable: false },
  { name: "kind", type: "utf8", nullable: true },
  { name: "day", type: "date32", nullable: false },
]);

describe("a Parquet input without a declared schema", () => {
  it("takes its schema from the file at build time and runs", async () => {
    const data = mkdtempSync(join(tmpdir(), "tsdf-schemaless-"));
    mkdirSync(join(data, "input"));
    const rows = [
      { id: 1n, kind: "click", day: "2024-01-01" },
      { id: 2n, kind: null, day: "2024-01-02" },
    ];
    await writeParquet(join(data, "input", "events.parquet"), [rowsToBatch(rows, SCHEMA)], SCHEMA);
    const dist = join(data, "dist");
    const built = tsdf(["build", FIXTURE, "--out", dist, "--data-dir", data]);
    expect(built.code, built.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(dist, "schemaless.plan.json"), "utf8")) as unknown;
    expect(JSON.stringify(plan)).toContain('"name":"kind","type":"utf8","nullable":true');
    expect(readFileSync(join(dist, "schemaless.plan.ts"), "utf8")).toContain('"id": bigint;');
    const run = nodeBundle(join(dist, "schemaless.mjs"), ["--data-dir", data, "--workers", "2"]);
    // Nothing but the end-of-run summary.
    expect(run.stderr).toMatch(/^tsdf: \d+ stages?, \d+ tasks?, [\d.]+ (B|KiB|MiB) shuffled, [\d.]+ s on \d+ workers?\n$/);
    const out = join(data, "output", "events");
    const text = readdirSync(out)
      .filter((f) => f.endsWith(".csv"))
      .sort()
      .map((f) => readFileSync(join(out, f), "utf8"))
      .join("");
    expect(text).toContain("1,click,2024-01-01");
    expect(text).toContain("2,,2024-01-02");
  });

  it("fails the build, naming the file, when it is not there", () => {
    const empty = mkdtempSync(join(tmpdir(), "tsdf-schemaless-none-"));
    const r = tsdf(["build", FIXTURE, "--out", join(empty, "dist"), "--data-dir", empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TSDF3001.*input\/events\.parquet/);
  });
});
