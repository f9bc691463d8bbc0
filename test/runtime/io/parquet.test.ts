import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { readParquet, writeParquet } from "../../../runtime/io/parquet.ts";
import { names, rowsOf, schemaOf, tempDir, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({ id: "int32", name: "utf8?", amount: "float64?" });

async function parquetFile(): Promise<string> {
  const batches = await readCsv(tempFile("a.csv", "id,name,amount\n1,a,1.5\n2,,\n3,c,3\n"), "a.csv", schema, {}, names(schema), 2);
  const file = path.join(tempDir(), "a.parquet");
  await writeParquet(file, batches, schema);
  return file;
}

describe("parquet", () => {
  it("infers the schema when none is declared", async () => {
    const { schema: inferred, batches } = await readParquet(await parquetFile(), "a.parquet", undefined);
    expect(inferred).toEqual(schema);
    expect(rowsOf(batches, schema)).toEqual([
      { id: 1, name: "a", amount: 1.5 },
      { id: 2, name: null, amount: null },
      { id: 3, name: "c", amount: 3 },
    ]);
  });

  it("reads only the requested columns in the requested order", async () => {
    const { batches } = await readParquet(await parquetFile(), "a.parquet", schema, ["amount", "id"]);
    expect(batches[0]?.schema.fields.map((f) => f.name)).toEqual(["amount", "id"]);
    expect(rowsOf(batches, schema).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("counts rows when no column is requested", async () => {
    const { batches } = await readParquet(await parquetFile(), "a.parquet", schema, []);
    expect(batches.every((b) => b.numCols === 0)).toBe(true);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(3);
  });

  it("checks declared columns that are not requested too", async () => {
    const declared = schemaOf({ id: "int32", name: "int64?" });
    await expect(readParquet(await parquetFile(), "a.parquet", declared, ["id"])).rejects.toMatchObject({ code: "TSDF3002" });
  });

  it("names the file and column when a declared type does not match", async () => {
    const declared = schemaOf({ id: "int64", name: "utf8?" });
    await expect(readParquet(await parquetFile(), "data/a.parquet", declared, ["id"])).rejects.toMatchObject({
      code: "TSDF3002",
      message: expect.stringContaining("data/a.parquet: column 'id' is declared int64"),
    });
  });

  it("names the file and column when a declared column is missing", async () => {
    const declared = schemaOf({ id: "int32", missing: "utf8?" });
    await expect(readParquet(await parquetFile(), "data/a.parquet", declared, ["missing"])).rejects.toMatchObject({
      code: "TSDF3002",
      message: expect.stringContaining("no column 'missing'"),
    });
  });

  it("rejects nulls in a column declared non-nullable", async () => {
    const declared = schemaOf({ name: "utf8" });
    await expect(readParquet(await parquetFile(), "a.parquet", declared, ["name"])).rejects.toMatchObject({ code: "TSDF3003" });
  });

  it("reports a truncated file with TSDF3004 naming it", async () => {
    const good = fs.readFileSync(await parquetFile());
    const file = tempFile("cut.parquet", good.subarray(0, good.length - 20));
    await expect(readParquet(file, "in/cut.parquet", undefined)).rejects.toMatchObject({
      code: "TSDF3004",
      location: { file: "in/cut.parquet" },
    });
  });

  it("reports a file that is not Parquet with TSDF3004", async () => {
    const file = tempFile("x.parquet", "id,name\n1,a\n");
    await expect(readParquet(file, "x.parquet", schema)).rejects.toMatchObject({ code: "TSDF3004" });
  });

  it("writes a readable file with no rows", async () => {
    const file = path.join(tempDir(), "empty.parquet");
    await writeParquet(file, [], schema);
    const { schema: inferred, batches } = await readParquet(file, "empty.parquet", undefined);
    expect(inferred).toEqual(schema);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(0);
  });
});
