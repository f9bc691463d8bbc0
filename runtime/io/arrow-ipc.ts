/**
 * Arrow IPC ↔ record batches: the file format (`ARROW1` magic, random access) and the stream
 * format are both read; files are written in the file format (`.arrow`). Columns are checked
 * against the declared schema and converted like Parquet's (int8/int16 to int32, other
 * timestamp units to microseconds, large utf8 to utf8).
 */
import { writeFile } from "node:fs/promises";
import * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { Schema } from "../../plan/schema.ts";
import { arrowSchema } from "./arrow-types.ts";
import { readInputFile } from "./input-file.ts";
import { conformBatches, inferSchema, sourceColumn } from "./parquet.ts";
import { batchOf } from "./row-assembler.ts";

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Whether `bytes` start like an Arrow IPC file or stream (a continuation marker, or a legacy length prefix). */
function looksLikeIpc(bytes: Uint8Array): "file" | "stream" | undefined {
  if (bytes.length >= 8 && FILE_MAGIC.every((b, i) => bytes[i] === b)) return "file";
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getUint32(0, true);
  if (first === 0xffffffff) return "stream";
  return undefined;
}

function notArrow(displayPath: string, why: string): TsdfError {
  return new TsdfError("TSDF3004", `not a readable Arrow IPC file (${why})`, { file: displayPath, line: 1, column: 1 }, [
    "the file may be truncated or in another format; rewrite it, or read it with the matching p.read.* call",
  ]);
}

/** The decoded table of an Arrow IPC file or stream; TSDF3004 naming the file when it is neither. */
function ipcTable(bytes: Uint8Array, displayPath: string): arrow.Table {
  const kind = looksLikeIpc(bytes);
  if (kind === undefined) throw notArrow(displayPath, "no Arrow IPC file magic or stream header");
  try {
    const table = arrow.tableFromIPC(bytes);
    if (kind === "file" && !isCompleteFile(bytes)) throw new Error("the file footer is missing; it may be truncated");
    return table;
  } catch (e) {
    throw notArrow(displayPath, e instanceof Error ? e.message : String(e));
  }
}

/** An IPC file ends with the footer and the `ARROW1` magic again. */
function isCompleteFile(bytes: Uint8Array): boolean {
  const end = bytes.length - FILE_MAGIC.length;
  return end >= 8 && FILE_MAGIC.every((b, i) => bytes[end + i] === b);
}

/**
 * Reads an Arrow IPC file or stream. With `schema` the file must hold each declared column with
 * that type (extra columns are ignored); without one the schema is the file's. Batches hold
 * `columns` (default: every schema column) in that order, as tsdf's Arrow types.
 */
export async function readArrowIpc(
  file: string,
  displayPath: string,
  schema: Schema | undefined,
  columns?: readonly string[],
): Promise<{ schema: Schema; batches: arrow.RecordBatch[] }> {
  const table = ipcTable(await readInputFile(file, displayPath), displayPath);
  const fileSchema = schema ?? inferSchema(table.schema, displayPath);
  for (const f of fileSchema.fields) sourceColumn(table.schema, f, displayPath);
  const wanted = (columns ?? fileSchema.fields.map((f) => f.name)).map((name) => {
    const f = fileSchema.fields.find((g) => g.name === name);
    if (f === undefined) throw new TsdfError("TSDF3006", `${displayPath}: column '${name}' is not in the schema`);
    return f;
  });
  return { schema: fileSchema, batches: conformBatches(table, wanted, displayPath) };
}

/** The tsdf schema an Arrow IPC file declares, for reading without a declared schema. */
export async function arrowIpcSchema(file: string, displayPath: string): Promise<Schema> {
  return inferSchema(ipcTable(await readInputFile(file, displayPath), displayPath).schema, displayPath);
}

/** Writes `batches` (columns in `schema` order) to `file` as one Arrow IPC file. */
export async function writeArrowIpc(file: string, batches: readonly arrow.RecordBatch[], schema: Schema): Promise<void> {
  const s = arrowSchema(schema);
  const aligned = batches.filter((b) => b.numRows > 0).map((b) => batchOf(s, b.data.children.slice(0, s.fields.length), b.numRows));
  await writeFile(file, arrow.tableToIPC(new arrow.Table(s, aligned), "file"));
}
