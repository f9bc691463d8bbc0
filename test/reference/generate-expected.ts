/**
 * Regenerates `examples/sales-etl/expected/` from the reference evaluator:
 *   npx tsx test/reference/generate-expected.ts
 * Review the diff: these files are what `tsdf run` must produce on the example.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expectedFiles, SALES_ETL } from "./expected-files.ts";

rmSync(SALES_ETL.expectedDir, { recursive: true, force: true });
for (const [name, text] of expectedFiles()) {
  const path = join(SALES_ETL.expectedDir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
