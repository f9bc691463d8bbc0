/** Ctrl-C during a run: the process ends promptly with 130, writes nothing, keeps the previous output. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import { REPO, tsdf } from "./cli.ts";

it("cancels cleanly on SIGINT", async () => {
  const work = mkdtempSync(join(tmpdir(), "tsdf-cancel-"));
  expect(tsdf(["build", resolve(REPO, "test/fixtures/pipelines/basic.ts"), "--out", join(work, "dist")]).code).toBe(0);
  mkdirSync(join(work, "input"));
  // Big enough that the run takes several seconds on an idle machine, so the interrupt lands mid-run.
  const lines = ["id,customer,qty,price,day"];
  for (let i = 0; i < 1_500_000; i++) lines.push(`${i},c${i % 5000},${1 + (i % 9)},${(i % 1000) / 10},2024-0${1 + (i % 9)}-1${i % 10}`);
  writeFileSync(join(work, "input", "sales.csv"), `${lines.join("\n")}\n`);

  const child = spawn(process.execPath, [join(work, "dist", "basic.mjs"), "--data-dir", work, "--current-date", "2024-06-30", "--workers", "2", "--partitions", "8"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  // Interrupt once tasks are running on the workers.
  await new Promise((r) => setTimeout(r, 1500));
  const sent = performance.now();
  child.kill("SIGINT");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const took = performance.now() - sent;

  expect(code).toBe(130);
  expect(stderr).toContain("TSDF5003");
  expect(took).toBeLessThan(10_000);
  expect(existsSync(join(work, "output", "clean")) ? readdirSync(join(work, "output", "clean")) : []).toEqual([]);
}, 120_000);
