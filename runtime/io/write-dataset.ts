/**
 * Writing a result as an output folder: one part file per non-empty partition (at least one
 * file), or with `partitionBy` one `col=value/…/part-NNNNN.ext` per partition and key, the key
 * columns left out of the files. Goes through `stageOutput`, so the save mode and the
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
import { partFileName, type StagedOutput, stageOutput } from "./committer.ts";
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
  const staged = await stageDataset(outDir, displayPath, format, partitions.length, schema, options, (tmp, p) =>
    writePartition(tmp, p, format, partitions[p] ?? [], schema, options, displayPath),
  );
  return staged.commit();
}

/** Writes partition `p`'s part files into a staging folder; whether it wrote any (see writePartition). */
export type PartitionWriter = (tmp: string, partition: number) => Promise<boolean>;

/**
 * writeDataset's part files, staged (see stageOutput): `write` writes each of the `partitions`
 * partitions' files (a run has its tasks' threads write them, all at once); `outDir` is left as
 * it is until the result's `commit`.
 */
export async function stageDataset(
  outDir: string,
  displayPath: string,
  format: FileFormat,
  partitions: number,
  schema: Schema,
  options: WriteOptions,
  write: PartitionWriter,
): Promise<StagedOutput> {
  const keyIndexes = partitionKeys(schema, options, displayPath);
  return stageOutput(outDir, displayPath, options.mode ?? "errorIfExists", async (tmp) => {
    // Every write settles before a failure removes the staging folder (none may still be writing into it).
    const settled = await Promise.allSettled(Array.from({ length: partitions }, (_, p) => write(tmp, p)));
    const failure = settled.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
    const wrote = settled.map((r) => r.status === "fulfilled" && r.value);
    // An output without folders has at least one file.
    if (keyIndexes.length === 0 && !wrote.includes(true)) await writeFormat(format, path.join(tmp, partFileName(0, EXTENSIONS[format])), [], schema, options);
  });
}

/** The indexes of the `partitionBy` columns; TSDF3011 when one is missing, or when they are all the columns. */
function partitionKeys(schema: Schema, options: WriteOptions, displayPath: string): number[] {
  const partitionBy = options.partitionBy ?? [];
  const keyIndexes = partitionBy.map((name) => {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw new TsdfError("TSDF3011", `${displayPath}: partitionBy column '${name}' is not in the output (columns: ${schema.fields.map((f) => f.name).join(", ")})`);
    return i;
  });
  if (partitionBy.length > 0 && partitionBy.length >= schema.fields.length) {
    throw new TsdfError("TSDF3011", `${displayPath}: cannot partition by every column; at least one column must be left for the files`);
  }
  return keyIndexes;
}

/**
 * Writes partition `p` (its batches) into staging folder `tmp`: `part-NNNNN.ext` when it has
 * rows, or with `partitionBy` one such file per key under `col=value/…`. Returns whether it
 * wrote a file.
 */
export async function writePartition(
  tmp: string,
  p: number,
  format: FileFormat,
  batches: readonly arrow.RecordBatch[],
  schema: Schema,
  options: WriteOptions,
  displayPath: string,
): Promise<boolean> {
  const keyIndexes = partitionKeys(schema, options, displayPath);
  const ext = EXTENSIONS[format];
  if (keyIndexes.length > 0) return writePartitioned(tmp, p, format, ext, batches, schema, keyIndexes, options);
  if (batches.every((b) => b.numRows === 0)) return false;
  await writeFormat(format, path.join(tmp, partFileName(p, ext)), batches, schema, options);
  return true;
}

async function writePartitioned(
  tmp: string,
  p: number,
  format: FileFormat,
  ext: string,
  batches: readonly arrow.RecordBatch[],
  schema: Schema,
  keyIndexes: readonly number[],
  options: WriteOptions,
): Promise<boolean> {
  const dataColumns = schema.fields.flatMap((_, i) => (keyIndexes.includes(i) ? [] : [i]));
  const dataSchema: Schema = { fields: dataColumns.map((i) => schema.fields[i] as Field) };
  const dataArrow = arrowSchema(dataSchema);
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
  return groups.size > 0;
}

function folderOf(schema: Schema, keyIndexes: readonly number[], keys: readonly ColumnValues[], row: number): string {
  return keyIndexes
    .map((c, k) => {
      const values = keys[k] as ColumnValues;
      return partitionSegment((schema.fields[c] as Field).name, values.isValid(row) ? values.text(row) : null);
    })
    .join("/");
}
