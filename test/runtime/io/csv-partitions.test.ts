import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { planCsvSplits, readCsvSplit } from "../../../runtime/io/csv-splits.ts";
import { readJsonLines } from "../../../runtime/io/json-lines.ts";
import { rowsOf, schemaOf, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({ a: "utf8?", b: "int32?", c: "utf8?" });
const columns = ["a", "b", "c"];

/** Text with the characters that make CSV splitting hard. */
const tricky = fc.string({ unit: fc.constantFrom("x", "y", ",", '"', "\n", "\r\n", " ", ";", "é"), maxLength: 8 });

function quote(s: string): string {
  return s === "" || /[",\n\r]/.test(s) || s.trim() !== s ? `"${s.replaceAll('"', '""')}"` : s;
}

describe("partitioned reads", () => {
  it("CSV gives the same rows for every partition count from 1 to 7", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(tricky, fc.option(fc.integer({ min: -1000, max: 1000 })), tricky), { maxLength: 25 }),
        fc.boolean(),
        async (records, crlf) => {
          const eol = crlf ? "\r\n" : "\n";
          const text = `a,b,c${eol}${records.map(([a, b, c]) => `${quote(a)},${b ?? ""},${quote(c)}`).join(eol)}${eol}`;
          const file = tempFile("p.csv", text);
          const expected = records.map(([a, b, c]) => ({ a, b, c }));
          for (let n = 1; n <= 7; n++) {
            const batches = await readCsv(file, "p.csv", schema, {}, columns, n);
            expect(batches).toHaveLength(n);
            expect(rowsOf(batches, schema)).toEqual(expected);
            // Planned splits read one by one give the very same partitions.
            const splits = await planCsvSplits(file, "p.csv", {}, n);
            const bySplit = await Promise.all(splits.map((s) => readCsvSplit(file, "p.csv", schema, {}, columns, s)));
            expect(bySplit.map((b) => rowsOf([b], schema))).toEqual(batches.map((b) => rowsOf([b], schema)));
            // Planning in tiny chunks carries the quoting state across chunk edges.
            expect(await planCsvSplits(file, "p.csv", {}, n, 1 + (n % 4))).toEqual(splits);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a split reports errors with the file's physical line numbers", async () => {
    const text = `a,b,c\n${Array.from({ length: 50 }, (_, i) => `"x\ny",${i === 40 ? "bad" : i},z`).join("\n")}\n`;
    const file = tempFile("p.csv", text);
    const splits = await planCsvSplits(file, "p.csv", {}, 4);
    expect(splits[0]?.start).toBe(0);
    expect(splits.at(-1)?.end).toBe(text.length);
    const results = await Promise.allSettled(splits.map((s) => readCsvSplit(file, "p.csv", schema, { mode: "FAILFAST" }, columns, s)));
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed).toHaveLength(1);
    expect(((failed[0] as PromiseRejectedResult).reason as { format(): string }).format()).toContain("p.csv:83:4: error TSDF3003: cannot parse 'bad' as int32 for column 'b'");
  });

  it("CSV spreads rows over the partitions", async () => {
    const text = `a,b,c\n${Array.from({ length: 100 }, (_, i) => `r${i},${i},"x\ny"`).join("\n")}\n`;
    const batches = await readCsv(tempFile("p.csv", text), "p.csv", schema, {}, columns, 4);
    expect(batches.map((b) => b.numRows).every((n) => n > 15)).toBe(true);
    expect(batches.reduce((s, b) => s + b.numRows, 0)).toBe(100);
  });

  it("JSON Lines gives the same rows for every partition count from 1 to 7", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(tricky, fc.option(fc.integer({ min: -5, max: 5 }))), { maxLength: 20 }), async (records) => {
        const text = records.map(([a, b]) => JSON.stringify({ a, b })).join("\n");
        const file = tempFile("p.json", text);
        const expected = records.map(([a, b]) => ({ a, b, c: null }));
        for (let n = 1; n <= 7; n++) {
          const batches = await readJsonLines(file, "p.json", schema, {}, columns, n);
          expect(batches).toHaveLength(n);
          expect(rowsOf(batches, schema)).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
  });
});
