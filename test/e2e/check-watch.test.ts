import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./cli.ts";

/* `tsdf check --watch` reports a new error after a save, with tsc's watch banners. */

describe("tsdf check --watch", () => {
  it("rechecks on save and reports the new error in tsc's format", async () => {
    // Inside the repository, so the fixture resolves `tsdf` through the repository's tsconfig.
    mkdirSync(resolve(REPO, ".cache"), { recursive: true });
    const dir = mkdtempSync(resolve(REPO, ".cache/check-watch-"));
    const file = join(dir, "pipeline.ts");
    copyFileSync(resolve(REPO, "test/fixtures/pipelines/basic.ts"), file);
    const child = spawn(process.execPath, [resolve(REPO, "bin/tsdf.mjs"), "check", "--watch", file], { cwd: REPO });
    let out = "";
    const waitFor = (re: RegExp) =>
      new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${re} in:\n${out}`)), 60_000);
        const onData = (d: Buffer) => {
          out += d.toString();
          if (re.test(out)) {
            clearTimeout(timer);
            child.stdout.off("data", onData);
            done();
          }
        };
        child.stdout.on("data", onData);
        onData(Buffer.from(""));
      });
    try {
      await waitFor(/Starting compilation in watch mode\.\.\.[\s\S]*Found 0 errors\. Watching for file changes\./);
      writeFileSync(file, readFileSync(file, "utf8").replace("trim(upper(r.customer ?? \"\"))", "r.customer!.toUpperCase()"));
      await waitFor(/File change detected\. Starting incremental compilation\.\.\.[\s\S]*error TSDF1003: [^\n]*toUpperCase[\s\S]*Found 1 error\. Watching for file changes\./);
      expect(out).toMatch(/pipeline\.ts\(\d+,\d+\): error TSDF1003/);
    } finally {
      child.kill();
    }
  });
});
