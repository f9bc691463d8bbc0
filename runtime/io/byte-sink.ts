/** Buffered byte output to a file: writers fill a growable buffer and flush it in ~1 MB writes. */
import { type FileHandle, open } from "node:fs/promises";

const FLUSH_AT = 1 << 20;

/**
 * Appends bytes in memory; between rows a writer checks `full` and awaits `flush` (checking first
 * keeps an await, and its microtask, out of the per-row path).
 */
export class ByteSink {
  buf = new Uint8Array(FLUSH_AT + 4096);
  len = 0;

  private constructor(private readonly handle: FileHandle) {}

  /** Creates (or truncates) `file`. */
  static async create(file: string): Promise<ByteSink> {
    return new ByteSink(await open(file, "w"));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Appends a string of ASCII characters (numbers, dates, booleans). */
  ascii(s: string): void {
    this.reserve(s.length);
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.len = at;
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    if (n < 32) {
      const buf = this.buf;
      let at = this.len;
      for (let i = start; i < end; i++) buf[at++] = src[i] as number;
      this.len = at;
    } else {
      this.buf.set(src.subarray(start, end), this.len);
      this.len += n;
    }
  }

  /** Whether 1 MB or more is buffered. */
  get full(): boolean {
    return this.len >= FLUSH_AT;
  }

  /** Writes the buffered bytes to the file. */
  async flush(): Promise<void> {
    let done = 0;
    while (done < this.len) done += (await this.handle.write(this.buf, done, this.len - done)).bytesWritten;
    this.len = 0;
  }

  /** Writes what is buffered and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file without writing what is buffered (after an error). */
  async abort(): Promise<void> {
    await this.handle.close();
  }
}
