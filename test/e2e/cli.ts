import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
const BIN = resolve(REPO, "bin/tsdf.mjs");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tsdf <args>` as a user would, in a child process. */
export function tsdf(args: readonly string[], cwd = REPO): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a built bundle with plain `node`, no tsdf CLI involved. */
export function nodeBundle(bundle: string, args: readonly string[], cwd = REPO): CliResult {
  const r = spawnSync(process.execPath, [bundle, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
