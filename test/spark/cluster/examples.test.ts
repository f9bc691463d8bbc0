import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deserializePlan } from "../../../plan/serialize.ts";
import { REPO, tsdf } from "../../e2e/cli.ts";
import { outputText } from "../../reference/csv-table.ts";
import { REMOTE } from "../cluster-run.ts";

/*
 * Every example, built with `tsdf build --target spark` and run unchanged by plain `node` with
 * SPARK_REMOTE set: Spark writes every output (read back by tsdf's readers) equal to the
 * example's expected files, and the show() tables equal a local run's.
 */

const EXAMPLES = resolve(REPO, "examples");
const CURRENT_DATE = "2024-06-30";
const work = mkdtempSync(join(tmpdir(), "tsdf-spark-examples-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runBundle(bundle: string, args: readonly string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bundle, ...args], { encoding: "utf8", timeout: 540_000, env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}


for (const example of readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  const dir = join(EXAMPLES, example);
  const entry = readdirSync(dir).find((f) => f.endsWith(".ts"));
  if (!entry || !existsSync(join(dir, "expected"))) continue;
  const name = entry.replace(/\.ts$/, "");

  describe(`example ${example} on Spark`, () => {
    const dist = join(work, example, "dist");

    it("builds for the Spark target and runs there, writing the expected outputs and the local run's tables", async () => {
      const built = tsdf(["build", join(dir, entry), "--out", dist, "--target", "spark"]);
      expect(built.stderr).toMatch(/^built /);
      const bundle = join(dist, `${name}.mjs`);
      const [sparkData, localData] = ["spark", "local"].map((which) => {
        const data = join(work, example, which);
        cpSync(join(dir, "input"), join(data, "input"), { recursive: true });
        return data;
      }) as [string, string];
      const spark = runBundle(bundle, ["--data-dir", sparkData, "--current-date", CURRENT_DATE], { SPARK_REMOTE: REMOTE });
      expect(spark.stderr).toBe("");
      expect(spark.code).toBe(0);
      const local = runBundle(bundle, ["--data-dir", localData, "--current-date", CURRENT_DATE, "--quiet"], {});
      expect(local.code).toBe(0);
      expect(spark.stdout).toBe(local.stdout);

      const plan = deserializePlan(readFileSync(join(dist, `${name}.plan.json`), "utf8"));
      const writes = plan.sinks.filter((s) => s.kind === "Write");
      expect(writes.length).toBeGreaterThan(0);
      for (const w of writes) {
        const out = join(sparkData, w.path);
        expect(existsSync(join(out, "_SUCCESS")), w.path).toBe(true);
        const expected = readFileSync(join(dir, "expected", `${w.path.replace(/^output\//, "")}.csv`), "utf8");
        const ordered = w.input.kind === "Sort";
        expect(await outputText(out, w.format, w.input.schema, ordered, w.options.header ?? true), w.path).toBe(expected);
      }
    });
  });
}
