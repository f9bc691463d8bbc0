/** What a benchmark table records besides its numbers: the machine and package versions. */
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The installed version of a package (node_modules/<name>/package.json), or "?" when it is not installed. */
export function packageVersion(name: string): string {
  const pkg = path.join(ROOT, "node_modules", name, "package.json");
  return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version : "?";
}

/** This checkout's version of tsdf (package.json). */
export function tsdfVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** e.g. `AMD EPYC × 2 logical CPUs, 24 GiB, Linux 6.1; 1-minute load average 3.2 at the start`. */
export function machineLine(loadAtStart = os.loadavg()[0] ?? 0): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "?"} × ${cpus.length} logical CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start (other work on the machine makes the numbers noisy)`;
}
