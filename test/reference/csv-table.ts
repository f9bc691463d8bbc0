import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FileFormat } from "../../plan/logical.ts";
import type { Field, Schema } from "../../plan/schema.ts";
import { batchesToColumns, columnsToRows } from "../../runtime/exec/columns.ts";
import { readDataset } from "../../runtime/io/read-dataset.ts";
import type { FrameNode } from "../../stdlib/frame-node.ts";
import { type Pipeline, tracePipeline } from "../../stdlib/pipeline.ts";
import type { Row } from "./evaluate.ts";
import { compareSortValues } from "./sort-order.ts";

/*
 * Just enough CSV for the examples' small input and expected files: RFC 4180 quoting, a
 * header line, values typed by the pipeline's schema. Not the engine's reader.
 */

/** Splits CSV text into records of fields; quoted fields may hold commas, quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

function typed(raw: string, f: Field): unknown {
  if (raw === "" && f.nullable) return null;
  switch (f.type) {
    case "int32":
    case "float64":
      return Number(raw);
    case "int64":
      return BigInt(raw);
    case "boolean":
      return raw === "true";
    default:
      return raw;
  }
}

/** Rows of a CSV file with a header line, typed by `fields` (an empty field of a nullable column is null). */
export function csvRows(text: string, fields: readonly Field[]): Row[] {
  const [header = [], ...records] = parseCsv(text);
  return records.map((rec) => {
    const row: Row = {};
    for (const f of fields) {
      const i = header.indexOf(f.name);
      row[f.name] = i < 0 ? null : typed(rec[i] ?? "", f);
    }
    return row;
  });
}

/** Every CSV a pipeline reads, loaded from `dataDir` and keyed by the path as the pipeline wrote it. */
export function csvTablesFor(pipeline: Pipeline, dataDir: string): Record<string, Row[]> {
  const tables: Record<string, Row[]> = {};
  const seen = new Set<FrameNode>();
  const visit = (n: FrameNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    switch (n.op) {
      case "read":
        if (n.format !== "csv" || !n.fields) throw new Error(`csvTablesFor: ${n.path} is not a CSV with a schema`);
        tables[n.path] = csvRows(readFileSync(join(dataDir, n.path), "utf8"), n.fields);
        return;
      case "join":
      case "union":
        visit(n.left);
        visit(n.right);
        return;
      default:
        visit(n.input);
    }
  };
  for (const s of tracePipeline(pipeline, {}).sinks) visit(s.frame);
  return tables;
}

/** A value as expected files write it: ISO dates, JS `String()` numbers, bigint digits, null empty. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" && Object.is(v, -0) ? "0" : String(v);
  return s === "" || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows in a canonical order: column by column, nulls first, Spark's order of values. */
export function sortRows(rows: readonly Row[], columns: readonly string[]): Row[] {
  return [...rows].sort((a, b) => {
    for (const c of columns) {
      const x = a[c] ?? null;
      const y = b[c] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? -1 : 1;
      }
      const d = compareSortValues(x, y);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/** Header plus rows; unordered outputs are sorted by all columns so any engine's result compares. */
export function formatCsv(columns: readonly string[], rows: readonly Row[], ordered: boolean): string {
  const lines = [columns.map(formatValue).join(",")];
  for (const r of ordered ? rows : sortRows(rows, columns)) lines.push(columns.map((c) => formatValue(r[c])).join(","));
  return `${lines.join("\n")}\n`;
}

/** A written output folder read back with tsdf's readers, as the CSV text of an example's expected file. */
export async function outputText(dir: string, format: FileFormat, schema: Schema, ordered: boolean, header: boolean): Promise<string> {
  const batches = await readDataset(dir, dir, format, schema, { header }, undefined, 1);
  const rows = columnsToRows(batchesToColumns(batches, schema), schema);
  return formatCsv(schema.fields.map((f) => f.name), rows, ordered);
}
