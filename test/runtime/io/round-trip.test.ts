import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { FileFormat } from "../../../plan/logical.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { writeCsv } from "../../../runtime/io/csv-writer.ts";
import { readJsonLines, writeJsonLines } from "../../../runtime/io/json-lines.ts";
import { readParquet, writeParquet } from "../../../runtime/io/parquet.ts";
import { names, rowsOf, schemaOf, tempDir, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({
  s: "utf8?",
  i: "int32?",
  l: "int64?",
  f: "float64?",
  b: "boolean?",
  d: "date32?",
  t: "timestamp_us?",
  k: "int32",
});

const csvText = [
  "s,i,l,f,b,d,t,k",
  '"a, ""quoted""\nvalue",-2147483648,9223372036854775807,1.5,true,2024-02-29,2024-01-01T01:02:03.123456Z,1',
  ",,,,,,,2",
  '"",2147483647,-9007199254740993,-0.000001,FALSE,1969-12-31,1969-12-31T23:59:59.999999Z,3',
  "  spaced  ,0,0,NaN,false,0001-01-01,2000-02-29 12:00:00,4",
  "é🙂,1,1,-Infinity,true,9999-12-31,1970-01-01T00:00:00Z,5",
].join("\n");

async function source() {
  const batches = await readCsv(tempFile("in.csv", csvText), "in.csv", schema, { mode: "FAILFAST" }, names(schema), 2);
  return { batches, rows: rowsOf(batches, schema) };
}

async function roundTrip(format: FileFormat) {
  const { batches, rows } = await source();
  const file = path.join(tempDir(), `out.${format}`);
  if (format === "csv") await writeCsv(file, batches, schema, {});
  if (format === "json") await writeJsonLines(file, batches, schema);
  if (format === "parquet") await writeParquet(file, batches, schema);
  const back =
    format === "csv"
      ? await readCsv(file, "out", schema, { mode: "FAILFAST" }, names(schema), 3)
      : format === "json"
        ? await readJsonLines(file, "out", schema, { mode: "FAILFAST" }, names(schema), 3)
        : (await readParquet(file, "out", schema, names(schema))).batches;
  return { rows, back: rowsOf(back, schema), file };
}

describe("write → read round trips", () => {
  it("the source rows hold the values the test means", async () => {
    const { rows } = await source();
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ s: 'a, "quoted"\nvalue', l: 9223372036854775807n, d: 19782, t: 1704070923123456n });
    expect(rows[1]).toEqual({ s: null, i: null, l: null, f: null, b: null, d: null, t: null, k: 2 });
    expect(rows[2]?.s).toBe("");
  });

  for (const format of ["csv", "json", "parquet"] as const) {
    it(`${format} keeps every type, null and edge value`, async () => {
      const { rows, back } = await roundTrip(format);
      expect(back).toEqual(rows);
    });
  }

  it("csv writes a header, ISO dates and timestamps, and quotes only where needed", async () => {
    const { file } = await roundTrip("csv");
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines[0]).toBe("s,i,l,f,b,d,t,k");
    expect(lines[3]).toBe(",,,,,,,2");
    expect(lines[4]).toBe('"",2147483647,-9007199254740993,-0.000001,false,1969-12-31,1969-12-31T23:59:59.999999Z,3');
    expect(lines[5]).toBe("  spaced  ,0,0,NaN,false,0001-01-01,2000-02-29T12:00:00.000000Z,4");
  });

  it("csv honours header: false and a custom delimiter", async () => {
    const { batches } = await source();
    const file = path.join(tempDir(), "out.csv");
    await writeCsv(file, batches, schema, { header: false, delimiter: "\t" });
    const first = fs.readFileSync(file, "utf8").split("\n")[0];
    expect(first).toBe('"a, ""quoted""');
    const back = await readCsv(file, "out", schema, { header: false, delimiter: "\t", mode: "FAILFAST" }, names(schema), 1);
    expect(rowsOf(back, schema)).toEqual((await source()).rows);
  });

  it("json omits nulls and writes int64 as exact numbers", async () => {
    const { file } = await roundTrip("json");
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines[0]).toContain('"l":9223372036854775807');
    expect(lines[0]).toContain('"d":"2024-02-29"');
    expect(lines[1]).toBe('{"k":2}');
    expect(lines[3]).toContain('"f":"NaN"');
  });

  it("parquet keeps Arrow types (int32 stays int32, date32 a date)", async () => {
    const { file } = await roundTrip("parquet");
    const { schema: inferred, batches } = await readParquet(file, "out.parquet", undefined);
    expect(inferred.fields.map((f) => f.type)).toEqual(schema.fields.map((f) => f.type));
    expect(batches[0]?.schema.fields.map((f) => String(f.type))).toEqual([
      "Utf8",
      "Int32",
      "Int64",
      "Float64",
      "Bool",
      "Date32<DAY>",
      "Timestamp<MICROSECOND, UTC>",
      "Int32",
    ]);
  });

  it("writes an empty file with just the header for no rows", async () => {
    const file = path.join(tempDir(), "empty.csv");
    await writeCsv(file, [], schema, {});
    expect(fs.readFileSync(file, "utf8")).toBe("s,i,l,f,b,d,t,k\n");
    expect(await readCsv(file, "e", schema, {}, names(schema), 2).then((b) => b.map((x) => x.numRows))).toEqual([0, 0]);
  });
});
