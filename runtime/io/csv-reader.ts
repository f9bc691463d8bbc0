/**
 * CSV → Arrow record batches: a whole file cut into partitions by byte range (partition i takes
 * the records that start inside its range, so the rows are the same, in the same order, for any
 * partition count), or one planned range of a file streamed from disk.
 */
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { ParseMode, ReadOptions } from "../../plan/logical.ts";
import type { Field, Schema } from "../../plan/schema.ts";
import { CsvScanner, unquoteInto } from "./csv-scanner.ts";
import { readInputFile, textColumn } from "./input-file.ts";
import { type ReadMetrics, RowAssembler } from "./row-assembler.ts";
import { parseRangeInChunks } from "./text-splits.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const LF = 10;

/**
 * Reads a CSV file into one record batch per partition holding `columns` (in that order).
 * `schema` is the file's declared schema in file order; a utf8 `_corrupt_record` column in it
 * is filled by the reader in PERMISSIVE mode rather than read. Partition k takes the records
 * that start in its k-th of the file's bytes.
 */
export async function readCsv(
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
  const parser = new CsvParser(displayPath, schema, options, columns, metrics, { atFileStart: true });
  parser.parse(buf, true, Array.from({ length: n }, (_, i) => Math.floor((i * buf.length) / n)));
  return parser.finish(n);
}

/**
 * The records of `file[range.start, range.end)`, read from disk chunk by chunk as they are
 * taken, one batch per chunk. `range.start` must be a record start (see text-splits.ts); only a
 * range at the file's start has a BOM and a header. Errors name the file's physical lines.
 */
export function readCsvRange(
  file: string,
  displayPath: string,
  schema: Schema,
  options: ReadOptions,
  columns: readonly string[],
  range: { readonly start: number; readonly end: number },
  metrics?: ReadMetrics,
  chunkSize?: number,
): Iterable<arrow.RecordBatch> {
  const parser = new CsvParser(displayPath, schema, options, columns, metrics, { atFileStart: range.start === 0 });
  return parseRangeInChunks(file, displayPath, range.start, range.end, parser, chunkSize);
}

/**
 * Parses CSV bytes into rows, one buffer after another: each buffer starts where the previous
 * one's unparsed rest began. Partitioned parsing (`partitionStarts`) takes one final buffer.
 */
class CsvParser {
  private readonly rows: RowAssembler;
  private readonly delimiter: number;
  private readonly mode: ParseMode;
  private readonly nullBytes: Uint8Array;
  private scratch = new Uint8Array(256);
  /** With the default null value (an empty field), `plainFields` for this file's field count. */
  private readonly plain: PlainFields | undefined;
  /** The physical line the next record starts on (counted from 1 at the range's start). */
  private line = 1;
  private atFileStart: boolean;

  constructor(
    private readonly displayPath: string,
    schema: Schema,
    private readonly options: ReadOptions,
    columns: readonly string[],
    metrics: ReadMetrics | undefined,
    range: { readonly atFileStart: boolean },
  ) {
    this.delimiter = delimiterByte(options.delimiter, displayPath);
    this.mode = options.mode ?? "PERMISSIVE";
    this.rows = new RowAssembler(schema, columns, this.mode, metrics, displayPath);
    this.nullBytes = encoder.encode(options.nullValue ?? "");
    this.atFileStart = range.atFileStart;
    this.plain = this.nullBytes.length === 0 ? plainFields(this.rows.fields.length) : undefined;
  }

  /**
   * Parses the records of `buf` and returns how many bytes it used. Unless `final`, a record
   * that no line break inside `buf` ends (it may go on in the next buffer) is left for the next
   * call. Record k goes to the partition whose start in `partitionStarts` it lies at or after.
   */
  parse(buf: Uint8Array, final: boolean, partitionStarts: readonly number[] = [0]): number {
    const rows = this.rows;
    const fields = rows.fields;
    const mode = this.mode;
    const displayPath = this.displayPath;
    let start = 0;
    if (this.atFileStart) {
      if (buf.length < 3 && !final) return 0;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
    }
    const scanner = new CsvScanner(buf, start, buf.length, this.delimiter, fields.length !== 1, this.line);
    const complete = () => final || (!scanner.unterminated && scanner.pos > scanner.recordEnd && buf[scanner.pos - 1] === LF);
    if (this.atFileStart) {
      if (this.options.header ?? true) {
        const found = scanner.next();
        // The header may go on in the next buffer.
        if (!final && (!found || !complete())) return 0;
        if (found) checkHeader(scanner, buf, fields, displayPath);
      }
      this.atFileStart = false;
    }
    let part = 0;
    let nextStart = partitionStarts[1] ?? Number.POSITIVE_INFINITY;
    const expected = fields.length;
    let appenders = rows.appenders;
    while (scanner.next()) {
      if (!complete()) {
        this.line = scanner.recordLine;
        return scanner.recordStart;
      }
      while (scanner.recordStart >= nextStart) {
        rows.finishPartition();
        part++;
        nextStart = partitionStarts[part + 1] ?? Number.POSITIVE_INFINITY;
        appenders = rows.appenders;
      }
      const found = scanner.fieldCount;
      let malformed = false;
      if (found !== expected || scanner.unterminated) {
        if (mode === "FAILFAST") throw shapeError(scanner, buf, displayPath, expected);
        malformed = true;
      }
      // The record's plain fields first, in one call; the rest from the first field it leaves.
      let from = 0;
      let failed = -1;
      if (!malformed && this.plain !== undefined) {
        const done = this.plain(scanner, buf, appenders);
        if (done === expected) {
          rows.endRow(false, buf, scanner.recordStart, scanner.recordEnd);
          continue;
        }
        from = done >= 0 ? done : ~done;
        if (done < 0) failed = from;
      }
      for (let j = from; j < expected; j++) {
        if (malformed && mode === "DROPMALFORMED") break;
        let ok: boolean;
        if (j >= found) ok = rows.appendNull(j);
        else {
          let src: Uint8Array = buf;
          let s = scanner.fieldStart[j] as number;
          let e = scanner.fieldEnd[j] as number;
          const quoted = scanner.fieldQuoted[j] === 1;
          if (quoted) {
            if (this.scratch.length < e - s) this.scratch = new Uint8Array(Math.max(this.scratch.length * 2, e - s));
            e = unquoteInto(buf, s, e, this.scratch);
            s = 0;
            src = this.scratch;
          }
          const field = fields[j] as Field;
          const nullBytes = this.nullBytes;
          const isNull = quoted
            ? nullBytes.length > 0
              ? sameBytes(src, s, e, nullBytes)
              : e === s && field.type !== "utf8"
            : sameBytes(src, s, e, nullBytes);
          ok = j === failed ? false : isNull ? rows.appendNull(j) : (appenders[j] as Appender)(src, s, e);
          if (!ok && mode === "FAILFAST") throw valueError(scanner, buf, j, field, decoder.decode(src.subarray(s, e)), isNull, displayPath);
        }
        if (!ok) {
          malformed = true;
          if (mode === "PERMISSIVE") rows.recover(j);
        }
      }
      rows.endRow(malformed, buf, scanner.recordStart, scanner.recordEnd);
    }
    this.line = scanner.line;
    return buf.length;
  }

  /** Closes the records parsed since the last batch as a batch and hands it over: a range is read as one batch per chunk. */
  takeBatch(): arrow.RecordBatch | undefined {
    return this.rows.takeBatch();
  }

  /** The batches, `partitions` of them (the last ones empty when no record reached them). */
  finish(partitions: number): arrow.RecordBatch[] {
    while (this.rows.batches.length < partitions) this.rows.finishPartition();
    return this.rows.batches;
  }
}

type Appender = (buf: Uint8Array, start: number, end: number) => boolean;

/**
 * Appends fields 0, 1, … of the scanner's record while each is plain (unquoted and not empty, so
 * not null under the default null value) and parses; returns the field count when all were,
 * else the first field it left (~j when field j did not parse).
 */
type PlainFields = (scanner: CsvScanner, buf: Uint8Array, appenders: readonly Appender[]) => number;

/**
 * The PlainFields of records of `count` fields, as generated code with one call site per field:
 * each then always calls the same column's appender, which V8 inlines (a loop's one call site
 * over every column's appender it cannot: 12% of a CSV scan's time).
 */
function plainFields(count: number): PlainFields {
  const body = Array.from(
    { length: count },
    (_, j) => `s = fs[${j}]; e = fe[${j}];
if (fq[${j}] !== 0 || s === e) return ${j};
if (!a[${j}](buf, s, e)) return ${~j};`,
  );
  return new Function("scanner", "buf", "a", ["const fs = scanner.fieldStart, fe = scanner.fieldEnd, fq = scanner.fieldQuoted;", "let s, e;", ...body, `return ${count};`].join("\n")) as PlainFields;
}

function sameBytes(buf: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) if (buf[start + k] !== expected[k]) return false;
  return true;
}

/** The delimiter as a byte (default `,`; `\\t` means tab); TSDF3005 unless it is one safe ASCII character. */
export function delimiterByte(delimiter: string | undefined, displayPath: string): number {
  const d = delimiter ?? ",";
  if (d === "\\t") return 9;
  if (d.length !== 1 || d.charCodeAt(0) > 127 || d === '"' || d === "\n" || d === "\r") {
    throw new TsdfError("TSDF3005", `${displayPath}: the CSV delimiter must be one ASCII character other than a quote or line break, got ${JSON.stringify(d)}`);
  }
  return d.charCodeAt(0);
}

/** The text of field `j` of the scanner's record, unquoted. */
function fieldText(scanner: CsvScanner, buf: Uint8Array, j: number): string {
  const s = scanner.fieldStart[j] as number;
  const e = scanner.fieldEnd[j] as number;
  if (scanner.fieldQuoted[j] !== 1) return decoder.decode(buf.subarray(s, e));
  const out = new Uint8Array(e - s);
  return decoder.decode(out.subarray(0, unquoteInto(buf, s, e, out)));
}

function checkHeader(scanner: CsvScanner, buf: Uint8Array, fields: readonly Field[], displayPath: string): void {
  const found = Array.from({ length: scanner.fieldCount }, (_, j) => fieldText(scanner, buf, j));
  const mismatch = fields.findIndex((f, j) => found[j] !== f.name);
  const at = mismatch >= 0 ? mismatch : found.length > fields.length ? fields.length : -1;
  if (at < 0) return;
  const line = scanner.fieldLine(Math.min(at, scanner.fieldCount - 1));
  const column = at < scanner.fieldCount ? columnOf(scanner, buf, at) : textColumn(buf, scanner.fieldLineStart(scanner.fieldCount - 1), scanner.recordEnd);
  throw new TsdfError(
    "TSDF3002",
    `header does not match the schema: expected ${fields.map((f) => f.name).join(",")}, found ${found.join(",")}`,
    { file: displayPath, line, column, lineText: lineText(buf, scanner.fieldLineStart(0)) },
    ["the header's column names must equal the declared schema's, in order; pass { header: false } for a file without one"],
  );
}

function columnOf(scanner: CsvScanner, buf: Uint8Array, j: number): number {
  return textColumn(buf, scanner.fieldLineStart(j), scanner.fieldStart[j] as number);
}

function lineText(buf: Uint8Array, lineStart: number): string {
  let e = buf.indexOf(10, lineStart);
  if (e < 0) e = buf.length;
  if (e > lineStart && buf[e - 1] === 13) e--;
  return decoder.decode(buf.subarray(lineStart, Math.min(e, lineStart + 500)));
}

function valueError(scanner: CsvScanner, buf: Uint8Array, j: number, field: Field, value: string, isNull: boolean, displayPath: string): TsdfError {
  const line = scanner.fieldLine(j);
  const column = columnOf(scanner, buf, j);
  const what = isNull
    ? `missing value for non-nullable column '${field.name}'`
    : `cannot parse '${value}' as ${field.type} for column '${field.name}'`;
  return new TsdfError("TSDF3003", what, {
    file: displayPath,
    line,
    column,
    lineText: lineText(buf, scanner.fieldLineStart(j)),
  }, isNull ? ["declare the column .nullable(), or read with mode PERMISSIVE or DROPMALFORMED"] : []);
}

function shapeError(scanner: CsvScanner, buf: Uint8Array, displayPath: string, expected: number): TsdfError {
  const found = scanner.fieldCount;
  const j = scanner.unterminated ? found - 1 : Math.min(found - 1, expected);
  const line = scanner.fieldLine(j);
  const column = columnOf(scanner, buf, j);
  const what = scanner.unterminated ? "quoted field is not closed before the end of the file" : `expected ${expected} fields, found ${found}`;
  return new TsdfError("TSDF3003", what, {
    file: displayPath,
    line,
    column,
    lineText: lineText(buf, scanner.fieldLineStart(j)),
  });
}
