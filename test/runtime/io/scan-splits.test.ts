import * as fs from "node:fs";
import * as path from "node:path";
import type * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Expr } from "../../../plan/expr.ts";
import type { FileFormat, ReadOptions } from "../../../plan/logical.ts";
import type { ScanExec } from "../../../plan/physical.ts";
import type { Schema } from "../../../plan/schema.ts";
import { writeArrowIpc } from "../../../runtime/io/arrow-ipc.ts";
import { readCsv, readCsvRange } from "../../../runtime/io/csv-reader.ts";
import { readJsonLinesRange } from "../../../runtime/io/json-lines.ts";
import { writeParquet } from "../../../runtime/io/parquet.ts";
import { readDataset } from "../../../runtime/io/read-dataset.ts";
import type { ReadMetrics } from "../../../runtime/io/row-assembler.ts";
import { planScan, readScanSplit, type ScanSplit } from "../../../runtime/io/scan-splits.ts";
import { findRecordStarts } from "../../../runtime/io/text-splits.ts";
import { names, type Row, rowsOf, schemaOf, tempDir } from "./io-fixtures.ts";

const schema = schemaOf({ a: "utf8?", b: "int32?", c: "utf8?" });
const columns = ["a", "b", "c"];

/** Text with the characters that make CSV splitting hard. */
const tricky = fc.string({ unit: fc.constantFrom("x", "y", ",", '"', "\n", "\r\n", " ", ";", "é", "🙂"), maxLength: 8 });
const record = fc.tuple(tricky, fc.option(fc.integer({ min: -1000, max: 1000 })), tricky);

function quote(s: string): string {
  return s === "" || /[",\n\r]/.test(s) || s.trim() !== s ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvText(records: readonly (readonly [string, number | null, string])[], crlf: boolean, bom: boolean): string {
  const eol = crlf ? "\r\n" : "\n";
  return `${bom ? "\uFEFF" : ""}a,b,c${eol}${records.map(([a, b, c]) => `${quote(a)},${b ?? ""},${quote(c)}`).join(eol)}${eol}`;
}

function scanNode(p: string, format: FileFormat, fileSchema: Schema, partitions: number, options: ReadOptions = {}, cols = names(fileSchema), filters: Expr[] = []): ScanExec {
  const fields = cols.map((c) => fileSchema.fields.find((f) => f.name === c) as Schema["fields"][number]);
  return { kind: "ScanExec", id: 0, format, path: p, options, fileSchema, columns: cols, filters, schema: { fields }, partitions };
}

const zeroMetrics = (): ReadMetrics => ({ malformedRows: 0, droppedRows: 0 });

/** Plans the scan, sends each split through a structured clone (as to a worker) and reads it. */
async function readBySplits(node: ScanExec, dataDir: string, metrics = zeroMetrics()): Promise<{ splits: ScanSplit[]; rows: Row[][] }> {
  const splits = await planScan(node, dataDir);
  const rows: Row[][] = [];
  for (const split of splits) rows.push(rowsOf(await readScanSplit(node, structuredClone(split), dataDir, metrics), node.fileSchema));
  return { splits, rows };
}

/** Writes `files` (relative path → content) under a fresh data folder. */
function dataDir(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe("planScan and readScanSplit", () => {
  it("CSV: the splits, concatenated, give the whole read's rows for 1 to 8 partitions (quotes, multiline, BOM, CRLF, several files)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(record, { maxLength: 12 }), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean(), async (files, crlf, bom) => {
        const dir = dataDir(Object.fromEntries(files.map((records, i) => [`in/part-${i}.csv`, csvText(records, crlf, bom && i === 0)])));
        const expected = files.flat().map(([a, b, c]) => ({ a, b, c }));
        for (let n = 1; n <= 8; n++) {
          const { splits, rows } = await readBySplits(scanNode("in", "csv", schema, n), dir);
          expect(splits.map((s) => s.partition)).toEqual([...Array(n).keys()]);
          expect(rows.flat()).toEqual(expected);
          // readDataset is the same splits read in a row.
          expect((await readDataset(path.join(dir, "in"), "in", "csv", schema, {}, columns, n)).map((b) => rowsOf([b], schema))).toEqual(rows);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("JSON lines: the splits, concatenated, give every line's row for 1 to 8 partitions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(tricky, fc.option(fc.integer({ min: -5, max: 5 }))), { maxLength: 20 }), fc.boolean(), async (records, blankLines) => {
        const text = records.map(([a, b]) => JSON.stringify({ a, b })).join(blankLines ? "\n\n" : "\n");
        const dir = dataDir({ "d.json": text });
        const expected = records.map(([a, b]) => ({ a, b, c: null }));
        for (let n = 1; n <= 8; n++) expect((await readBySplits(scanNode("d.json", "json", schema, n), dir)).rows.flat()).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it("splits partition the rows the way the whole-file reader cuts them", async () => {
    const text = `a,b,c\n${Array.from({ length: 100 }, (_, i) => `r${i},${i},"x\ny"`).join("\n")}\n`;
    const dir = dataDir({ "p.csv": text });
    const whole = await readCsv(path.join(dir, "p.csv"), "p.csv", schema, {}, columns, 4);
    const { rows } = await readBySplits(scanNode("p.csv", "csv", schema, 4), dir);
    expect(rows).toEqual(whole.map((b) => rowsOf([b], schema)));
    expect(rows.every((r) => r.length > 15)).toBe(true);
  });

  it("a split names the file's physical line and column in a FAILFAST error", async () => {
    const text = `a,b,c\n${Array.from({ length: 50 }, (_, i) => `"x\ny",${i === 40 ? "bad" : i},z`).join("\n")}\n`;
    const dir = dataDir({ "in/p.csv": text });
    const node = scanNode("in/p.csv", "csv", schema, 4, { mode: "FAILFAST" });
    const splits = await planScan(node, dir);
    const results = await Promise.allSettled(splits.map(async (s) => [...(await readScanSplit(node, s, dir, zeroMetrics()))]));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected"]);
    const error = (results[3] as PromiseRejectedResult).reason as { format(): string };
    expect(error.format()).toContain("in/p.csv:83:4: error TSDF3003: cannot parse 'bad' as int32 for column 'b'");
  });

  it("a JSON lines split names the file's physical line in a FAILFAST error", async () => {
    const text = `${Array.from({ length: 50 }, (_, i) => JSON.stringify({ a: "x", b: i === 40 ? "bad" : i, c: "z" })).join("\n")}\n`;
    const dir = dataDir({ "in/p.json": text });
    const node = scanNode("in/p.json", "json", schema, 4, { mode: "FAILFAST" });
    const splits = await planScan(node, dir);
    const results = await Promise.allSettled(splits.map(async (s) => [...(await readScanSplit(node, s, dir, zeroMetrics()))]));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected"]);
    expect(((results[3] as PromiseRejectedResult).reason as { format(): string }).format()).toMatch(/^in\/p\.json:41:\d+: error TSDF3003/);
  });

  it("malformed and dropped rows add up over the splits to the whole read's counts", async () => {
    const typed = schemaOf({ a: "utf8?", b: "int32", c: "utf8?" });
    const text = `a,b,c\n${Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? `x,oops,y` : i % 11 === 5 ? "only,two" : `x,${i},y`)).join("\n")}\n`;
    const dir = dataDir({ "p.csv": text });
    for (const mode of ["PERMISSIVE", "DROPMALFORMED"] as const) {
      const whole = zeroMetrics();
      const wholeRows = rowsOf(await readCsv(path.join(dir, "p.csv"), "p.csv", typed, { mode }, columns, 1, whole), typed);
      const split = zeroMetrics();
      const { rows } = await readBySplits(scanNode("p.csv", "csv", typed, 5, { mode }), dir, split);
      expect(rows.flat()).toEqual(wholeRows);
      expect([split.malformedRows, split.droppedRows]).toEqual([whole.malformedRows, whole.droppedRows]);
      expect(whole.malformedRows + whole.droppedRows).toBeGreaterThan(0);
      expect(split.bytesDecoded).toBe(text.length);
    }
  });

  it("a partitioned folder reads its col=value columns, for 1 to 6 partitions", async () => {
    const withKey = schemaOf({ a: "utf8?", b: "int32?", c: "utf8?", region: "utf8?" });
    const dir = dataDir({
      "out/region=north/part-0.csv": "a,b,c\nn1,1,x\nn2,2,y\n",
      "out/region=south/part-0.csv": "a,b,c\ns1,3,z\n",
      "out/region=__HIVE_DEFAULT_PARTITION__/part-0.csv": "a,b,c\nq,4,w\n",
    });
    const expected = [
      { region: null, b: 4 },
      { region: "north", b: 1 },
      { region: "north", b: 2 },
      { region: "south", b: 3 },
    ];
    for (let n = 1; n <= 6; n++) {
      const { rows } = await readBySplits(scanNode("out", "csv", withKey, n, {}, ["region", "b"]), dir);
      expect(rows.flat()).toEqual(expected);
    }
  });

  it("Parquet: row groups go to splits in order, for 1 to 8 partitions, with and without a declared schema", async () => {
    const pq = schemaOf({ id: "int32", name: "utf8?" });
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "t"));
    const expected: Row[] = [];
    for (let f = 0; f < 2; f++) {
      const rows = Array.from({ length: 24 + f * 16 }, (_, i) => ({ id: f * 1000 + i, name: i % 4 === 0 ? null : `n${i}` }));
      expected.push(...rows);
      const csv = `id,name\n${rows.map((r) => `${r.id},${r.name ?? ""}`).join("\n")}\n`;
      const src = path.join(tempDir(), "src.csv");
      fs.writeFileSync(src, csv);
      await writeParquet(path.join(dir, "t", `part-${f}.parquet`), await readCsv(src, "src.csv", pq, {}, names(pq), 2), pq, 8);
    }
    for (let n = 1; n <= 8; n++) {
      const metrics = zeroMetrics();
      const { splits, rows } = await readBySplits(scanNode("t", "parquet", pq, n), dir, metrics);
      expect(rows.flat()).toEqual(expected);
      // 3 + 5 row groups of 8 rows: work spreads over every split while there are groups for each.
      expect(splits.filter((s) => s.pieces.some((p) => p.kind === "parquet" && p.rowGroups.length > 0)).length).toBe(Math.min(n, 8));
      expect(metrics.rowGroupsRead).toBe(8);
    }
    // Schemaless: the schema comes from the file.
    const inferred = await readDataset(path.join(dir, "t"), "t", "parquet", undefined, {}, undefined, 3);
    expect(inferred.flatMap((b) => rowsOf([b], schemaOf({ id: "int32?", name: "utf8?" })))).toEqual(expected);
  });

  it("Arrow IPC: the files' rows in order for 1 to 6 partitions", async () => {
    const ipc = schemaOf({ a: "utf8?", b: "int32?", c: "utf8?" });
    const dir = dataDir({ "src.csv": `a,b,c\n${Array.from({ length: 30 }, (_, i) => `x${i},${i},y`).join("\n")}\n` });
    const batches = await readCsv(path.join(dir, "src.csv"), "src.csv", ipc, {}, columns, 3);
    fs.mkdirSync(path.join(dir, "ipc"));
    await writeArrowIpc(path.join(dir, "ipc", "a.arrow"), batches.slice(0, 2), ipc);
    await writeArrowIpc(path.join(dir, "ipc", "b.arrow"), batches.slice(2), ipc);
    const expected = rowsOf(batches, ipc);
    for (let n = 1; n <= 6; n++) expect((await readBySplits(scanNode("ipc", "arrow", ipc, n), dir)).rows.flat()).toEqual(expected);
  });

  it("reports a missing input when planning", async () => {
    await expect(planScan(scanNode("nope.csv", "csv", schema, 2), tempDir())).rejects.toMatchObject({ code: "TSDF3001", message: "input file not found: nope.csv" });
  });
});

describe("streaming a byte range", () => {
  it("CSV and JSON lines ranges parse the same rows whatever the chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 15 }), fc.boolean(), fc.integer({ min: 1, max: 40 }), async (records, bom, chunk) => {
        const csv = csvText(records, true, bom);
        const dir = dataDir({ "p.csv": csv, "p.json": records.map(([a, b, c]) => JSON.stringify({ a, b, c })).join("\r\n") });
        const expected = records.map(([a, b, c]) => ({ a, b, c }));
        const size = (f: string) => fs.statSync(path.join(dir, f)).size;
        const fromCsv = readCsvRange(path.join(dir, "p.csv"), "p.csv", schema, {}, columns, { start: 0, end: size("p.csv") }, undefined, chunk);
        expect(rowsOf(fromCsv, schema)).toEqual(expected);
        const fromJson = readJsonLinesRange(path.join(dir, "p.json"), "p.json", schema, {}, columns, { start: 0, end: size("p.json") }, undefined, chunk);
        expect(rowsOf(fromJson, schema)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("yields one batch per chunk, so a task's operators see the range batch by batch", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `a${i},${i},c${i}`);
    const dir = dataDir({ "p.csv": `a,b,c\n${lines.join("\n")}\n` });
    const file = path.join(dir, "p.csv");
    const all = [...readCsvRange(file, "p.csv", schema, { header: true }, columns, { start: 0, end: fs.statSync(file).size }, undefined, 256)];
    expect(all.length).toBeGreaterThan(5);
    expect(all.reduce((n, b) => n + b.numRows, 0)).toBe(200);
  });

  it("reads and parses a chunk only when its batch is taken, so a task never holds its split whole", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `a${i},${i},c${i}`);
    const dir = dataDir({ "p.csv": `a,b,c\n${lines.join("\n")}\na200,oops,c200\n` });
    const file = path.join(dir, "p.csv");
    const batches = readCsvRange(file, "p.csv", schema, { header: true, mode: "FAILFAST" }, columns, { start: 0, end: fs.statSync(file).size }, undefined, 256)[
      Symbol.iterator
    ]();
    // The bad value on line 202 is in the last chunk: the first batches come before it is parsed.
    const first = batches.next();
    expect(first.done).toBe(false);
    expect((first.value as arrow.RecordBatch).numRows).toBeGreaterThan(0);
    let error: unknown;
    try {
      for (let r = batches.next(); !r.done; r = batches.next());
    } catch (e) {
      error = e;
    }
    expect((error as { format(): string }).format()).toContain("p.csv:202:6: error TSDF3003: cannot parse 'oops' as int32");
  });

  it("finds the record starts a plain scan of the bytes finds, for any chunk size", async () => {
    /** The first record start at or after each target: quotes open only at a field's start. */
    function expectedStarts(bytes: Uint8Array, targets: readonly number[]): number[] {
      const starts = [0];
      let quoted = false;
      let fieldStart = true;
      const from = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
      for (let p = from; p < bytes.length; p++) {
        const c = bytes[p];
        if (quoted) {
          if (c === 34 && bytes[p + 1] === 34) p++;
          else if (c === 34) quoted = false;
          continue;
        }
        if (c === 34 && fieldStart) quoted = true;
        fieldStart = c === 44 || c === 10;
        if (c === 10) starts.push(p + 1);
      }
      return targets.map((t) => starts.find((s) => s >= t) ?? bytes.length);
    }
    const text = fc.array(fc.constantFrom("a", "b", "c", ",", ",", '"', "\n", "\n", "\r", "é"), { maxLength: 400 }).map((cs) => cs.join(""));
    await fc.assert(
      // Some texts without quotes, where the scan skips from target to target.
      fc.asyncProperty(text, fc.boolean(), fc.boolean(), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), async (body, bom, unquoted, cuts) => {
        const bytes = Buffer.from((bom ? "\ufeff" : "") + (unquoted ? body.replaceAll('"', "q") : body));
        const dir = dataDir({ "p.csv": bytes });
        const targets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const want = expectedStarts(bytes, targets);
        for (const chunk of [1, 3, 8, 64, 1 << 20]) {
          expect(await findRecordStarts(path.join(dir, "p.csv"), "p.csv", targets, { delimiter: 44 }, chunk)).toEqual(want);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("finding record starts in tiny chunks carries the quoting state across chunk edges", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 15 }), fc.boolean(), async (records, bom) => {
        const text = csvText(records, false, bom);
        const dir = dataDir({ "p.csv": text });
        const size = Buffer.byteLength(text);
        const targets = Array.from({ length: 6 }, (_, k) => Math.floor((k * size) / 6));
        const whole = await findRecordStarts(path.join(dir, "p.csv"), "p.csv", targets, { delimiter: 44 });
        for (const chunk of [1, 2, 5]) expect(await findRecordStarts(path.join(dir, "p.csv"), "p.csv", targets, { delimiter: 44 }, chunk)).toEqual(whole);
        expect(whole.every((s, k) => s >= (targets[k] as number))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
