import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { deserializePlan } from "../../plan/serialize.ts";
import { type RunMetrics, runSummary } from "../../runtime/metrics.ts";
import { outputText } from "../reference/csv-table.ts";
import { nodeBundle, REPO, tsdf } from "./cli.ts";

/*
 * Every example: `tsdf build`, then the bundle run by plain `node` on a copy of the example's
 * data, for 1 and 3 partitions; every written output must equal the example's expected file.
 */

const EXAMPLES = resolve(REPO, "examples");
const CURRENT_DATE = "2024-06-30";


for (const example of readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  const dir = join(EXAMPLES, example);
  const entry = readdirSync(dir).find((f) => f.endsWith(".ts"));
  if (!entry || !existsSync(join(dir, "expected"))) continue;

  describe(`example ${example}`, () => {
    const work = mkdtempSync(join(tmpdir(), `tsdf-example-${example}-`));
    const dist = join(work, "dist");

    it("builds a bundle, a plan and typed outputs", () => {
      const r = tsdf(["build", join(dir, entry), "--out", dist]);
      expect(r.stderr).toMatch(/^built /);
      expect(r.code).toBe(0);
      const name = entry.replace(/\.ts$/, "");
      for (const ext of [".mjs", ".plan.json", ".plan.ts", ".d.mts"]) expect(existsSync(join(dist, `${name}${ext}`))).toBe(true);
      expect(readFileSync(join(dist, `${name}.mjs`), "utf8")).not.toMatch(/ts-morph|createProgram/);
    });

    for (const workers of [1, 3]) {
      it(`runs with node and --workers ${workers}, writing the expected outputs`, async () => {
        const name = entry.replace(/\.ts$/, "");
        const data = join(work, `data-${workers}`);
        cpSync(join(dir, "input"), join(data, "input"), { recursive: true });
        const metrics = join(work, `metrics-${workers}.json`);
        const r = nodeBundle(join(dist, `${name}.mjs`), ["--data-dir", data, "--current-date", CURRENT_DATE, "--workers", String(workers), "--metrics", metrics]);
        // Nothing but the end-of-run summary, which agrees with the metrics file.
        const m = JSON.parse(readFileSync(metrics, "utf8")) as RunMetrics;
        expect(m.workers).toBe(workers);
        expect(r.stderr).toBe(`${runSummary(m)}\n`);
        expect(r.code).toBe(0);
        const plan = deserializePlan(readFileSync(join(dist, `${name}.plan.json`), "utf8"));
        const writes = plan.sinks.filter((s) => s.kind === "Write");
        expect(writes.length).toBeGreaterThan(0);
        for (const w of writes) {
          const out = join(data, w.path);
          expect(existsSync(join(out, "_SUCCESS")), w.path).toBe(true);
          const expected = readFileSync(join(dir, "expected", `${w.path.replace(/^output\//, "")}.csv`), "utf8");
          const ordered = w.input.kind === "Sort";
          expect(await outputText(out, w.format, w.input.schema, ordered, w.options.header ?? true), w.path).toBe(expected);
        }
      });
    }
  });
}
