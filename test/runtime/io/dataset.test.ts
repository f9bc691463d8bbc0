import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Schema } from "../../../plan/schema.ts";
import { writeDataset } from "../../../runtime/io/committer.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { readDataset } from "../../../runtime/io/read-dataset.ts";
import { names, type Row, rowsOf, schemaOf, tempDir, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({ id: "int32", region: "utf8?", day: "date32?", amount: "float64?" });
const csv = [
  "id,region,day,amount",
  "1,north,2024-01-01,1.5",
  "2,south,2024-01-02,2",
  "3,,2024-01-01,",
  '4,"a/b=c",,4',
  "5,north,2024-01-02,5",
  "6,south,2024-01-01,6",
].join("\n");

async function partitions(n: number) {
  return (await readCsv(tempFile("src.csv", csv), "src.csv", schema, {}, names(schema), n)).map((b) => [b]);
}

function byId(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id));
}

function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.replaceAll("\\", "/"))
    .sort();
}

describe("writeDataset and readDataset", () => {
  it("writes one part file per non-empty partition", async () => {
    const out = path.join(tempDir(), "out");
    const parts = await partitions(3);
    const empty = (await readCsv(tempFile("e.csv", "id,region,day,amount\n"), "e.csv", schema, {}, names(schema), 1)).map((b) => [b]);
    await writeDataset(out, "out", "csv", [...parts, ...empty], schema, {});
    expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv", "part-00001.csv", "part-00002.csv"]);
  });

  it("writes one part file with a header when every partition is empty", async () => {
    const out = path.join(tempDir(), "out");
    const empty = await readCsv(tempFile("e.csv", "id,region,day,amount\n"), "e.csv", schema, {}, names(schema), 2);
    await writeDataset(out, "out", "csv", empty.map((b) => [b]), schema, {});
    expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv"]);
    expect(fs.readFileSync(path.join(out, "part-00000.csv"), "utf8")).toBe("id,region,day,amount\n");
  });

  for (const format of ["csv", "json", "parquet"] as const) {
    it(`${format}: a folder reads back the same rows for 1 to 5 partitions`, async () => {
      const out = path.join(tempDir(), "out");
      await writeDataset(out, "out", format, await partitions(3), schema, { mode: "overwrite" });
      const expected = rowsOf((await partitions(1)).flat(), schema);
      for (let n = 1; n <= 5; n++) {
        const batches = await readDataset(out, "out", format, schema, {}, names(schema), n);
        expect(batches).toHaveLength(n);
        expect(rowsOf(batches, schema)).toEqual(expected);
      }
    });

    it(`${format}: partitionBy writes col=value folders that read back as columns`, async () => {
      const out = path.join(tempDir(), "out");
      await writeDataset(out, "out", format, await partitions(2), schema, { partitionBy: ["region", "day"] });
      const files = tree(out);
      expect(files).toContain(`region=north/day=2024-01-01/part-00000.${format}`);
      expect(files).toContain(`region=__HIVE_DEFAULT_PARTITION__/day=2024-01-01/part-00000.${format}`);
      expect(files).toContain(`region=a%2Fb%3Dc/day=__HIVE_DEFAULT_PARTITION__/part-00001.${format}`);
      if (format === "csv") expect(fs.readFileSync(path.join(out, files[1] as string), "utf8").split("\n")[0]).toBe("id,amount");
      const expected = rowsOf((await partitions(1)).flat(), schema);
      for (const n of [1, 3]) {
        const back = await readDataset(out, "out", format, schema, {}, ["amount", "region", "id", "day"], n);
        expect(back).toHaveLength(n);
        expect(byId(rowsOf(back, schema))).toEqual(expected.map((r) => ({ amount: r.amount, region: r.region, id: r.id, day: r.day })));
      }
    });
  }

  it("parquet without a schema infers file columns and partition column types", async () => {
    const out = path.join(tempDir(), "out");
    const withYear: Schema = { fields: [...schema.fields, { name: "year", type: "int32", nullable: false }] };
    const batches = await readCsv(
      tempFile("y.csv", "id,region,day,amount,year\n1,a,,1,2023\n2,b,,2,2024\n"),
      "y.csv",
      withYear,
      {},
      names(withYear),
      1,
    );
    await writeDataset(out, "out", "parquet", [batches], withYear, { partitionBy: ["year"] });
    const back = await readDataset(out, "out", "parquet", undefined, {}, undefined, 2);
    expect(back[0]?.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      "id:Int32",
      "region:Utf8",
      "day:Date32<DAY>",
      "amount:Float64",
      "year:Int32",
    ]);
    expect(rowsOf(back, { fields: [...withYear.fields.slice(0, 4), { name: "year", type: "int32", nullable: true }] }).map((r) => [r.id, r.year])).toEqual([
      [1, 2023],
      [2, 2024],
    ]);
  });

  it("reads a glob in the last path segment and skips _ and . files", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "a.csv"), "id,region,day,amount\n1,x,,\n");
    fs.writeFileSync(path.join(dir, "b.csv"), "id,region,day,amount\n2,y,,\n");
    fs.writeFileSync(path.join(dir, "b.txt"), "not csv");
    fs.writeFileSync(path.join(dir, "_c.csv"), "junk");
    fs.writeFileSync(path.join(dir, ".d.csv"), "junk");
    const glob = await readDataset(path.join(dir, "*.csv"), "in/*.csv", "csv", schema, {}, ["id"], 2);
    expect(rowsOf(glob, schema)).toEqual([{ id: 1 }, { id: 2 }]);
    fs.unlinkSync(path.join(dir, "b.txt"));
    const folder = await readDataset(dir, "in", "csv", schema, {}, ["region"], 1);
    expect(rowsOf(folder, schema)).toEqual([{ region: "x" }, { region: "y" }]);
  });

  it("reads a single file path", async () => {
    const file = tempFile("one.csv", csv);
    const batches = await readDataset(file, "one.csv", "csv", schema, {}, ["id"], 4);
    expect(rowsOf(batches, schema).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("names the file of a bad row inside a folder", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "sub", "p.csv"), "id,region,day,amount\nx,a,,\n");
    await expect(readDataset(dir, "data/in", "csv", schema, { mode: "FAILFAST" }, ["id"], 1)).rejects.toMatchObject({
      code: "TSDF3003",
      message: "cannot parse 'x' as int32 for column 'id'",
      location: { file: "data/in/sub/p.csv", line: 2, column: 1 },
    });
  });

  it("reports a missing path or an empty glob with TSDF3001", async () => {
    const dir = tempDir();
    await expect(readDataset(path.join(dir, "nope"), "in/nope", "csv", schema, {}, ["id"], 1)).rejects.toMatchObject({
      code: "TSDF3001",
      message: "input file not found: in/nope",
    });
    await expect(readDataset(path.join(dir, "*.csv"), "in/*.csv", "csv", schema, {}, ["id"], 1)).rejects.toMatchObject({ code: "TSDF3001" });
  });

  it("rejects partitionBy on an unknown column", async () => {
    const out = path.join(tempDir(), "out");
    await expect(writeDataset(out, "out", "csv", await partitions(1), schema, { partitionBy: ["nope"] })).rejects.toMatchObject({
      code: "TSDF3011",
    });
    expect(fs.existsSync(out)).toBe(false);
  });
});
