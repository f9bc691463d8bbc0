/**
 * Splitting a CSV file for parallel reading. The driver plans the splits with one fast pass that
 * only tracks quoting (no parsing), then each task reads and parses just its byte range. Split k
 * starts at the first record boundary at or after byte k·size/n, exactly where `readCsv` cuts
 * partition k, so both give the same batches for any split count.
 */
import { open } from "node:fs/promises";
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { ReadOptions } from "../../plan/logical.ts";
import type { Schema } from "../../plan/schema.ts";
import { delimiterByte, parseCsv } from "./csv-reader.ts";
import type { ReadMetrics } from "./row-assembler.ts";

/** One byte range of a CSV file; `firstLine` is the physical line number at `start`. */
export interface CsvSplit {
  readonly start: number;
  readonly end: number;
  readonly firstLine: number;
}

const QUOTE = 34;
const LF = 10;
const CHUNK = 8 << 20;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_SEEN = 3;

/**
 * Plans `partitions` splits of a CSV file, streaming it in chunks of `chunkSize` bytes
 * (quote-aware, line-counting; tests pass tiny chunks to exercise state carried across them).
 */
export async function planCsvSplits(
  file: string,
  displayPath: string,
  options: ReadOptions,
  partitions: number,
  chunkSize = CHUNK,
): Promise<CsvSplit[]> {
  const delimiter = delimiterByte(options.delimiter, displayPath);
  const handle = await open(file, "r").catch(() => {
    throw new TsdfError("TSDF3001", `input file not found: ${displayPath}`);
  });
  try {
    const size = Number((await handle.stat()).size);
    const n = Math.max(1, Math.floor(partitions));
    const targets = Array.from({ length: n }, (_, k) => Math.floor((k * size) / n));
    const starts: { start: number; line: number }[] = [{ start: 0, line: 1 }];
    let k = 1;
    let state = FIELD_START;
    let line = 1;
    const chunk = new Uint8Array(Math.max(1, Math.min(chunkSize, size)));
    for (let base = 0; base < size && k < n; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - base), base);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      // Jumps between line breaks and quotes with indexOf (memchr), so a file with few quotes
      // is scanned at memory speed; the states match CsvScanner's.
      let nextQuote = -1;
      let i = 0;
      while (i < bytesRead && k < n) {
        if (nextQuote < i) nextQuote = indexOrEnd(data, QUOTE, i);
        if (state === QUOTED) {
          line += countLineBreaks(data, i, nextQuote);
          if (nextQuote === bytesRead) break;
          state = QUOTE_SEEN;
          i = nextQuote + 1;
          continue;
        }
        if (state === QUOTE_SEEN) {
          const c = data[i] as number;
          if (c === QUOTE) state = QUOTED;
          else if (c !== LF) state = c === delimiter ? FIELD_START : UNQUOTED;
          else state = UNQUOTED;
          if (c !== LF) {
            i++;
            continue;
          }
        }
        const lf = indexOrEnd(data, LF, i);
        if (nextQuote < lf) {
          const atFieldStart = nextQuote === i ? state === FIELD_START : data[nextQuote - 1] === delimiter;
          state = atFieldStart ? QUOTED : UNQUOTED;
          i = nextQuote + 1;
          continue;
        }
        if (lf === bytesRead) {
          if (lf > i) state = data[lf - 1] === delimiter ? FIELD_START : UNQUOTED;
          break;
        }
        line++;
        state = FIELD_START;
        // A record may start right after this line break.
        const next = base + lf + 1;
        while (k < n && next >= (targets[k] as number)) {
          starts.push({ start: next, line });
          k++;
        }
        i = lf + 1;
      }
      base += bytesRead;
    }
    while (starts.length < n) starts.push({ start: size, line });
    return starts.map((s, i) => ({ start: s.start, end: starts[i + 1]?.start ?? size, firstLine: s.line }));
  } finally {
    await handle.close();
  }
}

function indexOrEnd(data: Uint8Array, byte: number, from: number): number {
  const at = data.indexOf(byte, from);
  return at < 0 ? data.length : at;
}

function countLineBreaks(data: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let at = data.indexOf(LF, from); at >= 0 && at < to; at = data.indexOf(LF, at + 1)) count++;
  return count;
}

/** Reads one planned split as one record batch (the header is checked by the split at byte 0). */
export async function readCsvSplit(
  file: string,
  displayPath: string,
  schema: Schema,
  options: ReadOptions,
  columns: readonly string[],
  split: CsvSplit,
  metrics?: ReadMetrics,
): Promise<arrow.RecordBatch> {
  const bytes = await readRange(file, displayPath, split);
  const batches = parseCsv(bytes, displayPath, schema, options, columns, [0], metrics, { firstLine: split.firstLine, atFileStart: split.start === 0 });
  return batches[0] as arrow.RecordBatch;
}

async function readRange(file: string, displayPath: string, split: CsvSplit): Promise<Uint8Array> {
  const handle = await open(file, "r").catch(() => {
    throw new TsdfError("TSDF3001", `input file not found: ${displayPath}`);
  });
  try {
    const out = new Uint8Array(split.end - split.start);
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await handle.read(out, done, out.length - done, split.start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  } finally {
    await handle.close();
  }
}
