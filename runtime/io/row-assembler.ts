/**
 * The part of reading that CSV and JSON share: which declared columns come from the file, one
 * column builder each, Spark's parse modes for malformed rows, `_corrupt_record`, and cutting the
 * rows into one Arrow record batch per partition.
 */
import * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { ParseMode } from "../../plan/logical.ts";
import type { Field, Schema } from "../../plan/schema.ts";
import { arrowSchema } from "./arrow-types.ts";
import { type ColumnBuilder, checkOnlyBuilder, columnBuilder } from "./column-builder.ts";

/**
 * Counters a reader adds to: rows kept with nulls (PERMISSIVE) and rows dropped; bytes of file
 * content decoded (a text split's byte range, the Parquet column chunks read) and Parquet row
 * groups read or skipped by their statistics.
 */
export interface ReadMetrics {
  malformedRows: number;
  droppedRows: number;
  bytesDecoded?: number;
  rowGroupsRead?: number;
  rowGroupsSkipped?: number;
}

/** Spark's name for the column that keeps a malformed row's raw text. */
export const CORRUPT_RECORD_COLUMN = "_corrupt_record";

/** The declared fields stored in the file: all but a utf8 `_corrupt_record`. */
export function fileFields(schema: Schema): Field[] {
  return schema.fields.filter((f) => !(f.name === CORRUPT_RECORD_COLUMN && f.type === "utf8"));
}

/** The schema of the batches a reader returns: the requested columns in the order given. */
export function projectedSchema(schema: Schema, columns: readonly string[], displayPath: string): Schema {
  return {
    fields: columns.map((name) => {
      const f = schema.fields.find((g) => g.name === name);
      if (f === undefined) throw new TsdfError("TSDF3006", `${displayPath}: column '${name}' is not in the declared schema`);
      return f;
    }),
  };
}

/**
 * Collects parsed rows. A reader calls `appendParsed`/`appendNull` for every file field of a
 * row (even ones not requested, which are only validated, so projection never changes which
 * rows are malformed), `recover` after a failed one, then `endRow`.
 */
export class RowAssembler {
  readonly fields: readonly Field[];
  private builders: ColumnBuilder[] = [];
  /**
   * `appendParsed` of each field's builder as a plain function: readers call these in their
   * innermost loop, where a function call beats a method looked up on six builder classes.
   */
  appenders: ((buf: Uint8Array, start: number, end: number) => boolean)[] = [];
  private corrupt: ColumnBuilder | undefined;
  private readonly requested: readonly boolean[];
  private readonly output: arrow.Schema;
  /** Output position of each requested column: an index into `fields`, or -1 for `_corrupt_record`. */
  private readonly sources: readonly number[];
  private rows = 0;
  private mustDrop = false;
  readonly batches: arrow.RecordBatch[] = [];

  constructor(
    schema: Schema,
    columns: readonly string[],
    readonly mode: ParseMode,
    private readonly metrics: ReadMetrics | undefined,
    displayPath: string,
  ) {
    this.fields = fileFields(schema);
    const projected = projectedSchema(schema, columns, displayPath);
    this.output = arrowSchema(projected);
    this.sources = projected.fields.map((f) => this.fields.findIndex((g) => g.name === f.name));
    this.requested = this.fields.map((f) => columns.includes(f.name));
    this.reset();
  }

  /** New builders for the next batch, sized like the last one's. */
  private reset(): void {
    const last = this.builders;
    this.builders = this.fields.map((f, j) => (this.requested[j] ? columnBuilder(f.type, last[j]) : checkOnlyBuilder(f.type)));
    this.appenders = this.builders.map((b) => b.appendParsed.bind(b));
    this.corrupt = this.sources.includes(-1) ? columnBuilder("utf8", this.corrupt) : undefined;
    this.rows = 0;
  }

  /** Appends field `j` parsed from `buf[start..end)`; false when it is not a value of the type. */
  appendParsed(j: number, buf: Uint8Array, start: number, end: number): boolean {
    return (this.builders[j] as ColumnBuilder).appendParsed(buf, start, end);
  }

  /** Appends a null to field `j`; false (appending nothing) when the column is not nullable. */
  appendNull(j: number): boolean {
    if (!(this.fields[j] as Field).nullable) return false;
    (this.builders[j] as ColumnBuilder).appendNull();
    return true;
  }

  /** After a failed append in PERMISSIVE mode: a null stands in, or the row must go. */
  recover(j: number): void {
    if ((this.fields[j] as Field).nullable) (this.builders[j] as ColumnBuilder).appendNull();
    else {
      this.mustDrop = true;
      (this.builders[j] as ColumnBuilder).appendNull();
    }
  }

  /**
   * Ends the row. A malformed row is kept with nulls (PERMISSIVE, raw text in `_corrupt_record`)
   * or dropped (DROPMALFORMED; also PERMISSIVE when a non-nullable column would be null).
   */
  endRow(malformed: boolean, raw: Uint8Array, rawStart: number, rawEnd: number): void {
    if (malformed) {
      if (this.mode === "PERMISSIVE" && !this.mustDrop) {
        if (this.metrics) this.metrics.malformedRows++;
        this.corrupt?.appendParsed(raw, rawStart, rawEnd);
        this.rows++;
        return;
      }
      if (this.metrics) {
        if (this.mode === "PERMISSIVE") this.metrics.malformedRows++;
        this.metrics.droppedRows++;
      }
      for (const b of this.builders) b.truncate(this.rows);
      this.mustDrop = false;
      return;
    }
    this.corrupt?.appendNull();
    this.rows++;
  }

  /** Closes the rows appended so far as a batch and hands it over, not kept in `batches` (a range read chunk by chunk); none when there are none. */
  takeBatch(): arrow.RecordBatch | undefined {
    if (this.rows === 0) return undefined;
    this.finishPartition();
    return this.batches.pop();
  }

  /** Closes the current partition's batch and starts the next one. */
  finishPartition(): void {
    const children = this.sources.map((j) =>
      j < 0 ? (this.corrupt as ColumnBuilder).finish() : (this.builders[j] as ColumnBuilder).finish(),
    );
    this.batches.push(batchOf(this.output, children, this.rows));
    this.reset();
  }
}

/** A record batch over finished column data. */
export function batchOf(schema: arrow.Schema, children: arrow.Data[], length: number): arrow.RecordBatch {
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}
