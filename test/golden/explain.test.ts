import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePipeline } from "../../compiler/compile.ts";
import { explainPipeline } from "../../cli/explain.ts";

/*
 * Golden explain output for every example: a plan change shows up as a reviewed diff.
 * `UPDATE_GOLDEN=1 npm test` rewrites the files.
 */

const EXAMPLES = resolve(import.meta.dirname, "../../examples");

for (const example of readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  const entry = readdirSync(join(EXAMPLES, example)).find((f) => f.endsWith(".ts"));
  if (!entry) continue;
  describe(`explain ${example}`, () => {
    it("matches its golden file", async () => {
      const text = `${explainPipeline(await compilePipeline(join(EXAMPLES, example, entry)), "text", 4)}\n`;
      const golden = join(import.meta.dirname, `${example}.explain.txt`);
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(golden)) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, "utf8"));
    });
  });
}
