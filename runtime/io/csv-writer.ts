/**
 * Arrow record batches → one CSV file, written as bytes straight from the Arrow buffers (strings
 * are never decoded). Fields holding the delimiter, a quote or a line break are quoted with `""`
 * escapes; an empty string is written `""` so that it reads back as an empty string while an
 * empty field reads back as null. Values keep their spaces. Dates are `yyyy-MM-dd`, timestamps
 * `yyyy-MM-ddTHH:mm:ss.ffffffZ`, doubles as JavaScript prints them, int64 with every digit.
 */
import type * as arrow from "apache-arrow";
import { TsdfError } from "../../plan/errors.ts";
import type { WriteOptions } from "../../plan/logical.ts";
import type { DataType, Schema } from "../../plan/schema.ts";
import { ByteSink } from "./byte-sink.ts";
import { formatDate, formatTimestamp } from "./calendar.ts";
import { isValidAt } from "./concat-batches.ts";

const QUOTE = 34;
const LF = 10;
const CR = 13;
const encoder = new TextEncoder();

/** Writes `batches` (columns in `schema` order) to `file` as CSV; header on unless `header: false`. */
export async function writeCsv(file: string, batches: readonly arrow.RecordBatch[], schema: Schema, options: WriteOptions): Promise<void> {
  const d = options.delimiter ?? ",";
  if (d.length !== 1 || d.charCodeAt(0) > 127 || d === '"' || d === "\n" || d === "\r") {
    throw new TsdfError("TSDF3005", `the CSV delimiter must be one ASCII character other than a quote or line break, got ${JSON.stringify(d)}`);
  }
  const delimiter = d.charCodeAt(0);
  const sink = await ByteSink.create(file);
  try {
    if (options.header ?? true) {
      for (const [j, f] of schema.fields.entries()) {
        if (j > 0) sink.byte(delimiter);
        const name = encoder.encode(f.name);
        writeText(sink, name, 0, name.length, delimiter);
      }
      sink.byte(LF);
    }
    for (const batch of batches) {
      const emit = schema.fields.map((f, j) => cellWriter(sink, batch.data.children[j] as arrow.Data, f.type, delimiter));
      const ncols = emit.length;
      for (let i = 0; i < batch.numRows; i++) {
        for (let j = 0; j < ncols; j++) {
          if (j > 0) sink.byte(delimiter);
          (emit[j] as (i: number) => void)(i);
        }
        sink.byte(LF);
        if (sink.full) await sink.flush();
      }
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
}

/** A function writing row i of a column (nothing for null). */
function cellWriter(sink: ByteSink, data: arrow.Data, type: DataType, delimiter: number): (i: number) => void {
  const nullable = data.nullCount > 0;
  const ifValid = (write: (i: number) => void) => (nullable ? (i: number) => void (isValidAt(data, i) && write(i)) : write);
  switch (type) {
    case "utf8": {
      const bytes = data.values as Uint8Array;
      const offsets = data.valueOffsets as Int32Array;
      return ifValid((i) => writeText(sink, bytes, offsets[i] as number, offsets[i + 1] as number, delimiter));
    }
    case "int32":
    case "float64": {
      const values = data.values as Int32Array | Float64Array;
      return ifValid((i) => sink.ascii(String(values[i])));
    }
    case "int64": {
      const values = data.values as BigInt64Array;
      return ifValid((i) => sink.ascii(String(values[i])));
    }
    case "date32": {
      const values = data.values as Int32Array;
      return ifValid((i) => sink.ascii(formatDate(values[i] as number)));
    }
    case "timestamp_us": {
      const values = data.values as BigInt64Array;
      return ifValid((i) => sink.ascii(formatTimestamp(values[i] as bigint)));
    }
    case "boolean": {
      const bits = data.values as Uint8Array;
      return ifValid((i) => {
        const k = data.offset + i;
        sink.ascii((((bits[k >> 3] as number) >> (k & 7)) & 1) === 1 ? "true" : "false");
      });
    }
  }
}

/** Writes UTF-8 text `src[start..end)` as a CSV field, quoted when it must be. */
function writeText(sink: ByteSink, src: Uint8Array, start: number, end: number, delimiter: number): void {
  if (start === end) {
    sink.byte(QUOTE);
    sink.byte(QUOTE);
    return;
  }
  let quotes = 0;
  let special = false;
  for (let i = start; i < end; i++) {
    const c = src[i];
    if (c === QUOTE) quotes++;
    else if (c === delimiter || c === LF || c === CR) special = true;
  }
  if (!special && quotes === 0) {
    sink.bytes(src, start, end);
    return;
  }
  sink.reserve(end - start + quotes + 2);
  const buf = sink.buf;
  let at = sink.len;
  buf[at++] = QUOTE;
  for (let i = start; i < end; i++) {
    const c = src[i] as number;
    buf[at++] = c;
    if (c === QUOTE) buf[at++] = QUOTE;
  }
  buf[at++] = QUOTE;
  sink.len = at;
}
