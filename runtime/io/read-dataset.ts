/**
 * Reading a dataset (a file, a folder of part files, or a glob) into one record batch per
 * partition. Text formats are split by byte range across all files taken end to end, Parquet by
 * row count (Arrow IPC too), so concatenating the partitions in order always gives the same rows in file order.
 */
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { FileFormat, ReadOptions } from "../../plan/logical.ts";
import type { DataType, Field, Schema } from "../../plan/schema.ts";
import { arrowSchema } from "./arrow-types.ts";
import { columnBuilder } from "./column-builder.ts";
import { concatBatches } from "./concat-batches.ts";
import { parseCsv } from "./csv-reader.ts";
import { type DatasetFile, listDatasetFiles } from "./dataset-files.ts";
import { readInputFile } from "./input-file.ts";
import { parseJsonLines } from "./json-lines.ts";
import { parquetSchema, readParquet } from "./parquet.ts";
import { arrowIpcSchema, readArrowIpc } from "./arrow-ipc.ts";
import { type ReadMetrics, batchOf } from "./row-assembler.ts";
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
  metrics?: ReadMetrics,
): Promise<arrow.RecordBatch[]> {
  const files = await listDatasetFiles(path, displayPath);
  const n = Math.max(1, Math.floor(partitions));
  const full = schema ?? (await inferSchema(format, files, displayPath));
  const keys = new Set(files.flatMap((f) => [...f.partitionValues.keys()]));
  const keyFields = full.fields.filter((f) => keys.has(f.name));
  const content: Schema = { fields: full.fields.filter((f) => !keys.has(f.name)) };
  const wanted = columns ?? full.fields.map((f) => f.name);
  const out = arrowSchema({
    fields: wanted.map((name) => {
      const f = full.fields.find((g) => g.name === name);
      if (f === undefined) throw new TsdfError("TSDF3006", `${displayPath}: column '${name}' is not in the schema`);
      return f;
    }),
  });
  const contentColumns = wanted.filter((c) => !keyFields.some((k) => k.name === c));
  const perPartition: arrow.RecordBatch[][] = Array.from({ length: n }, () => []);
  const add = (file: DatasetFile, batches: readonly arrow.RecordBatch[]) => {
    for (const [k, b] of batches.entries()) (perPartition[k] as arrow.RecordBatch[]).push(withKeys(b, file, contentColumns, keyFields, out));
  };

  if (format === "parquet" || format === "arrow") {
    const readFile = format === "parquet" ? readParquet : readArrowIpc;
    const loaded = [];
    for (const file of files) loaded.push({ file, batches: (await readFile(file.path, file.displayPath, content, contentColumns)).batches });
    const total = loaded.reduce((s, l) => s + l.batches.reduce((t, b) => t + b.numRows, 0), 0);
    let row = 0;
    for (const { file, batches } of loaded) {
      for (const b of batches) add(file, splitRows(b, row, total, n));
      row += batches.reduce((t, b) => t + b.numRows, 0);
    }
  } else {
    const total = files.reduce((s, f) => s + f.size, 0);
    let offset = 0;
    for (const file of files) {
      const buf = await readInputFile(file.path, file.displayPath);
      const starts = Array.from({ length: n }, (_, k) => Math.floor((k * total) / n) - offset);
      const parse = format === "csv" ? parseCsv : parseJsonLines;
      add(file, parse(buf, file.displayPath, content, options, contentColumns, starts, metrics));
      offset += file.size;
    }
  }
  return perPartition.map((batches) => concatBatches(out, batches));
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

/** Rows of `b` (global rows `first…`) cut into the `n` partitions of `total` rows. */
function splitRows(b: arrow.RecordBatch, first: number, total: number, n: number): arrow.RecordBatch[] {
  return Array.from({ length: n }, (_, k) => {
    const lo = Math.floor((k * total) / n) - first;
    const hi = Math.floor(((k + 1) * total) / n) - first;
    const from = Math.max(0, Math.min(b.numRows, lo));
    const to = Math.max(from, Math.min(b.numRows, hi));
    return b.slice(from, to);
  });
}

/** The batch in the output's column order, partition-folder columns filled as constants. */
function withKeys(b: arrow.RecordBatch, file: DatasetFile, contentColumns: readonly string[], keyFields: readonly Field[], out: arrow.Schema): arrow.RecordBatch {
  if (keyFields.length === 0) return b;
  const children = out.fields.map((f) => {
    const i = contentColumns.indexOf(f.name);
    if (i >= 0) return b.data.children[i] as arrow.Data;
    const key = keyFields.find((k) => k.name === f.name) as Field;
    return constantColumn(key, file.partitionValues.get(key.name) ?? null, b.numRows, file.displayPath);
  });
  return batchOf(out, children, b.numRows);
}

function constantColumn(field: Field, value: string | null, length: number, displayPath: string): arrow.Data {
  const builder = columnBuilder(field.type);
  const bytes = value === null ? undefined : encoder.encode(value);
  if (bytes !== undefined && !builder.appendParsed(bytes, 0, bytes.length)) {
    throw new TsdfError("TSDF3003", `${displayPath}: partition folder value '${value}' is not a ${field.type} for column '${field.name}'`);
  }
  if (bytes === undefined && !field.nullable) {
    throw new TsdfError("TSDF3003", `${displayPath}: partition folder for column '${field.name}' is null, but the column is not nullable`);
  }
  builder.truncate(0);
  for (let i = 0; i < length; i++) bytes === undefined ? builder.appendNull() : builder.appendParsed(bytes, 0, bytes.length);
  return builder.finish();
}
