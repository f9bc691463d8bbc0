/**
 * Byte ranges of text files (CSV, JSON lines) for parallel reading. The driver finds record
 * boundaries with one pass that only tracks CSV quoting (no parsing, no line counting); each task
 * then streams just its byte range from disk in chunks, parsing complete records as they arrive.
 * A task counts lines from its range's start; an error's line becomes the file's physical line
 * only when one is reported, by counting the line breaks before the range then.
 */
import { closeSync, readSync } from "node:fs";
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import { openInputFile, openInputFileSync } from "./input-file.ts";

/** How records end: at a line break, outside CSV quotes when `delimiter` is given (JSON lines have no multi-line records). */
export interface TextSyntax {
  readonly delimiter?: number;
}

const QUOTE = 34;
const LF = 10;
const CHUNK = 8 << 20;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_SEEN = 3;

/**
 * For each of the sorted byte offsets `targets`, the first record start at or after it (the
 * file's size when there is none). Streams the file in chunks of `chunkSize` bytes (tests pass
 * tiny chunks to exercise state carried across them) and stops after the last target.
 */
export async function findRecordStarts(file: string, displayPath: string, targets: readonly number[], syntax: TextSyntax, chunkSize = CHUNK): Promise<number[]> {
  const handle = await openInputFile(file, displayPath);
  try {
    const size = Number((await handle.stat()).size);
    const out: number[] = [];
    let k = 0;
    // Offset 0 starts a record.
    while (k < targets.length && (targets[k] as number) <= 0) {
      out.push(0);
      k++;
    }
    const quoting = syntax.delimiter !== undefined;
    const delimiter = syntax.delimiter ?? -1;
    let state = FIELD_START;
    // A Buffer: its indexOf searches memory several times faster than a Uint8Array's.
    const chunk = Buffer.allocUnsafe(Math.max(3, Math.min(chunkSize, size)));
    // A UTF-8 byte order mark is not a field's first character (the CSV scanner skips it).
    const head = (await handle.read(chunk, 0, 3, 0)).bytesRead;
    for (let base = head === 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0; base < size && k < targets.length; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - base), base);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      let i = 0;
      // Jumps between line breaks and quotes with indexOf (memchr), so a file with few quotes
      // is scanned at memory speed; the states match CsvScanner's.
      let nextQuote = quoting ? -1 : bytesRead;
      while (i < bytesRead && k < targets.length) {
        if (nextQuote < i) nextQuote = indexOrEnd(data, QUOTE, i);
        if (nextQuote === bytesRead && state !== QUOTED && state !== QUOTE_SEEN) {
          // No quote up to the chunk's end: skip to just before the next target (no record a
          // target asks for can start before it).
          const stop = Math.min(bytesRead, (targets[k] as number) - base - 1);
          if (stop > i) {
            state = data[stop - 1] === LF || data[stop - 1] === delimiter ? FIELD_START : UNQUOTED;
            i = stop;
            continue;
          }
        }
        if (state === QUOTED) {
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
        state = FIELD_START;
        // A record may start right after this line break.
        const next = base + lf + 1;
        while (k < targets.length && next >= (targets[k] as number)) {
          out.push(next);
          k++;
        }
        i = lf + 1;
      }
      base += bytesRead;
    }
    while (out.length < targets.length) out.push(size);
    return out;
  } finally {
    await handle.close();
  }
}

function indexOrEnd(data: Buffer, byte: number, from: number): number {
  const at = data.indexOf(byte, from);
  return at < 0 ? data.length : at;
}

/** The line breaks in the first `offset` bytes of an open file, read in chunks. */
function linesBefore(fd: number, offset: number): number {
  const chunk = new Uint8Array(Math.min(CHUNK, offset));
  let lines = 0;
  for (let at = 0; at < offset; ) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, offset - at), at);
    if (n === 0) break;
    lines += countLineBreaks(chunk, 0, n);
    at += n;
  }
  return lines;
}

/**
 * Line breaks in `data[from, to)`: byte by byte to a 4-byte boundary, then a word at a time (a
 * byte of `word ^ 0x0a0a0a0a` is zero where a line break is; the mask below marks exactly
 * those), then the rest.
 */
function countLineBreaks(data: Uint8Array, from: number, to: number): number {
  let count = 0;
  let i = from;
  while (i < to && (data.byteOffset + i) % 4 !== 0) if (data[i++] === LF) count++;
  const words = (to - i) >> 2;
  if (words > 0) {
    const w = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const x = (w[k] as number) ^ 0x0a0a0a0a;
      const zeros = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
      if (zeros !== 0) count += Math.imul(zeros >>> 7, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  while (i < to) if (data[i++] === LF) count++;
  return count;
}

/** A parser of records that arrive in chunks (CSV, JSON lines), closing a batch at each chunk's end. */
export interface ChunkParser {
  /** Parses complete records at the front of `buf` and returns how many bytes it used (all when `final`). */
  parse(buf: Uint8Array, final: boolean): number;
  /** Closes the records parsed since the last batch as a batch and hands it over (none when there are none). */
  takeBatch(): arrow.RecordBatch | undefined;
}

/** A parser's error, its line (counted from line 1 at byte `start`) made the file's physical line. */
function atFileLine(e: unknown, fd: number, start: number): unknown {
  if (!(e instanceof TsdfError) || e.location === undefined || start === 0) return e;
  return new TsdfError(e.code, e.message, { ...e.location, line: e.location.line + linesBefore(fd, start) }, e.notes);
}

/**
 * Parses `file[start, end)` with `parser`, read synchronously in chunks of about `chunkSize`
 * bytes, yielding one batch per chunk that has records as soon as it is parsed (none for a range without any):
 * a task's pipeline folds a chunk's rows before the next chunk is read, so a split is never held
 * whole. The parser counts lines from 1 at `start`; an error it throws names the file's line.
 * The bytes a chunk's last, incomplete record left (what `parse` did not use) are carried
 * to the front of the next chunk, which grows when one record outgrows it. The file stays open
 * only while the batches are being taken.
 */
export function* parseRangeInChunks(
  file: string,
  displayPath: string,
  start: number,
  end: number,
  parser: ChunkParser,
  chunkSize = CHUNK,
): Generator<arrow.RecordBatch, void, undefined> {
  const fd = openInputFileSync(file, displayPath);
  try {
    let buf = new Uint8Array(Math.max(1, Math.min(chunkSize, end - start)));
    let carried = 0;
    let at = start;
    for (;;) {
      if (carried === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const bytesRead = at < end ? readSync(fd, buf, carried, Math.min(buf.length - carried, end - at), at) : 0;
      at += bytesRead;
      const final = bytesRead === 0 || at >= end;
      const filled = carried + bytesRead;
      let used: number;
      try {
        used = parser.parse(buf.subarray(0, filled), final);
      } catch (e) {
        throw atFileLine(e, fd, start);
      }
      const batch = parser.takeBatch();
      if (batch !== undefined) yield batch;
      if (final) return;
      buf.copyWithin(0, used, filled);
      carried = filled - used;
    }
  } finally {
    closeSync(fd);
  }
}
