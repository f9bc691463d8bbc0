/**
 * RFC 4180 record scanner over UTF-8 bytes: a hand-written state machine that finds each
 * record's field spans without decoding text. Quoted fields may hold delimiters, `""` and line
 * breaks; `\n` and `\r\n` end records. Blank lines are skipped, as Spark does, except where a
 * record has one field: there a blank line is that field, empty, so a null round-trips.
 */

import { folds, intsAt, Scratch, scratchInts, toHeap } from "../exec/wasm/heap.ts";

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Bytes the WebAssembly scanner (folds.scanCsv) takes at a time, and the int32s it may write for their records. */
const WINDOW = 1 << 18;
const ROOM = 1 << 16;
/** Records scanned here before the next window, after a window whose records covered less than a quarter of it. */
const BACK_OFF = 256;

/** Scans records from `buf[pos..end)`, exposing the current record's fields as byte spans. */
export class CsvScanner {
  /** Byte offset of the next unread record. */
  pos: number;
  /** 1-based physical line of `pos`. */
  line: number;
  /** Byte offset where the physical line containing `pos` starts. */
  lineStart: number;

  fieldCount = 0;
  /** Raw span of each field, quotes included. */
  fieldStart = new Float64Array(16);
  fieldEnd = new Float64Array(16);
  fieldQuoted = new Uint8Array(16);
  /** Span of the current record without its line ending, its first line, and where that line starts. */
  recordStart = 0;
  recordEnd = 0;
  recordLine = 0;
  recordLineStart = 0;
  /** Set when the record's last quoted field runs to the end of the input unclosed. */
  unterminated = false;
  /**
   * Records scanned ahead in WebAssembly (folds.scanCsv), served from `queuedAt` to `queuedEnd`:
   * per record its field count, its fields' ends and the offset after its line break, counted
   * from `queuedBase`.
   */
  private queued = new Int32Array(0);
  private queuedAt = 0;
  private queuedEnd = 0;
  private queuedBase = 0;
  /** Records left to scan in JavaScript before the next window. */
  private cooldown = 0;

  constructor(
    private readonly buf: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly delimiter: number,
    /** Whether an empty line is no record (true) or a record of one empty field. */
    private readonly skipBlankLines = true,
    firstLine = 1,
  ) {
    this.pos = start;
    this.line = firstLine;
    this.lineStart = start;
  }

  /**
   * Advances to the next non-blank record; false at the end of the range. Plain records (no
   * field starting with a quote, no blank line before them) come from a window of bytes scanned
   * in WebAssembly, where a byte loop runs several times faster than here; the others, and one
   * that the window cuts, are scanned here.
   */
  next(): boolean {
    if (this.queuedAt < this.queuedEnd || this.scanAhead()) return this.nextQueued();
    return this.scanRecord();
  }

  /** Scans the records of the next window in WebAssembly; false when it holds none it could take. */
  private scanAhead(): boolean {
    if (this.cooldown > 0) {
      this.cooldown--;
      return false;
    }
    const n = Math.min(WINDOW, this.end - this.pos);
    if (n <= 0) return false;
    // A record takes at least 2 bytes and 3 ints: a small range needs less room than a window.
    const room = Math.min(ROOM, 2 * n + 66);
    const out = scratchInts(Scratch.CsvRecords, room);
    const bytes = toHeap(Scratch.CsvBytes, this.buf.subarray(this.pos, this.pos + n), n);
    const written = folds.scanCsv(bytes, n, this.delimiter, out, room);
    if (this.queued.length < written) this.queued = new Int32Array(room);
    this.queued.set(intsAt(out, written));
    this.queuedAt = 0;
    this.queuedEnd = written;
    this.queuedBase = this.pos;
    // Quoted fields or blank lines throughout: scan here a while before copying a window again.
    const covered = written > 0 ? (this.queued[written - 1] as number) : 0;
    if (n === WINDOW && covered < WINDOW / 4) this.cooldown = BACK_OFF;
    return written > 0;
  }

  /** Takes the next record scanned ahead, as scanRecord would have found it. */
  private nextQueued(): boolean {
    const q = this.queued;
    const base = this.queuedBase;
    let k = this.queuedAt;
    const count = q[k++] as number;
    while (this.fieldStart.length < count) this.grow();
    const { fieldStart, fieldEnd, fieldQuoted } = this;
    let start = this.pos;
    this.recordStart = start;
    this.recordLine = this.line;
    this.recordLineStart = this.lineStart;
    this.unterminated = false;
    for (let j = 0; j < count; j++) {
      const e = base + (q[k++] as number);
      fieldStart[j] = start;
      fieldEnd[j] = e;
      fieldQuoted[j] = 0;
      start = e + 1;
    }
    this.recordEnd = fieldEnd[count - 1] as number;
    this.pos = base + (q[k++] as number);
    this.queuedAt = k;
    this.fieldCount = count;
    this.line++;
    this.lineStart = this.pos;
    return true;
  }

  /** Scans the next non-blank record here; false at the end of the range. */
  private scanRecord(): boolean {
    const buf = this.buf;
    const end = this.end;
    const delim = this.delimiter;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) {
        this.pos = pos;
        return false;
      }
      if (!this.skipBlankLines) break;
      const c = buf[pos];
      if (c === LF) {
        pos++;
        this.line++;
        this.lineStart = pos;
      } else if (c === CR && buf[pos + 1] === LF) {
        pos += 2;
        this.line++;
        this.lineStart = pos;
      } else break;
    }
    this.recordStart = pos;
    this.recordLine = this.line;
    this.recordLineStart = this.lineStart;
    this.unterminated = false;
    let { fieldStart, fieldEnd: fieldEnds, fieldQuoted } = this;
    let n = 0;
    for (;;) {
      if (n === fieldStart.length) {
        this.grow();
        ({ fieldStart, fieldEnd: fieldEnds, fieldQuoted } = this);
      }
      fieldStart[n] = pos;
      let quoted = 0;
      if (buf[pos] === QUOTE) {
        quoted = 1;
        pos++;
        let closed = false;
        while (pos < end) {
          const c = buf[pos];
          if (c === QUOTE) {
            if (buf[pos + 1] === QUOTE) pos += 2;
            else {
              pos++;
              closed = true;
              break;
            }
          } else {
            pos++;
            if (c === LF) {
              this.line++;
              this.lineStart = pos;
            }
          }
        }
        if (!closed) this.unterminated = true;
      }
      while (pos < end) {
        const c = buf[pos];
        if (c === delim || c === LF) break;
        pos++;
      }
      let fieldEnd = pos;
      const atLineEnd = pos >= end || buf[pos] === LF;
      if (atLineEnd && fieldEnd > (fieldStart[n] as number) && buf[fieldEnd - 1] === CR) fieldEnd--;
      fieldEnds[n] = fieldEnd;
      fieldQuoted[n] = quoted;
      n++;
      if (!atLineEnd) {
        pos++;
        continue;
      }
      this.recordEnd = fieldEnd;
      if (pos < end) {
        pos++;
        this.line++;
        this.lineStart = pos;
      }
      break;
    }
    this.fieldCount = n;
    this.pos = pos;
    return true;
  }

  /** The physical line field `j` of the current record starts on (a quoted field before it may span lines). */
  fieldLine(j: number): number {
    let line = this.recordLine;
    for (let p = this.recordStart; p < (this.fieldStart[j] as number); p++) if (this.buf[p] === LF) line++;
    return line;
  }

  /** Where the physical line holding the start of field `j` starts. */
  fieldLineStart(j: number): number {
    const at = this.fieldStart[j] as number;
    const lf = at > this.recordStart ? this.buf.lastIndexOf(LF, at - 1) : -1;
    return lf >= this.recordStart ? lf + 1 : this.recordLineStart;
  }

  private grow(): void {
    const size = this.fieldStart.length * 2;
    const growF = (a: Float64Array) => {
      const g = new Float64Array(size);
      g.set(a);
      return g;
    };
    this.fieldStart = growF(this.fieldStart);
    this.fieldEnd = growF(this.fieldEnd);
    const q = new Uint8Array(size);
    q.set(this.fieldQuoted);
    this.fieldQuoted = q;
  }
}

/**
 * Writes the content of the quoted field `buf[start..end)` into `out` (opening quote dropped,
 * `""` → `"`, closing quote dropped, any text after it kept) and returns its length.
 * `out` must hold at least `end - start` bytes.
 */
export function unquoteInto(buf: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  let i = start + 1;
  while (i < end) {
    const c = buf[i] as number;
    if (c === QUOTE) {
      if (buf[i + 1] === QUOTE && i + 1 < end) {
        out[n++] = QUOTE;
        i += 2;
        continue;
      }
      i++;
      while (i < end) out[n++] = buf[i++] as number;
      break;
    }
    out[n++] = c;
    i++;
  }
  return n;
}
