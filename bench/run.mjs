// `npm run bench [-- --rows N --threads T]`: runs bench/io.ts under tsx with the given flags,
// then bench/types.ts; each records its table in BENCHMARKS.md.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const tsx = createRequire(import.meta.url).resolve("tsx/cli");
for (const [script, args] of [
  ["./io.ts", process.argv.slice(2)],
  ["./types.ts", []],
]) {
  const r = spawnSync(process.execPath, [tsx, new URL(script, import.meta.url).pathname, ...args], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
