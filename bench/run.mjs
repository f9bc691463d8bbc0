// `npm run bench [-- --rows N --threads T]`: runs bench/io.ts under tsx with the given flags.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const tsx = createRequire(import.meta.url).resolve("tsx/cli");
const r = spawnSync(process.execPath, [tsx, new URL("./io.ts", import.meta.url).pathname, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
