#!/usr/bin/env node
// The tsdf command. Its sources are TypeScript, loaded through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
