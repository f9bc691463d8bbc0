import { resolve } from "node:path";
import salesEtl from "../../examples/sales-etl/sales_etl.ts";
import { csvTablesFor, formatCsv } from "./csv-table.ts";
import { evaluateReference, type ReferenceResult } from "./evaluate.ts";

/** The sales ETL example, its data folder and its pinned run date. */
export const SALES_ETL = {
  pipeline: salesEtl,
  dataDir: resolve(import.meta.dirname, "../../examples/sales-etl"),
  expectedDir: resolve(import.meta.dirname, "../../examples/sales-etl/expected"),
  currentDate: "2024-06-30",
} as const;

/** The reference evaluator's result for the sales ETL example on its sample inputs. */
export function runSalesEtl(params: Record<string, unknown> = {}): ReferenceResult {
  return evaluateReference(SALES_ETL.pipeline, {
    tables: csvTablesFor(SALES_ETL.pipeline, SALES_ETL.dataDir),
    params,
    currentDate: SALES_ETL.currentDate,
  });
}

/**
 * One expected CSV per written output, keyed by its path under `output/` plus `.csv`
 * (`output/csv/customer_analytics` → `csv/customer_analytics.csv`).
 */
export function expectedFiles(result: ReferenceResult = runSalesEtl()): Map<string, string> {
  const files = new Map<string, string>();
  for (const s of result.sinks) {
    if (s.kind !== "Write") continue;
    const name = `${s.path.replace(/^output\//, "")}.csv`;
    if (files.has(name)) throw new Error(`two writes to ${s.path}`);
    files.set(name, formatCsv(s.columns, s.rows, s.ordered));
  }
  return files;
}
