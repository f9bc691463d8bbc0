/**
 * JSON Lines (one object per line) ↔ Arrow record batches. Reading follows the CSV reader's
 * modes, `_corrupt_record` and partitioning by byte range; writing omits null fields (as Spark
 * does), writes int64 as exact JSON numbers, dates as "yyyy-MM-dd", timestamps as ISO strings
 * and non-finite doubles as the strings "NaN", "Infinity", "-Infinity".
 */
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { ParseMode, ReadOptions } from "../../plan/logical.ts";
import type { DataType, Field, Schema } from "../../plan/schema.ts";
import { ByteSink } from "./byte-sink.ts";
import { formatDate, formatTimestamp } from "./calendar.ts";
import { isValidAt } from "./concat-batches.ts";
import { readInputFile, textColumn } from "./input-file.ts";
import { decodeJsonString, JsonKind, JsonRecordScanner } from "./json-scanner.ts";
import { type ReadMetrics, RowAssembler } from "./row-assembler.ts";
import { parseRangeInChunks } from "./text-splits.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Which value kinds each column type accepts; anything else is a malformed value. */
const ACCEPTS: Record<DataType, readonly JsonKind[]> = {
  utf8: [JsonKind.String, JsonKind.Number, JsonKind.Boolean, JsonKind.Nested],
  int32: [JsonKind.Number],
  int64: [JsonKind.Number],
  float64: [JsonKind.Number, JsonKind.String], // strings: only NaN and ±Infinity
  boolean: [JsonKind.Boolean],
  date32: [JsonKind.String],
  timestamp_us: [JsonKind.String],
};

/**
 * Reads a JSON Lines file into one record batch per partition holding `columns` (in order).
 * Line numbers in errors are the file's physical lines.
 */
export async function readJsonLines(
  file: string,
  displayPath: string,
  schema: Schema,
  options: ReadOptions,
  columns: readonly string[],
  partitions: number,
  metrics?: ReadMetrics,
): Promise<arrow.RecordBatch[]> {
  const buf = await readInputFile(file, displayPath);
  const n = Math.max(1, Math.floor(partitions));
  const parser = new JsonLinesParser(displayPath, schema, options, columns, metrics, { atFileStart: true });
  parser.parse(buf, true, Array.from({ length: n }, (_, i) => Math.floor((i * buf.length) / n)));
  return parser.finish(n);
}

/**
 * The lines of `file[range.start, range.end)`, read from disk chunk by chunk as they are taken,
 * one batch per chunk; `range.start` is a line start. Errors name the file's physical lines.
 */
export function readJsonLinesRange(
  file: string,
  displayPath: string,
  schema: Schema,
  options: ReadOptions,
  columns: readonly string[],
  range: { readonly start: number; readonly end: number },
  metrics?: ReadMetrics,
  chunkSize?: number,
): Iterable<arrow.RecordBatch> {
  const parser = new JsonLinesParser(displayPath, schema, options, columns, metrics, { atFileStart: range.start === 0 });
  return parseRangeInChunks(file, displayPath, range.start, range.end, parser, chunkSize);
}

/** Parses JSON Lines bytes, one buffer after another (as the CSV reader's `CsvParser`). */
class JsonLinesParser {
  private readonly rows: RowAssembler;
  private readonly scanner: JsonRecordScanner;
  private readonly mode: ParseMode;
  private scratch = new Uint8Array(256);
  /** The physical line of the next line (counted from 1 at the range's start). */
  private line = 1;
  private atFileStart: boolean;

  constructor(
    private readonly displayPath: string,
    schema: Schema,
    options: ReadOptions,
    columns: readonly string[],
    metrics: ReadMetrics | undefined,
    range: { readonly atFileStart: boolean },
  ) {
    this.mode = options.mode ?? "PERMISSIVE";
    this.rows = new RowAssembler(schema, columns, this.mode, metrics, displayPath);
    this.scanner = new JsonRecordScanner(this.rows.fields.map((f) => f.name));
    this.atFileStart = range.atFileStart;
  }

  /**
   * Parses the lines of `buf` and returns how many bytes it used: unless `final`, a last line
   * with no line break is left for the next call. Lines go to partitions as in `CsvParser`.
   */
  parse(buf: Uint8Array, final: boolean, partitionStarts: readonly number[] = [0]): number {
    const { rows, scanner, mode, displayPath } = this;
    const fields = rows.fields;
    let pos = 0;
    if (this.atFileStart) {
      if (buf.length < 3 && !final) return 0;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      this.atFileStart = false;
    }
    let part = 0;
    let nextStart = partitionStarts[1] ?? Number.POSITIVE_INFINITY;
    for (; pos < buf.length; this.line++) {
      const line = this.line;
      const lineStart = pos;
      let lineEnd = buf.indexOf(10, pos);
      if (lineEnd < 0) {
        if (!final) return lineStart;
        lineEnd = buf.length;
      }
      pos = lineEnd + 1;
      if (lineEnd > lineStart && buf[lineEnd - 1] === 13) lineEnd--;
      if (isBlank(buf, lineStart, lineEnd)) continue;
      while (lineStart >= nextStart) {
        rows.finishPartition();
        part++;
        nextStart = partitionStarts[part + 1] ?? Number.POSITIVE_INFINITY;
      }
      const where = (at: number) => ({ file: displayPath, line, column: textColumn(buf, lineStart, at), lineText: lineTextOf(buf, lineStart, lineEnd) });
      if (!scanner.scan(buf, lineStart, lineEnd)) {
        if (mode === "FAILFAST") {
          const loc = where(scanner.errorAt);
          throw new TsdfError("TSDF3003", `malformed JSON record: ${scanner.errorReason}`, loc);
        }
        for (let j = 0; j < fields.length && mode === "PERMISSIVE"; j++) if (!rows.appendNull(j)) rows.recover(j);
        rows.endRow(true, buf, lineStart, lineEnd);
        continue;
      }
      let malformed = false;
      for (let j = 0; j < fields.length && !(malformed && mode === "DROPMALFORMED"); j++) {
        const field = fields[j] as Field;
        const kind = scanner.kind[j] as JsonKind;
        let s = scanner.start[j] as number;
        let e = scanner.end[j] as number;
        let src: Uint8Array = buf;
        if (scanner.escaped[j] === 1) {
          const bytes = encoder.encode(decodeJsonString(buf, s, e));
          if (this.scratch.length < bytes.length) this.scratch = new Uint8Array(bytes.length * 2);
          this.scratch.set(bytes);
          src = this.scratch;
          s = 0;
          e = bytes.length;
        }
        const isNull = kind === JsonKind.Missing || kind === JsonKind.Null;
        const accepted = ACCEPTS[field.type].includes(kind) && (kind !== JsonKind.String || field.type !== "float64" || isNonFinite(src, s, e));
        const ok = isNull ? rows.appendNull(j) : accepted && rows.appendParsed(j, src, s, e);
        if (ok) continue;
        if (mode === "FAILFAST") {
          const at = isNull ? lineStart : kind === JsonKind.String ? (scanner.start[j] as number) - 1 : (scanner.start[j] as number);
          const loc = where(at);
          const what = isNull
            ? `missing value for non-nullable column '${field.name}'`
            : `cannot parse '${decoder.decode(src.subarray(s, e))}' as ${field.type} for column '${field.name}'`;
          throw new TsdfError("TSDF3003", what, loc);
        }
        malformed = true;
        if (mode === "PERMISSIVE") rows.recover(j);
      }
      rows.endRow(malformed, buf, lineStart, lineEnd);
    }
    return buf.length;
  }

  /** Closes the records parsed since the last batch as a batch and hands it over: a range is read as one batch per chunk. */
  takeBatch(): arrow.RecordBatch | undefined {
    return this.rows.takeBatch();
  }

  /** The batches, `partitions` of them (the last ones empty when no line reached them). */
  finish(partitions: number): arrow.RecordBatch[] {
    while (this.rows.batches.length < partitions) this.rows.finishPartition();
    return this.rows.batches;
  }
}

/** `NaN`, `Infinity` or `-Infinity`: the only strings a float64 column takes (as the writer writes them). */
function isNonFinite(buf: Uint8Array, start: number, end: number): boolean {
  const text = decoder.decode(buf.subarray(start, end));
  return text === "NaN" || text === "Infinity" || text === "-Infinity";
}

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function lineTextOf(buf: Uint8Array, start: number, end: number): string {
  return decoder.decode(buf.subarray(start, Math.min(end, start + 500)));
}

/** Writes `batches` (columns in `schema` order) to `file` as JSON Lines, bytes straight from Arrow. */
export async function writeJsonLines(file: string, batches: readonly arrow.RecordBatch[], schema: Schema): Promise<void> {
  const keys = schema.fields.map((f) => encoder.encode(`${JSON.stringify(f.name)}:`));
  const sink = await ByteSink.create(file);
  try {
    for (const batch of batches) {
      const cols = schema.fields.map((f, j) => {
        const data = batch.data.children[j] as arrow.Data;
        return { data, nullable: data.nullCount > 0, write: jsonWriter(sink, data, f.type), key: keys[j] as Uint8Array };
      });
      for (let i = 0; i < batch.numRows; i++) {
        sink.byte(OPEN);
        let first = true;
        for (const c of cols) {
          if (c.nullable && !isValidAt(c.data, i)) continue;
          if (!first) sink.byte(COMMA);
          first = false;
          sink.bytes(c.key, 0, c.key.length);
          c.write(i);
        }
        sink.byte(CLOSE);
        sink.byte(10);
        if (sink.full) await sink.flush();
      }
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
}

const OPEN = 123;
const CLOSE = 125;
const COMMA = 44;

/** A function writing row i of a column as a JSON value. */
function jsonWriter(sink: ByteSink, data: arrow.Data, type: DataType): (i: number) => void {
  switch (type) {
    case "utf8": {
      const bytes = data.values as Uint8Array;
      const offsets = data.valueOffsets as Int32Array;
      return (i) => writeJsonString(sink, bytes, offsets[i] as number, offsets[i + 1] as number);
    }
    case "int32": {
      const values = data.values as Int32Array;
      return (i) => sink.ascii(String(values[i]));
    }
    case "float64": {
      const values = data.values as Float64Array;
      return (i) => {
        const v = values[i] as number;
        sink.ascii(Number.isFinite(v) ? String(v) : `"${String(v)}"`);
      };
    }
    case "int64": {
      const values = data.values as BigInt64Array;
      return (i) => sink.ascii(String(values[i]));
    }
    case "date32": {
      const values = data.values as Int32Array;
      return (i) => sink.ascii(`"${formatDate(values[i] as number)}"`);
    }
    case "timestamp_us": {
      const values = data.values as BigInt64Array;
      return (i) => sink.ascii(`"${formatTimestamp(values[i] as bigint)}"`);
    }
    case "boolean": {
      const bits = data.values as Uint8Array;
      return (i) => {
        const k = data.offset + i;
        sink.ascii((((bits[k >> 3] as number) >> (k & 7)) & 1) === 1 ? "true" : "false");
      };
    }
  }
}

const HEX = "0123456789abcdef";

/** Writes UTF-8 text as a JSON string: `"` and `\` escaped, control characters as `\u00XX`. */
function writeJsonString(sink: ByteSink, src: Uint8Array, start: number, end: number): void {
  sink.reserve((end - start) * 6 + 2);
  const buf = sink.buf;
  let at = sink.len;
  buf[at++] = 34;
  for (let i = start; i < end; i++) {
    const c = src[i] as number;
    if (c === 34 || c === 92) {
      buf[at++] = 92;
      buf[at++] = c;
    } else if (c < 0x20) {
      buf[at++] = 92;
      buf[at++] = 117;
      buf[at++] = 48;
      buf[at++] = 48;
      buf[at++] = HEX.charCodeAt(c >> 4);
      buf[at++] = HEX.charCodeAt(c & 15);
    } else buf[at++] = c;
  }
  buf[at++] = 34;
  sink.len = at;
}
