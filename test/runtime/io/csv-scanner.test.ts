import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvScanner } from "../../../runtime/io/csv-scanner.ts";

const encoder = new TextEncoder();

/** Every record of `bytes` as the scanner exposes it; `jsOnly` scans each in JavaScript (its reference path). */
function records(bytes: Uint8Array, delimiter: number, skipBlankLines: boolean, jsOnly: boolean): unknown[] {
  const scanner = new CsvScanner(bytes, 0, bytes.length, delimiter, skipBlankLines);
  // The JavaScript scan of one record, which `next` uses for what the WebAssembly window leaves.
  const step = jsOnly ? () => (scanner as unknown as { scanRecord(): boolean }).scanRecord() : () => scanner.next();
  const out: unknown[] = [];
  while (step()) {
    const n = scanner.fieldCount;
    out.push({
      fields: Array.from({ length: n }, (_, j) => [scanner.fieldStart[j], scanner.fieldEnd[j], scanner.fieldQuoted[j]]),
      record: [scanner.recordStart, scanner.recordEnd, scanner.recordLine, scanner.recordLineStart, scanner.unterminated],
      after: [scanner.pos, scanner.line, scanner.lineStart],
    });
  }
  return out;
}

describe("CsvScanner", () => {
  it("finds the same records with its WebAssembly window as scanning each in JavaScript (quotes, CRs, blank lines, a last line without a break)", () => {
    const field = fc.oneof(fc.stringMatching(/^[ab;, \r"]{0,4}$/), fc.stringMatching(/^[ab;,\r\n"]{0,4}$/).map((s) => `"${s.replaceAll('"', '""')}"`));
    const line = fc.oneof(fc.array(field, { minLength: 1, maxLength: 4 }).map((fs) => fs.join(",")), fc.constant(""));
    fc.assert(
      fc.property(fc.array(fc.tuple(line, fc.constantFrom("\n", "\r\n")), { maxLength: 12 }), fc.boolean(), fc.boolean(), (lines, lastBreak, skipBlank) => {
        let text = lines.map(([l, br]) => l + br).join("");
        if (!lastBreak && text.endsWith("\n")) text = text.slice(0, text.endsWith("\r\n") ? -2 : -1);
        const bytes = encoder.encode(text);
        for (const delimiter of [44, 59]) expect(records(bytes, delimiter, skipBlank, false)).toEqual(records(bytes, delimiter, skipBlank, true));
      }),
      { numRuns: 500 },
    );
  });

  it("serves records across its windows, lines longer than a window and a quoted stretch among them", () => {
    const plain = Array.from({ length: 12_000 }, (_, i) => `id${i},${i % 7},${(i * 0.25).toFixed(2)}\r\n`).join("");
    const quoted = Array.from({ length: 400 }, (_, i) => `"q,${i}",1,"x""y"\n`).join("");
    const bytes = encoder.encode(`${plain}${"z".repeat(300_000)},1,2\n${quoted}${plain}`);
    const got = records(bytes, 44, true, false);
    expect(got).toHaveLength(24_000 + 1 + 400);
    expect(got).toEqual(records(bytes, 44, true, true));
  });
});
