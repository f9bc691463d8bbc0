/**
 * A scan cut into splits, one per partition, so that each partition is read by its own task.
 * The driver plans the splits cheaply (it lists files, finds CSV/JSON record boundaries near the
 * cut points, reads Parquet footers); a split is plain data a worker thread receives by structured
 * clone and reads on its own. Splits cut the dataset's files taken end to end (text formats by
 * byte range, Parquet by row group, Arrow IPC by row range), so concatenating the splits' batches
 * in order gives every row in file order, whatever the partition count.
 */
import * as path from "node:path";
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { Expr } from "../../plan/expr.ts";
import type { FileFormat, ReadOptions } from "../../plan/logical.ts";
import type { ScanExec } from "../../plan/physical.ts";
import type { Field, Schema } from "../../plan/schema.ts";
import { readArrowIpc } from "./arrow-ipc.ts";
import { arrowSchema } from "./arrow-types.ts";
import { columnBuilder } from "./column-builder.ts";
import { concatBatches } from "./concat-batches.ts";
import { delimiterByte, readCsvRange } from "./csv-reader.ts";
import { type DatasetFile, listDatasetFiles } from "./dataset-files.ts";
import { readJsonLinesRange } from "./json-lines.ts";
import { readParquet } from "./parquet.ts";
import { type ParquetFooter, readParquetFooter } from "./parquet-footer.ts";
import { batchOf, type ReadMetrics } from "./row-assembler.ts";
import { partitionMayMatch, rowGroupMayMatch } from "./scan-pruning.ts";
import { findRecordStarts } from "./text-splits.ts";

/** A data file as a split names it: its path relative to the data folder, and its `col=value` folders. */
export interface SplitFile {
  readonly path: string;
  readonly displayPath: string;
  readonly partitionValues: readonly (readonly [string, string | null])[];
}

/** The part of one file a split reads. */
export type SplitPiece =
  /** CSV or JSON lines: the records starting in `[start, end)`. */
  | { readonly kind: "text"; readonly file: SplitFile; readonly start: number; readonly end: number }
  /**
   * Parquet: these row groups (none: only the file's schema is checked); `skippedRowGroups` were
   * excluded by the scan's filters; `bytes` is the compressed size of the column chunks read.
   */
  | { readonly kind: "parquet"; readonly file: SplitFile; readonly rowGroups: readonly number[]; readonly skippedRowGroups: number; readonly bytes: number }
  /** Arrow IPC: part `part` of `parts` equal row ranges of the file. */
  | { readonly kind: "arrow"; readonly file: SplitFile; readonly part: number; readonly parts: number };

/** What one partition of a scan reads; plain, structured-clonable data. */
export interface ScanSplit {
  readonly partition: number;
  /** Columns filled from `col=value` folders rather than read from the files (the same for every split of a scan). */
  readonly keyColumns: readonly string[];
  readonly pieces: readonly SplitPiece[];
}

/** A scan, wherever it comes from (a plan's `ScanExec`, or `readDataset`'s arguments). */
export interface ScanTarget {
  readonly path: string;
  readonly displayPath: string;
  readonly format: FileFormat;
  readonly fileSchema: Schema;
  readonly options: ReadOptions;
  readonly columns: readonly string[];
  readonly filters: readonly Expr[];
  readonly partitions: number;
}

function targetOf(node: ScanExec, dataDir: string): ScanTarget {
  return { ...node, path: path.resolve(dataDir, node.path), displayPath: node.path };
}

/** Plans the `node.partitions` splits of a scan; paths in the plan are relative to `dataDir`. */
export async function planScan(node: ScanExec, dataDir: string): Promise<ScanSplit[]> {
  return planSplits(targetOf(node, dataDir), dataDir, await listDatasetFiles(path.resolve(dataDir, node.path), node.path));
}

/** The record batches of one split of `node` (planned by `planScan` with the same `dataDir`) in order, adding to `metrics` (see readSplit). */
export function readScanSplit(node: ScanExec, split: ScanSplit, dataDir: string, metrics: ReadMetrics): Promise<Iterable<arrow.RecordBatch>> {
  return readSplit(targetOf(node, dataDir), split, dataDir, metrics);
}

/**
 * The splits of `target`, whose data files are `all`. Files in `col=value` folders the scan's
 * filters exclude are not read at all (partition pruning); Parquet row groups their statistics
 * exclude neither.
 */
export async function planSplits(target: ScanTarget, dataDir: string, all: readonly DatasetFile[]): Promise<ScanSplit[]> {
  const n = Math.max(1, Math.floor(target.partitions));
  const keyColumns = [...new Set(all.flatMap((f) => [...f.partitionValues.keys()]))].filter((k) => target.fileSchema.fields.some((f) => f.name === k));
  // A file without one of the folder columns holds nulls in it.
  const files = all.filter((f) => partitionMayMatch(target.filters, new Map(keyColumns.map((k) => [k, f.partitionValues.get(k) ?? null])), target.fileSchema));
  const pieces: SplitPiece[][] = Array.from({ length: n }, () => []);
  const add = (k: number, piece: SplitPiece) => (pieces[Math.min(n - 1, Math.max(0, k))] as SplitPiece[]).push(piece);
  const splitFile = (f: DatasetFile): SplitFile => ({ path: path.relative(dataDir, f.path), displayPath: f.displayPath, partitionValues: [...f.partitionValues] });
  switch (target.format) {
    case "csv":
    case "json": {
      const syntax = target.format === "csv" ? { delimiter: delimiterByte(target.options.delimiter, target.displayPath) } : {};
      const total = files.reduce((s, f) => s + f.size, 0);
      const cuts = Array.from({ length: n + 1 }, (_, k) => Math.floor((k * total) / n));
      let offset = 0;
      for (const f of files) {
        // Cut k of the dataset, in this file's bytes: before it (0), inside it, or past it (size).
        const local = cuts.map((c) => Math.max(0, Math.min(f.size, c - offset)));
        const inside = local.filter((c) => c > 0 && c < f.size);
        const found = inside.length === 0 ? [] : await findRecordStarts(f.path, f.displayPath, inside, syntax);
        const starts = local.map((c) => (c <= 0 ? 0 : c >= f.size ? f.size : (found[inside.indexOf(c)] as number)));
        for (let k = 0; k < n; k++) {
          const from = starts[k] as number;
          const to = starts[k + 1] as number;
          // An empty file is still visited once, so its partition folder values are checked.
          if (to > from || (f.size === 0 && k === Math.min(n - 1, total === 0 ? 0 : Math.floor((offset * n) / total)))) {
            add(k, { kind: "text", file: splitFile(f), start: from, end: to });
          }
        }
        offset += f.size;
      }
      break;
    }
    case "parquet": {
      // One file at a time: a folder of thousands of part files must not open them all at once.
      const footers: ParquetFooter[] = [];
      for (const f of files) footers.push(await readParquetFooter(f.path, f.displayPath));
      const total = footers.reduce((s, m) => s + m.numRows, 0);
      const read = target.columns.filter((c) => !keyColumns.includes(c));
      let row = 0;
      for (const [i, f] of files.entries()) {
        const footer = footers[i] as ParquetFooter;
        // Each row group goes to the split its middle row falls in.
        const byPart = new Map<number, { rowGroups: number[]; skippedRowGroups: number; bytes: number }>();
        const fileStart = row;
        for (const [g, rg] of footer.rowGroups.entries()) {
          const k = total === 0 ? 0 : Math.min(n - 1, Math.floor(((row + rg.numRows / 2) * n) / total));
          row += rg.numRows;
          const entry = byPart.get(k) ?? { rowGroups: [], skippedRowGroups: 0, bytes: 0 };
          byPart.set(k, entry);
          if (!rowGroupMayMatch(target.filters, rg, target.fileSchema)) {
            entry.skippedRowGroups++;
            continue;
          }
          entry.rowGroups.push(g);
          entry.bytes += rg.columns.filter((c) => read.includes(c.name)).reduce((s, c) => s + c.compressedSize, 0);
        }
        // A file with no row groups is still opened once, so its schema is checked.
        if (byPart.size === 0) byPart.set(total === 0 ? 0 : Math.floor((fileStart * n) / total), { rowGroups: [], skippedRowGroups: 0, bytes: 0 });
        for (const [k, entry] of byPart) add(k, { kind: "parquet", file: splitFile(f), ...entry });
      }
      break;
    }
    case "arrow": {
      // Row counts are not known without reading, so a file is cut into equal row ranges, one per split its bytes overlap.
      const total = files.reduce((s, f) => s + f.size, 0);
      let offset = 0;
      for (const f of files) {
        const first = total === 0 ? 0 : Math.min(n - 1, Math.floor((offset * n) / total));
        const last = total === 0 ? 0 : Math.max(first, Math.min(n - 1, Math.ceil(((offset + f.size) * n) / total) - 1));
        for (let k = first; k <= last; k++) add(k, { kind: "arrow", file: splitFile(f), part: k - first, parts: last - first + 1 });
        offset += f.size;
      }
      break;
    }
  }
  return pieces.map((p, partition) => ({ partition, keyColumns, pieces: p }));
}

/**
 * The record batches of `split`, in order, adding to `metrics` as they are read. Parquet and
 * Arrow IPC pieces are read before this resolves; text pieces (CSV, JSON lines) are parsed chunk
 * by chunk while the batches are iterated, so a task's pipeline consumes each chunk before the
 * next is read (iterating again reads them again). At least one batch, maybe empty.
 */
export async function readSplit(target: ScanTarget, split: ScanSplit, dataDir: string, metrics: ReadMetrics): Promise<Iterable<arrow.RecordBatch>> {
  const fields = target.columns.map((name) => {
    const f = target.fileSchema.fields.find((g) => g.name === name);
    if (f === undefined) throw new TsdfError("TSDF3006", `${target.displayPath}: column '${name}' is not in the schema`);
    return f;
  });
  const out = arrowSchema({ fields });
  const keyFields = target.fileSchema.fields.filter((f) => split.keyColumns.includes(f.name));
  const content: Schema = { fields: target.fileSchema.fields.filter((f) => !split.keyColumns.includes(f.name)) };
  const contentColumns = target.columns.filter((c) => !split.keyColumns.includes(c));
  // Per piece, its batches as the iteration takes them.
  const pieces: (() => Iterable<arrow.RecordBatch>)[] = [];
  for (const piece of split.pieces) {
    const file = path.resolve(dataDir, piece.file.path);
    const shown = piece.file.displayPath;
    switch (piece.kind) {
      case "text": {
        const readRange = target.format === "csv" ? readCsvRange : readJsonLinesRange;
        pieces.push(function* () {
          yield* readRange(file, shown, content, target.options, contentColumns, piece, metrics);
          metrics.bytesDecoded = (metrics.bytesDecoded ?? 0) + (piece.end - piece.start);
        });
        break;
      }
      case "parquet": {
        const { batches } = await readParquet(file, shown, content, contentColumns, piece.rowGroups);
        metrics.bytesDecoded = (metrics.bytesDecoded ?? 0) + piece.bytes;
        metrics.rowGroupsRead = (metrics.rowGroupsRead ?? 0) + piece.rowGroups.length;
        metrics.rowGroupsSkipped = (metrics.rowGroupsSkipped ?? 0) + piece.skippedRowGroups;
        pieces.push(() => batches);
        break;
      }
      case "arrow": {
        const batches = rowRange((await readArrowIpc(file, shown, content, contentColumns)).batches, piece.part, piece.parts);
        pieces.push(() => batches);
        break;
      }
    }
  }
  const values = split.pieces.map((piece) => new Map(piece.file.partitionValues));
  return {
    *[Symbol.iterator]() {
      let any = false;
      for (const [k, piece] of split.pieces.entries()) {
        for (const b of (pieces[k] as () => Iterable<arrow.RecordBatch>)()) {
          any = true;
          yield withKeys(b, values[k] as Map<string, string | null>, piece.file.displayPath, contentColumns, keyFields, out);
        }
      }
      if (!any) yield concatBatches(out, []);
    },
  };
}

/** Part `part` of `parts` equal row ranges of the batches' rows. */
function rowRange(batches: readonly arrow.RecordBatch[], part: number, parts: number): arrow.RecordBatch[] {
  const total = batches.reduce((s, b) => s + b.numRows, 0);
  const lo = Math.floor((part * total) / parts);
  const hi = Math.floor(((part + 1) * total) / parts);
  const out: arrow.RecordBatch[] = [];
  let first = 0;
  for (const b of batches) {
    const from = Math.max(0, lo - first);
    const to = Math.min(b.numRows, hi - first);
    if (to > from) out.push(b.slice(from, to));
    first += b.numRows;
  }
  return out;
}

const encoder = new TextEncoder();

/** The batch in the output's column order, partition-folder columns filled as constants. */
function withKeys(
  b: arrow.RecordBatch,
  values: ReadonlyMap<string, string | null>,
  displayPath: string,
  contentColumns: readonly string[],
  keyFields: readonly Field[],
  out: arrow.Schema,
): arrow.RecordBatch {
  if (keyFields.length === 0) return b;
  const children = out.fields.map((f) => {
    const i = contentColumns.indexOf(f.name);
    if (i >= 0) return b.data.children[i] as arrow.Data;
    const key = keyFields.find((k) => k.name === f.name) as Field;
    return constantColumn(key, values.get(key.name) ?? null, b.numRows, displayPath);
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
