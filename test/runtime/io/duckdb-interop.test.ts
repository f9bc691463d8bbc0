/*
 * Interop both ways with DuckDB (in process, no network): DuckDB reads tsdf's Parquet, CSV and
 * JSON lines outputs with the right types and values, and tsdf reads DuckDB's Parquet and CSV.
 */
import * as path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Expr } from "../../../plan/expr.ts";
import type { FileFormat } from "../../../plan/logical.ts";
import type { ScanExec } from "../../../plan/physical.ts";
import type { Field } from "../../../plan/schema.ts";
import { writeDataset } from "../../../runtime/io/committer.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { readDataset } from "../../../runtime/io/read-dataset.ts";
import { planScan, readScanSplit } from "../../../runtime/io/scan-splits.ts";
import { names, rowsOf, schemaOf, tempDir, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({ i32: "int32", i64: "int64?", f64: "float64?", s: "utf8?", b: "boolean?", d: "date32?", ts: "timestamp_us?" });
const csv = [
  "i32,i64,f64,s,b,d,ts",
  '1,9007199254740993,1.5,"say ""hi"", then\nbye",true,2024-01-02,2024-01-02T03:04:05.123456Z',
  "2,,,,,,",
  "-3,-1,-0.25,plain,false,1969-12-31,1970-01-01T00:00:00Z",
  "4,9223372036854775807,1e300,ünïcødé,true,2000-02-29,2038-01-19T03:14:08Z",
].join("\n");

/** The rows as DuckDB returns them (ordered by i32; dates as text, timestamps as epoch microseconds). */
const duckRows = [
  { i32: -3, i64: -1n, f64: -0.25, s: "plain", b: false, d: "1969-12-31", ts: 0n },
  { i32: 1, i64: 9007199254740993n, f64: 1.5, s: 'say "hi", then\nbye', b: true, d: "2024-01-02", ts: 1704164645123456n },
  { i32: 2, i64: null, f64: null, s: null, b: null, d: null, ts: null },
  { i32: 4, i64: 9223372036854775807n, f64: 1e300, s: "ünïcødé", b: true, d: "2000-02-29", ts: 2147483648000000n },
];

let db: DuckDBInstance;
let con: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:", { threads: "2" });
  con = await db.connect();
});
afterAll(() => {
  con.closeSync();
  db.closeSync();
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function tsdfOutput(format: FileFormat): Promise<string> {
  const batches = await readCsv(tempFile("src.csv", csv), "src.csv", schema, { header: true }, names(schema), 3);
  const out = path.join(tempDir(), format);
  await writeDataset(out, format, format, batches.map((b) => [b]), schema, { header: true });
  return out;
}

/** Integers come back as bigint from every DuckDB integer type; normalise i32 to a number. */
function normalise(rows: Record<string, unknown>[]) {
  return rows.map((r) => ({ ...r, i32: Number(r.i32) }));
}

const SELECT = "SELECT i32, i64, f64, s, b, d::VARCHAR AS d, epoch_us(ts) AS ts";

describe("DuckDB reads tsdf's outputs", () => {
  const cases: [FileFormat, (glob: string) => string, Record<string, string>][] = [
    [
      "parquet",
      (g) => `read_parquet('${g}')`,
      { i32: "INTEGER", i64: "BIGINT", f64: "DOUBLE", s: "VARCHAR", b: "BOOLEAN", d: "DATE", ts: "TIMESTAMP WITH TIME ZONE" },
    ],
    [
      "csv",
      (g) => `read_csv('${g}', header = true)`,
      { i32: "BIGINT", i64: "BIGINT", f64: "DOUBLE", s: "VARCHAR", b: "BOOLEAN", d: "DATE", ts: "TIMESTAMP WITH TIME ZONE" },
    ],
    [
      "json",
      (g) => `read_json('${g}', format = 'newline_delimited')`,
      { i32: "BIGINT|HUGEINT", i64: "BIGINT|HUGEINT", f64: "DOUBLE", s: "VARCHAR", b: "BOOLEAN", d: "DATE", ts: "TIMESTAMP" },
    ],
  ];
  for (const [format, source, types] of cases) {
    it(`reads ${format} with the right types and values`, async () => {
      const out = await tsdfOutput(format);
      const from = source(path.join(out, `*.${format}`));
      const described = await query(`DESCRIBE SELECT * FROM ${from}`);
      for (const d of described) {
        expect(String(d.column_type), String(d.column_name)).toMatch(new RegExp(`^(${types[String(d.column_name)]})$`));
      }
      expect(described.map((d) => d.column_name)).toEqual(names(schema));
      expect(normalise(await query(`${SELECT} FROM ${from} ORDER BY i32`))).toEqual(duckRows);
    });
  }

  it("reads a partitionBy output with hive partitioning", async () => {
    const batches = await readCsv(tempFile("src.csv", csv), "src.csv", schema, { header: true }, names(schema), 2);
    const out = path.join(tempDir(), "by_b");
    await writeDataset(out, "by_b", "parquet", batches.map((b) => [b]), schema, { partitionBy: ["b"] });
    const rows = await query(`SELECT i32, b::BOOLEAN AS b FROM read_parquet('${out}/*/*.parquet', hive_partitioning = true) ORDER BY i32`);
    expect(rows.map((r) => [Number(r.i32), r.b])).toEqual([
      [-3, false],
      [1, true],
      [2, null],
      [4, true],
    ]);
  });
});

describe("tsdf reads DuckDB's outputs", () => {
  const table = `(SELECT * FROM (VALUES
    (1::INTEGER, 9007199254740993::BIGINT, 1.5::DOUBLE, 'say "hi", then' || chr(10) || 'bye', true, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.123456'),
    (2::INTEGER, NULL, NULL, NULL, NULL, NULL, NULL),
    (-3::INTEGER, -1::BIGINT, -0.25::DOUBLE, 'a,b', false, DATE '1969-12-31', TIMESTAMP '1970-01-01 00:00:00')
  ) AS t(i32, i64, f64, s, b, d, ts))`;
  const expected = [
    { i32: 1, i64: 9007199254740993n, f64: 1.5, s: 'say "hi", then\nbye', b: true, d: 19724, ts: 1704164645123456n },
    { i32: 2, i64: null, f64: null, s: null, b: null, d: null, ts: null },
    { i32: -3, i64: -1n, f64: -0.25, s: "a,b", b: false, d: -1, ts: 0n },
  ];

  it("reads DuckDB's Parquet with the declared schema", async () => {
    const dir = tempDir();
    await con.run(`COPY ${table} TO '${path.join(dir, "t.parquet")}' (FORMAT parquet)`);
    const batches = await readDataset(path.join(dir, "t.parquet"), "t.parquet", "parquet", schema, {}, undefined, 2);
    expect(rowsOf(batches, schema)).toEqual(expected);
  });

  it("reads DuckDB's CSV with the declared schema", async () => {
    const dir = tempDir();
    await con.run(`COPY ${table} TO '${path.join(dir, "t.csv")}' (FORMAT csv, HEADER true)`);
    for (const n of [1, 3]) {
      const batches = await readDataset(path.join(dir, "t.csv"), "t.csv", "csv", schema, { header: true }, undefined, n);
      expect(rowsOf(batches, schema)).toEqual(expected);
    }
  });

  it("skips row groups of DuckDB's Parquet by its statistics", async () => {
    const dir = tempDir();
    const file = path.join(dir, "r.parquet");
    await con.run(
      `COPY (SELECT i::INTEGER AS id, 'k' || lpad(i::VARCHAR, 4, '0') AS name, CASE WHEN i % 3 = 0 THEN NULL ELSE (i / 2.0)::DOUBLE END AS score FROM range(0, 8192) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    const r = schemaOf({ id: "int32", name: "utf8?", score: "float64?" });
    const node = (filters: ScanExec["filters"]): ScanExec => ({ kind: "ScanExec", id: 0, format: "parquet", path: "r.parquet", options: {}, fileSchema: r, columns: ["id"], filters, schema: { fields: [r.fields[0] as Field] }, partitions: 2 });
    const read = async (filters: ScanExec["filters"]) => {
      const metrics = { malformedRows: 0, droppedRows: 0, rowGroupsRead: 0, rowGroupsSkipped: 0 };
      const ids: unknown[] = [];
      for (const split of await planScan(node(filters), dir)) ids.push(...rowsOf(await readScanSplit(node(filters), split, dir, metrics), r).map((row) => row.id));
      return { first: ids[0], count: ids.length, groups: [metrics.rowGroupsRead, metrics.rowGroupsSkipped] };
    };
    const gt = (column: string, value: Expr) => ({ kind: "Binary", op: ">", left: { kind: "Column", name: column }, right: value }) as const;
    // Four row groups of 2048 rows.
    expect(await read([])).toEqual({ first: 0, count: 8192, groups: [4, 0] });
    expect(await read([gt("id", { kind: "Literal", value: 5000, type: "int32" })])).toEqual({ first: 4096, count: 4096, groups: [2, 2] });
    expect(await read([gt("name", { kind: "Literal", value: "k7", type: "utf8" })])).toEqual({ first: 6144, count: 2048, groups: [1, 3] });
    expect(await read([gt("score", { kind: "Literal", value: 3500, type: "float64" })])).toEqual({ first: 6144, count: 2048, groups: [1, 3] });
  });

  it("reads a folder of DuckDB's partitioned Parquet with its partition column", async () => {
    const dir = path.join(tempDir(), "out");
    await con.run(`COPY ${table} TO '${dir}' (FORMAT parquet, PARTITION_BY (b))`);
    const batches = await readDataset(dir, "out", "parquet", schema, {}, undefined, 1);
    const rows = rowsOf(batches, schema).sort((x, y) => Number(x.i32) - Number(y.i32));
    expect(rows).toEqual([...expected].sort((x, y) => x.i32 - y.i32));
  });
});
