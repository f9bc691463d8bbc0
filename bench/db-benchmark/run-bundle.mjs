// `node run-bundle.mjs <bundle.mjs> [run options]`: runs a tsdf bundle as `node <bundle.mjs>`
// does, then reports the process's peak memory on stderr for the benchmark to read.
import { pathToFileURL } from "node:url";

const [bundle, ...args] = process.argv.slice(2);
const job = (await import(pathToFileURL(bundle).href)).default;
process.exitCode = await job.main(args);
process.stderr.write(`TSDF_BENCH_RSS ${process.resourceUsage().maxRSS * 1024}\n`);
