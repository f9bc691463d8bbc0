/**
 * Scans one JSON Lines record (a flat object on one line) over UTF-8 bytes, recording for each
 * declared field the span and kind of its value, without materialising the object: numbers keep
 * their exact text (so int64 loses no digits) and strings are decoded only when they hold escapes.
 */

/** What a field's value was; `Nested` (an object or array) only a utf8 column takes, as its JSON text. */
export const JsonKind = { Missing: 0, Null: 1, String: 2, Number: 3, Boolean: 4, Nested: 5 } as const;
export type JsonKind = (typeof JsonKind)[keyof typeof JsonKind];

const QUOTE = 34;
const BACKSLASH = 92;

/** Field values of the current record, indexed like the declared fields. */
export class JsonRecordScanner {
  readonly kind: Uint8Array;
  /** For strings the span inside the quotes; otherwise the token's text. */
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly escaped: Uint8Array;
  /** Where parsing failed, when `scan` returned false. */
  errorAt = 0;
  errorReason = "";
  private readonly names: readonly Uint8Array[];
  private readonly byName: ReadonlyMap<string, number>;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end_ = 0;

  constructor(fieldNames: readonly string[]) {
    const enc = new TextEncoder();
    this.names = fieldNames.map((n) => enc.encode(n));
    this.byName = new Map(fieldNames.map((n, j) => [n, j]));
    const n = fieldNames.length;
    this.kind = new Uint8Array(n);
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.escaped = new Uint8Array(n);
  }

  /** Parses the object in `buf[start..end)`; false (with `errorAt`/`errorReason`) when malformed. */
  scan(buf: Uint8Array, start: number, end: number): boolean {
    this.buf = buf;
    this.pos = start;
    this.end_ = end;
    this.kind.fill(JsonKind.Missing);
    try {
      this.ws();
      this.expect(123, "expected '{' at the start of the record");
      this.ws();
      let hint = 0;
      if (buf[this.pos] === 125) this.pos++;
      else
        for (;;) {
          if (buf[this.pos] !== QUOTE) this.fail("expected a quoted field name");
          const keyStart = this.pos + 1;
          const keyEscaped = this.string();
          const j = this.field(keyStart, this.pos - 1, keyEscaped, hint);
          this.ws();
          this.expect(58, "expected ':' after the field name");
          this.ws();
          const valueStart = this.pos;
          const kind = this.value();
          if (j >= 0) {
            hint = j + 1;
            this.kind[j] = kind;
            const quoted = kind === JsonKind.String;
            this.start[j] = quoted ? valueStart + 1 : valueStart;
            this.end[j] = quoted ? this.pos - 1 : this.pos;
            this.escaped[j] = quoted && this.lastEscaped ? 1 : 0;
          }
          this.ws();
          if (buf[this.pos] === 44) {
            this.pos++;
            this.ws();
            continue;
          }
          this.expect(125, "expected ',' or '}' after a value");
          break;
        }
      this.ws();
      if (this.pos < end) this.fail("unexpected text after the record");
      return true;
    } catch (e) {
      if (e !== SCAN_FAILED) throw e;
      return false;
    }
  }

  private lastEscaped = false;

  private fail(reason: string): never {
    this.errorAt = this.pos;
    this.errorReason = reason;
    throw SCAN_FAILED;
  }

  private ws(): void {
    const buf = this.buf;
    while (this.pos < this.end_) {
      const c = buf[this.pos];
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      this.pos++;
    }
  }

  private expect(c: number, reason: string): void {
    if (this.buf[this.pos] !== c || this.pos >= this.end_) this.fail(reason);
    this.pos++;
  }

  /** Skips a string starting at its opening quote; returns whether it held escapes. */
  private string(): boolean {
    const buf = this.buf;
    let escaped = false;
    let i = this.pos + 1;
    for (; i < this.end_; i++) {
      const c = buf[i];
      if (c === QUOTE) {
        this.pos = i + 1;
        this.lastEscaped = escaped;
        return escaped;
      }
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if ((c as number) < 0x20) {
        this.pos = i;
        this.fail("control character inside a string");
      }
    }
    this.pos = i;
    return this.fail("string is not closed");
  }

  private value(): JsonKind {
    const buf = this.buf;
    const c = buf[this.pos];
    if (c === QUOTE) {
      this.string();
      return JsonKind.String;
    }
    if (c === 123 || c === 91) {
      this.nested();
      return JsonKind.Nested;
    }
    if (this.word("null")) return JsonKind.Null;
    if (this.word("true") || this.word("false")) return JsonKind.Boolean;
    if (this.word("NaN") || this.word("Infinity") || this.word("-Infinity")) return JsonKind.Number;
    const start = this.pos;
    if (buf[this.pos] === 45) this.pos++;
    const intStart = this.pos;
    while (isDigit(buf[this.pos]) && this.pos < this.end_) this.pos++;
    if (this.pos === intStart || (buf[intStart] === 48 && this.pos - intStart > 1)) {
      this.pos = start;
      this.fail("expected a value");
    }
    if (buf[this.pos] === 46) {
      this.pos++;
      if (!this.digits()) this.fail("expected digits after '.'");
    }
    if (buf[this.pos] === 101 || buf[this.pos] === 69) {
      this.pos++;
      if (buf[this.pos] === 43 || buf[this.pos] === 45) this.pos++;
      if (!this.digits()) this.fail("expected digits in the exponent");
    }
    return JsonKind.Number;
  }

  private digits(): boolean {
    const from = this.pos;
    while (this.pos < this.end_ && isDigit(this.buf[this.pos])) this.pos++;
    return this.pos > from;
  }

  private word(w: string): boolean {
    for (let k = 0; k < w.length; k++) if (this.buf[this.pos + k] !== w.charCodeAt(k)) return false;
    if (this.pos + w.length > this.end_) return false;
    this.pos += w.length;
    return true;
  }

  /** Skips a balanced object or array, strings included. */
  private nested(): void {
    const buf = this.buf;
    let depth = 0;
    while (this.pos < this.end_) {
      const c = buf[this.pos];
      if (c === QUOTE) {
        this.string();
        continue;
      }
      this.pos++;
      if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) return;
      }
    }
    this.fail("object or array is not closed");
  }

  /** Index of the declared field named by the key `buf[s..e)`, or -1. */
  private field(s: number, e: number, escaped: boolean, hint: number): number {
    if (escaped) return this.byName.get(decodeJsonString(this.buf, s, e)) ?? -1;
    if (hint < this.names.length && this.sameName(hint, s, e)) return hint;
    for (let j = 0; j < this.names.length; j++) if (this.sameName(j, s, e)) return j;
    return -1;
  }

  private sameName(j: number, s: number, e: number): boolean {
    const name = this.names[j] as Uint8Array;
    if (name.length !== e - s) return false;
    for (let k = 0; k < name.length; k++) if (name[k] !== this.buf[s + k]) return false;
    return true;
  }
}

const SCAN_FAILED = Symbol("json scan failed");

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

const decoder = new TextDecoder();

/** The string value of the JSON string whose content (inside the quotes) is `buf[s..e)`. */
export function decodeJsonString(buf: Uint8Array, s: number, e: number): string {
  const raw = decoder.decode(buf.subarray(s, e));
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
