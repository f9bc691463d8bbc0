/** Shared test fixtures for the io tests: temp folders, schemas, and batches decoded to rows. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as arrow from "apache-arrow";
import type { DataType, Field, Schema } from "../../../plan/schema.ts";
import { columnValues } from "../../../runtime/io/column-values.ts";

export type Cell = string | number | bigint | boolean | null;
export type Row = Record<string, Cell>;

/** A fresh temporary folder. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tsdf-io-"));
}

/** Writes `content` to `name` inside a fresh temporary folder and returns its path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, content);
  return file;
}

/** A schema from `name: type` pairs; a `?` suffix on the type makes the field nullable. */
export function schemaOf(spec: Record<string, `${DataType}` | `${DataType}?`>): Schema {
  return {
    fields: Object.entries(spec).map(([name, t]): Field => ({ name, type: t.replace("?", "") as DataType, nullable: t.endsWith("?") })),
  };
}

/** Rows of the batches as plain objects (dates as day numbers, timestamps and int64 as bigint). */
export function rowsOf(batches: Iterable<arrow.RecordBatch>, schema: Schema): Row[] {
  const rows: Row[] = [];
  for (const b of batches) {
    const cols = b.schema.fields.map((f, j) => {
      const field = schema.fields.find((g) => g.name === f.name);
      if (field === undefined) throw new Error(`unexpected column ${f.name}`);
      return { name: f.name, values: columnValues(b.data.children[j] as arrow.Data, field.type) };
    });
    for (let i = 0; i < b.numRows; i++) {
      const row: Row = {};
      for (const c of cols) row[c.name] = c.values.isValid(i) ? c.values.raw(i) : null;
      rows.push(row);
    }
  }
  return rows;
}

/** Column names of a schema. */
export function names(schema: Schema): string[] {
  return schema.fields.map((f) => f.name);
}
