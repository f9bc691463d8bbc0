import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildBundle, freshBundle, loadCli } from "../../bin/cli-bundle.mjs";

/*
 * bin/tsdf.mjs runs the CLI from an esbuild bundle of its sources, rebuilt when a source changes.
 * The bundle must behave like the sources: same files found through import.meta, same results.
 */

const ROOT = resolve(import.meta.dirname, "../..");
mkdirSync(join(ROOT, ".cache"), { recursive: true });
// Inside tsdf's root, as the real cache is: the bundle imports packages from its node_modules.
const cache = mkdtempSync(join(ROOT, ".cache", "cli-bundle-test-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe("the CLI bundle", () => {
  it("is reused while its sources are unchanged, and stale once one changes", async () => {
    const entry = await buildBundle(cache);
    expect(freshBundle(cache)).toBe(entry);
    const current = JSON.parse(readFileSync(join(cache, "current.json"), "utf8")) as { inputs: Record<string, number> };
    expect(Object.keys(current.inputs)).toEqual(expect.arrayContaining(["cli/main.ts", "compiler/check.ts", "stdlib/frame.ts"]));
    current.inputs["compiler/check.ts"] = 0;
    writeFileSync(join(cache, "current.json"), JSON.stringify(current));
    expect(freshBundle(cache)).toBeUndefined();
  });

  it("checks a pipeline as the sources do: the stdlib and tsdf's root are found where the sources are", async () => {
    const { main } = await loadCli(cache);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
    try {
      expect(await main(["check", join(ROOT, "test/fixtures/type-errors/misspelt-column.ts")])).toBe(1);
    } finally {
      write.mockRestore();
    }
    expect(out.join("")).toMatch(/misspelt-column\.ts\(6,56\): error TS2551: .*Did you mean 'price'\?/);
  });
});
