/*
 * A run killed (SIGKILL) in the middle of a write: the previous output is intact, the failed
 * output never gets `_SUCCESS`, and reading the output path still returns the old rows, because
 * readers skip the staging folders (names starting with `_` or `.`).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WriteMode } from "../../../plan/logical.ts";
import { writeDataset } from "../../../runtime/io/committer.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { readDataset } from "../../../runtime/io/read-dataset.ts";
import { killSchema } from "./fixtures/kill-schema.ts";
import { rowsOf, tempDir, tempFile } from "./io-fixtures.ts";

const CHILD = fileURLToPath(new URL("./fixtures/slow-write.ts", import.meta.url));

/** Every file under `dir` (relative paths) with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) files.set(f, fs.readFileSync(p, "latin1"));
  }
  return files;
}

/** Part files written so far in any staging folder of `out` (beside it, or under its `_temporary`). */
function stagedParts(out: string): string[] {
  const parent = path.dirname(out);
  const roots = [
    ...fs.readdirSync(parent).filter((n) => n.startsWith(`.${path.basename(out)}.tsdf-staging-`)).map((n) => path.join(parent, n)),
    ...(fs.existsSync(path.join(out, "_temporary")) ? fs.readdirSync(path.join(out, "_temporary")).map((n) => path.join(out, "_temporary", n)) : []),
  ];
  return roots.flatMap((r) => (fs.readdirSync(r, { recursive: true }) as string[]).map((f) => path.join(r, f)));
}

async function killMidWrite(out: string, mode: WriteMode): Promise<string[]> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, out, mode, "400"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += String(d);
  });
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 30_000;
  // Wait until a few part files are staged, so the kill lands in the middle of the write.
  while (stagedParts(out).filter((f) => f.endsWith(".csv")).length < 3) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never got mid-write: ${stdout} ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  expect(stdout).not.toContain("finished");
  return stagedParts(out);
}

describe("a run killed in the middle of a write", () => {
  for (const mode of ["overwrite", "append"] as const) {
    it(`leaves the previous output intact (${mode})`, async () => {
      const out = path.join(tempDir(), "out");
      const old = await readCsv(tempFile("old.csv", "id,tag\n1,old\n2,old\n3,old\n"), "old.csv", killSchema, { header: true }, ["id", "tag"], 2);
      await writeDataset(out, "out", "csv", old.map((b) => [b]), killSchema, { header: true });
      const before = snapshot(out);
      expect(before.has("_SUCCESS")).toBe(true);

      const staged = await killMidWrite(out, mode);
      expect(staged.some((f) => f.endsWith(".csv"))).toBe(true);
      expect(staged.some((f) => path.basename(f) === "_SUCCESS")).toBe(false);
      // The committed folder is byte for byte the old one (append's staging lives under its _temporary/).
      const after = new Map([...snapshot(out)].filter(([f]) => !f.startsWith("_temporary")));
      expect(after).toEqual(before);

      const rows = rowsOf(await readDataset(out, "out", "csv", killSchema, { header: true }, undefined, 2), killSchema);
      expect(rows).toEqual([
        { id: 1, tag: "old" },
        { id: 2, tag: "old" },
        { id: 3, tag: "old" },
      ]);
    }, 60_000);
  }
});
