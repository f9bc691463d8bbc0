/**
 * Reading a whole dataset (a file, a folder of part files, or a glob) into one record batch per
 * partition: the scan's splits (scan-splits.ts) read one after another, as a run reads them in
 * parallel, so both give the same partitions.
 */
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { FileFormat, ReadOptions } from "../../plan/logical.ts";
import type { DataType, Field, Schema } from "../../plan/schema.ts";
import { arrowIpcSchema } from "./arrow-ipc.ts";
import { concatBatches } from "./concat-batches.ts";
import { type DatasetFile, listDatasetFiles } from "./dataset-files.ts";
import { parquetSchema } from "./parquet.ts";
import type { ReadMetrics } from "./row-assembler.ts";
import { planSplits, readSplit, type ScanTarget } from "./scan-splits.ts";
import { parseBoolean, parseDate32, parseFloat64, parseInt32, parseInt64, parseTimestampUs } from "./value-parsers.ts";

const encoder = new TextEncoder();

/**
 * Reads `path` (absolute) as `format` into `partitions` record batches holding `columns` (all of
 * the schema's when omitted). Without a schema (Parquet and Arrow IPC only) it is inferred from the first file.
 * Folders named `col=value` fill the declared columns of that name.
 */
export async function readDataset(
  path: string,
  displayPath: string,
  format: FileFormat,
  schema: Schema | undefined,
  options: ReadOptions,
  columns: readonly string[] | undefined,
  partitions: number,
  metrics: ReadMetrics = { malformedRows: 0, droppedRows: 0 },
): Promise<arrow.RecordBatch[]> {
  const files = await listDatasetFiles(path, displayPath);
  const fileSchema = schema ?? (await inferSchema(format, files, displayPath));
  const target: ScanTarget = {
    path,
    displayPath,
    format,
    fileSchema,
    options,
    columns: columns ?? fileSchema.fields.map((f) => f.name),
    filters: [],
    partitions,
  };
  // `path` is absolute, so the splits name files relative to the root.
  const splits = await planSplits(target, "/", files);
  const out: arrow.RecordBatch[] = [];
  for (const split of splits) {
    const batches = [...(await readSplit(target, split, "/", metrics))];
    out.push(concatBatches((batches[0] as arrow.RecordBatch).schema, batches));
  }
  return out;
}

/** The schema a dataset's files declare (Parquet) plus its partition folders' columns. */
export async function inferSchema(format: FileFormat, files: readonly DatasetFile[], displayPath: string): Promise<Schema> {
  const first = files[0];
  if ((format !== "parquet" && format !== "arrow") || first === undefined) {
    throw new TsdfError("TSDF3012", `${displayPath}: a schema is required to read ${format} files${first === undefined ? " (and the folder holds no data files)" : ""}`);
  }
  const declared = format === "parquet" ? parquetSchema : arrowIpcSchema;
  const fields: Field[] = [...(await declared(first.path, first.displayPath)).fields];
  const keys = [...new Set(files.flatMap((f) => [...f.partitionValues.keys()]))].filter((k) => !fields.some((f) => f.name === k));
  for (const key of keys) fields.push({ name: key, type: inferKeyType(files.map((f) => f.partitionValues.get(key) ?? null)), nullable: true });
  return { fields };
}

const KEY_TYPES: readonly [DataType, (b: Uint8Array, s: number, e: number) => unknown][] = [
  ["int32", parseInt32],
  ["int64", parseInt64],
  ["float64", parseFloat64],
  ["date32", parseDate32],
  ["timestamp_us", parseTimestampUs],
  ["boolean", parseBoolean],
];

/** The narrowest type every non-null folder value parses as (Spark's partition type inference). */
function inferKeyType(values: readonly (string | null)[]): DataType {
  const present = values.filter((v): v is string => v !== null).map((v) => encoder.encode(v));
  const fit = KEY_TYPES.find(([, parse]) => present.every((b) => parse(b, 0, b.length) !== undefined));
  return present.length > 0 && fit !== undefined ? fit[0] : "utf8";
}
