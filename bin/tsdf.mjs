#!/usr/bin/env node
// The tsdf command. Its sources are TypeScript; it runs them from a bundle that is rebuilt when
// they change (see cli-bundle.mjs).
import { loadCli } from "./cli-bundle.mjs";

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
