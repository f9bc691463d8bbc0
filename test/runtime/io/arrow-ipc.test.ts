import * as fs from "node:fs";
import * as path from "node:path";
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { readArrowIpc, writeArrowIpc } from "../../../runtime/io/arrow-ipc.ts";
import { writeDataset } from "../../../runtime/io/committer.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { readDataset } from "../../../runtime/io/read-dataset.ts";
import { names, rowsOf, schemaOf, tempDir, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({ id: "int32", name: "utf8?", amount: "float64?", day: "date32?", at: "timestamp_us?", big: "int64?", ok: "boolean?" });
const csv = "id,name,amount,day,at,big,ok\n1,a,1.5,2024-01-02,2024-01-02T03:04:05Z,9007199254740993,true\n2,,,,,,\n3,\"c,d\",3,1970-01-01,1970-01-01T00:00:00Z,-1,false\n";

async function batches(n = 2) {
  return readCsv(tempFile("a.csv", csv), "a.csv", schema, { header: true }, names(schema), n);
}

const expected = [
  { id: 1, name: "a", amount: 1.5, day: 19724, at: 1704164645000000n, big: 9007199254740993n, ok: true },
  { id: 2, name: null, amount: null, day: null, at: null, big: null, ok: null },
  { id: 3, name: "c,d", amount: 3, day: 0, at: 0n, big: -1n, ok: false },
];

describe("arrow ipc", () => {
  it("writes the file format and reads it back with the same types and values", async () => {
    const file = path.join(tempDir(), "a.arrow");
    await writeArrowIpc(file, await batches(), schema);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 6).toString("latin1")).toBe("ARROW1");
    const table = arrow.tableFromIPC(bytes);
    expect(String(table.schema.fields.find((f) => f.name === "id")?.type)).toBe("Int32");
    expect(String(table.schema.fields.find((f) => f.name === "day")?.type)).toBe("Date32<DAY>");
    const { schema: inferred, batches: back } = await readArrowIpc(file, "a.arrow", undefined);
    expect(inferred).toEqual(schema);
    expect(rowsOf(back, schema)).toEqual(expected);
  });

  it("reads the stream format, with projection and narrower types converted", async () => {
    const table = arrow.tableFromArrays({ id: Int16Array.from([1, 2]), v: Float32Array.from([0.5, 1.5]), extra: ["x", "y"] });
    const file = tempFile("s.arrows", arrow.tableToIPC(table, "stream"));
    const declared = schemaOf({ id: "int32", v: "float64" });
    const { batches: back } = await readArrowIpc(file, "s.arrows", declared, ["v", "id"]);
    expect(rowsOf(back, declared)).toEqual([
      { v: 0.5, id: 1 },
      { v: 1.5, id: 2 },
    ]);
  });

  it("names the file when it is not Arrow IPC or is truncated", async () => {
    const notArrow = tempFile("a.arrow", "id,name\n1,a\n");
    await expect(readArrowIpc(notArrow, "input/a.arrow", schema)).rejects.toMatchObject({ code: "TSDF3004", location: { file: "input/a.arrow" } });
    const good = path.join(tempDir(), "g.arrow");
    await writeArrowIpc(good, await batches(), schema);
    const bytes = fs.readFileSync(good);
    const truncated = tempFile("t.arrow", bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readArrowIpc(truncated, "input/t.arrow", schema)).rejects.toMatchObject({ code: "TSDF3004", location: { file: "input/t.arrow" } });
  });

  it("names the file and column when a declared type does not match", async () => {
    const file = path.join(tempDir(), "a.arrow");
    await writeArrowIpc(file, await batches(), schema);
    await expect(readArrowIpc(file, "data/a.arrow", schemaOf({ id: "utf8" }))).rejects.toMatchObject({
      code: "TSDF3002",
      message: expect.stringContaining("data/a.arrow: column 'id' is declared utf8"),
    });
  });

  it("round-trips a partitioned output folder through writeDataset and readDataset", async () => {
    const out = path.join(tempDir(), "out");
    await writeDataset(out, "out", "arrow", (await batches(3)).map((b) => [b]), schema, { partitionBy: ["ok"] });
    expect(fs.existsSync(path.join(out, "_SUCCESS"))).toBe(true);
    expect(fs.readdirSync(out).sort()).toEqual(["_SUCCESS", "ok=__HIVE_DEFAULT_PARTITION__", "ok=false", "ok=true"]);
    const back = rowsOf(await readDataset(out, "out", "arrow", schema, {}, undefined, 2), schema);
    expect([...back].sort((a, b) => Number(a.id) - Number(b.id))).toEqual(expected);
    const inferred = rowsOf(await readDataset(out, "out", "arrow", undefined, {}, ["id", "ok"], 1), schema);
    expect(inferred.map((r) => [r.id, r.ok]).sort()).toEqual([[1, true], [2, null], [3, false]]);
  });
});
