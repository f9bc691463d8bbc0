/**
 * Writing a result as an output folder: one part file per non-empty partition (at least one
 * file), or with `partitionBy` one `col=value/…/part-NNNNN.ext` per partition and key, the key
 * columns left out of the files. Goes through `commitOutput`, so the save mode and the
 * all-or-nothing commit hold.
 */
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { FileFormat, WriteOptions } from "../../plan/logical.ts";
import type { Field, Schema } from "../../plan/schema.ts";
import { writeArrowIpc } from "./arrow-ipc.ts";
import { arrowSchema } from "./arrow-types.ts";
import { batchColumn, type ColumnValues } from "./column-values.ts";
import { commitOutput, partFileName } from "./committer.ts";
import { writeCsv } from "./csv-writer.ts";
import { partitionSegment } from "./hive-paths.ts";
import { writeJsonLines } from "./json-lines.ts";
import { writeParquet } from "./parquet.ts";
import { takeRows } from "./take-rows.ts";

const EXTENSIONS: Record<FileFormat, string> = { csv: "csv", json: "json", parquet: "parquet", arrow: "arrow" };

/** Writes one file of `format`. */
export function writeFormat(format: FileFormat, file: string, batches: readonly arrow.RecordBatch[], schema: Schema, options: WriteOptions): Promise<void> {
  switch (format) {
    case "csv":
      return writeCsv(file, batches, schema, options);
    case "json":
      return writeJsonLines(file, batches, schema);
    case "parquet":
      return writeParquet(file, batches, schema);
    case "arrow":
      return writeArrowIpc(file, batches, schema);
  }
}

/**
 * Writes `partitions` (the batches of each partition, columns in `schema` order) to `outDir`
 * under `options.mode` (default errorIfExists). Returns whether anything was written.
 */
export async function writeDataset(
  outDir: string,
  displayPath: string,
  format: FileFormat,
  partitions: readonly (readonly arrow.RecordBatch[])[],
  schema: Schema,
  options: WriteOptions,
): Promise<"written" | "skipped"> {
  const partitionBy = options.partitionBy ?? [];
  const keyIndexes = partitionBy.map((name) => {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw new TsdfError("TSDF3011", `${displayPath}: partitionBy column '${name}' is not in the output (columns: ${schema.fields.map((f) => f.name).join(", ")})`);
    return i;
  });
  if (partitionBy.length > 0 && partitionBy.length >= schema.fields.length) {
    throw new TsdfError("TSDF3011", `${displayPath}: cannot partition by every column; at least one column must be left for the files`);
  }
  const ext = EXTENSIONS[format];
  return commitOutput(outDir, displayPath, options.mode ?? "errorIfExists", async (tmp) => {
    if (keyIndexes.length === 0) {
      let written = 0;
      for (const [i, batches] of partitions.entries()) {
        if (batches.every((b) => b.numRows === 0)) continue;
        await writeFormat(format, path.join(tmp, partFileName(i, ext)), batches, schema, options);
        written++;
      }
      if (written === 0) await writeFormat(format, path.join(tmp, partFileName(0, ext)), [], schema, options);
      return;
    }
    await writePartitioned(tmp, format, ext, partitions, schema, keyIndexes, options);
  });
}

async function writePartitioned(
  tmp: string,
  format: FileFormat,
  ext: string,
  partitions: readonly (readonly arrow.RecordBatch[])[],
  schema: Schema,
  keyIndexes: readonly number[],
  options: WriteOptions,
): Promise<void> {
  const dataColumns = schema.fields.flatMap((_, i) => (keyIndexes.includes(i) ? [] : [i]));
  const dataSchema: Schema = { fields: dataColumns.map((i) => schema.fields[i] as Field) };
  const dataArrow = arrowSchema(dataSchema);
  for (const [p, batches] of partitions.entries()) {
    const groups = new Map<string, arrow.RecordBatch[]>();
    for (const batch of batches) {
      const keys = keyIndexes.map((i) => batchColumn(batch, i, (schema.fields[i] as Field).type));
      const rowsByDir = new Map<string, number[]>();
      for (let r = 0; r < batch.numRows; r++) {
        const dir = folderOf(schema, keyIndexes, keys, r);
        const rows = rowsByDir.get(dir);
        if (rows === undefined) rowsByDir.set(dir, [r]);
        else rows.push(r);
      }
      for (const [dir, rows] of rowsByDir) {
        const taken = takeRows(batch, dataColumns, dataArrow, Int32Array.from(rows));
        const list = groups.get(dir);
        if (list === undefined) groups.set(dir, [taken]);
        else list.push(taken);
      }
    }
    for (const [dir, group] of groups) {
      await mkdir(path.join(tmp, dir), { recursive: true });
      await writeFormat(format, path.join(tmp, dir, partFileName(p, ext)), group, dataSchema, options);
    }
  }
}

function folderOf(schema: Schema, keyIndexes: readonly number[], keys: readonly ColumnValues[], row: number): string {
  return keyIndexes
    .map((c, k) => {
      const values = keys[k] as ColumnValues;
      return partitionSegment((schema.fields[c] as Field).name, values.isValid(row) ? values.text(row) : null);
    })
    .join("/");
}
