import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { type BinaryOp, col, type Expr, lit } from "../../../plan/expr.ts";
import type { ScanExec } from "../../../plan/physical.ts";
import type { Schema } from "../../../plan/schema.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { writeParquet } from "../../../runtime/io/parquet.ts";
import { PhysicalType, type RowGroupInfo, readParquetFooter } from "../../../runtime/io/parquet-footer.ts";
import type { ReadMetrics } from "../../../runtime/io/row-assembler.ts";
import { partitionMayMatch, rowGroupMayMatch } from "../../../runtime/io/scan-pruning.ts";
import { planScan, readScanSplit } from "../../../runtime/io/scan-splits.ts";
import { names, type Row, rowsOf, schemaOf, tempDir } from "./io-fixtures.ts";

const schema = schemaOf({ id: "int32", big: "int64", score: "float64?", name: "utf8?", day: "date32?" });

const cmp = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: "Binary", op, left, right });
const or = (left: Expr, right: Expr): Expr => ({ kind: "Logical", op: "||", left, right });

/** 40 rows in 4 row groups of 10, sorted by id; group 2 has null scores and scores of 100 and more. */
async function dataset(): Promise<string> {
  const rows = Array.from({ length: 40 }, (_, i) => {
    const score = Math.floor(i / 10) === 2 ? (i % 2 === 0 ? "" : String(100 + i)) : String(i / 2);
    return `${i},${i * 1000},${score},n${String(i).padStart(2, "0")},2024-01-${String(1 + Math.floor(i / 2)).padStart(2, "0")}`;
  });
  const dir = tempDir();
  const src = path.join(dir, "src.csv");
  fs.writeFileSync(src, `id,big,score,name,day\n${rows.join("\n")}\n`);
  await writeParquet(path.join(dir, "t.parquet"), await readCsv(src, "src.csv", schema, {}, names(schema), 1), schema, 10);
  return dir;
}

function scan(filters: Expr[], partitions = 2, fileSchema: Schema = schema, columns = names(fileSchema)): ScanExec {
  const fields = columns.map((c) => fileSchema.fields.find((f) => f.name === c) as Schema["fields"][number]);
  return { kind: "ScanExec", id: 0, format: "parquet", path: "t.parquet", options: {}, fileSchema, columns, filters, schema: { fields }, partitions };
}

async function read(dir: string, node: ScanExec): Promise<{ rows: Row[]; metrics: ReadMetrics }> {
  const metrics: ReadMetrics = { malformedRows: 0, droppedRows: 0 };
  const rows: Row[] = [];
  for (const split of await planScan(node, dir)) rows.push(...rowsOf(await readScanSplit(node, split, dir, metrics), node.fileSchema));
  return { rows, metrics };
}

const ids = (rows: Row[]) => rows.map((r) => r.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("Parquet row groups skipped by statistics", () => {
  it("skips the row groups a pushed filter excludes, and decodes fewer bytes", async () => {
    const dir = await dataset();
    const all = await read(dir, scan([]));
    const some = await read(dir, scan([cmp(">=", col("id"), lit(25, "int32"))]));
    expect(ids(some.rows)).toEqual(range(20, 40));
    expect([some.metrics.rowGroupsRead, some.metrics.rowGroupsSkipped]).toEqual([2, 2]);
    expect([all.metrics.rowGroupsRead, all.metrics.rowGroupsSkipped]).toEqual([4, 0]);
    expect(some.metrics.bytesDecoded).toBeLessThan(all.metrics.bytesDecoded as number);
  });

  it("reads the groups an equality, a flipped comparison or a disjunction may match", async () => {
    const dir = await dataset();
    expect(ids((await read(dir, scan([cmp("===", col("id"), lit(15, "int32"))]))).rows)).toEqual(range(10, 20));
    expect(ids((await read(dir, scan([cmp(">", lit(12, "int32"), col("id"))]))).rows)).toEqual(range(0, 20));
    const either = or(cmp("<", col("id"), lit(5, "int32")), cmp(">", col("id"), lit(35, "int32")));
    expect(ids((await read(dir, scan([either]))).rows)).toEqual([...range(0, 10), ...range(30, 40)]);
  });

  it("uses int64, string and date statistics", async () => {
    const dir = await dataset();
    expect(ids((await read(dir, scan([cmp("<=", col("big"), lit("10000", "int64"))]))).rows)).toEqual(range(0, 20));
    expect(ids((await read(dir, scan([cmp(">=", col("name"), lit("n3", "utf8"))]))).rows)).toEqual(range(30, 40));
    expect(ids((await read(dir, scan([cmp("<", col("day"), lit("2024-01-06", "date32"))]))).rows)).toEqual(range(0, 10));
  });

  it("keeps a group whose null rows satisfy the comparison as JavaScript evaluates it (null < 5 is true)", async () => {
    const dir = await dataset();
    // Group 2's scores are null or >= 100: `score < 5` holds for its nulls, `score > 50` for its values.
    expect(ids((await read(dir, scan([cmp("<", col("score"), lit(5, "float64"))]))).rows)).toEqual([...range(0, 10), ...range(20, 30)]);
    expect(ids((await read(dir, scan([cmp(">", col("score"), lit(50, "float64"))]))).rows)).toEqual(range(20, 30));
    expect(ids((await read(dir, scan([{ kind: "IsNull", operand: col("score"), negated: false }]))).rows)).toEqual(range(20, 30));
  });

  it("skips every group and still checks the file's schema", async () => {
    const dir = await dataset();
    const none = await read(dir, scan([cmp("<", col("id"), lit(0, "int32"))], 3));
    expect(none.rows).toEqual([]);
    expect(none.metrics.rowGroupsSkipped).toBe(4);
    const wrong = schemaOf({ id: "int32", name: "int32?" });
    await expect(read(dir, scan([cmp("<", col("id"), lit(0, "int32"))], 1, wrong))).rejects.toMatchObject({ code: "TSDF3002" });
  });

  it("reads the stored min, max and null count of each column chunk", async () => {
    const dir = await dataset();
    const footer = await readParquetFooter(path.join(dir, "t.parquet"), "t.parquet");
    expect(footer.rowGroups.map((g) => g.numRows)).toEqual([10, 10, 10, 10]);
    const score = footer.rowGroups[2]?.columns.find((c) => c.name === "score");
    expect(score?.stats?.nullCount).toBe(5);
    const view = (b: Uint8Array | undefined) => new DataView((b as Uint8Array).buffer, (b as Uint8Array).byteOffset, 8).getFloat64(0, true);
    expect([view(score?.stats?.min), view(score?.stats?.max)]).toEqual([121, 129]);
  });

  it("names a file that is not Parquet", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "t.parquet"), "id,name\n1,a\n");
    await expect(planScan(scan([]), dir)).rejects.toMatchObject({ code: "TSDF3004", location: { file: "t.parquet" } });
  });
});

describe("rowGroupMayMatch keeps what statistics cannot rule out", () => {
  const f64 = (v: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return b;
  };
  const i32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return b;
  };
  const group = (column: RowGroupInfo["columns"][number]): RowGroupInfo => ({ numRows: 10, columns: [column] });
  const x = schemaOf({ x: "float64", n: "int32" });
  const gt = (name: string, v: number, type: "float64" | "int32") => [cmp(">", col(name), lit(v, type))];
  const floats = (min: number, max: number): RowGroupInfo =>
    group({ name: "x", type: PhysicalType.Double, compressedSize: 1, stats: { min: f64(min), max: f64(max), nullCount: 0, legacy: false } });

  it("skips on plain bounds", () => {
    expect(rowGroupMayMatch(gt("x", 10, "float64"), floats(1, 5), x)).toBe(false);
  });

  it("keeps a group with a NaN bound", () => {
    expect(rowGroupMayMatch(gt("x", 10, "float64"), floats(1, Number.NaN), x)).toBe(true);
    expect(rowGroupMayMatch(gt("x", 10, "float64"), floats(Number.NaN, 5), x)).toBe(true);
  });

  it("keeps a group with no statistics, or no min and max", () => {
    expect(rowGroupMayMatch(gt("x", 10, "float64"), group({ name: "x", type: PhysicalType.Double, compressedSize: 1 }), x)).toBe(true);
    expect(rowGroupMayMatch(gt("x", 10, "float64"), group({ name: "x", type: PhysicalType.Double, compressedSize: 1, stats: { nullCount: 0, legacy: true } }), x)).toBe(true);
  });

  it("keeps a group for `!==`, a parameter, or a negation", () => {
    expect(rowGroupMayMatch([cmp("!==", col("x"), lit(3, "float64"))], floats(3, 3), x)).toBe(true);
    expect(rowGroupMayMatch([cmp(">", col("x"), { kind: "Param", name: "p", type: "float64" })], floats(1, 5), x)).toBe(true);
    expect(rowGroupMayMatch([{ kind: "Unary", op: "!", operand: cmp("<", col("x"), lit(10, "float64")) }], floats(1, 5), x)).toBe(true);
  });

  it("keeps a group of unsigned integers, whose stored bits do not order as signed ones", () => {
    const unsigned = group({ name: "n", type: PhysicalType.Int32, convertedType: 13, compressedSize: 1, stats: { min: i32(1), max: i32(-1), nullCount: 0, legacy: false } });
    expect(rowGroupMayMatch(gt("n", 10, "int32"), unsigned, x)).toBe(true);
  });

  it("keeps a string group when the literal holds characters that order differently in UTF-8 and UTF-16", () => {
    const s = schemaOf({ s: "utf8" });
    const strings = (min: string, max: string) =>
      group({ name: "s", type: PhysicalType.ByteArray, convertedType: 0, compressedSize: 1, stats: { min: new TextEncoder().encode(min), max: new TextEncoder().encode(max), nullCount: 0, legacy: false } });
    // In UTF-8 order "\u{10000}" sorts after "\uFFFF"; in JavaScript's it sorts before "\uE000".
    expect(rowGroupMayMatch([cmp("<", col("s"), lit("\uE000", "utf8"))], strings("\uFFFF", "\u{10000}"), s)).toBe(true);
    expect(rowGroupMayMatch([cmp("<", col("s"), lit("a", "utf8"))], strings("b", "c"), s)).toBe(false);
  });
});

describe("partition pruning", () => {
  const keyed = schemaOf({ a: "utf8?", region: "utf8?", year: "int32?" });
  const values = (region: string | null, year: string | null) => new Map([["region", region], ["year", year]]);

  it("reads only the files whose col=value folders may pass the filters", async () => {
    const dir = tempDir();
    const files: Record<string, string> = {
      "out/region=north/year=2023/part-0.csv": "a\nn23\n",
      "out/region=north/year=2024/part-0.csv": "a\nn24\n",
      "out/region=south/year=2024/part-0.csv": "a\ns24\n",
      "out/region=__HIVE_DEFAULT_PARTITION__/year=2024/part-0.csv": "a\nx24\n",
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const node = (filters: Expr[]): ScanExec => ({ kind: "ScanExec", id: 0, format: "csv", path: "out", options: {}, fileSchema: keyed, columns: ["a"], filters, schema: { fields: [keyed.fields[0] as Schema["fields"][number]] }, partitions: 2 });
    const read = async (filters: Expr[]) => {
      const metrics: ReadMetrics = { malformedRows: 0, droppedRows: 0 };
      const rows: Row[] = [];
      for (const split of await planScan(node(filters), dir)) rows.push(...rowsOf(await readScanSplit(node(filters), split, dir, metrics), keyed));
      return { a: rows.map((r) => r.a), bytes: metrics.bytesDecoded };
    };
    expect((await read([])).a).toEqual(["x24", "n23", "n24", "s24"]);
    const north = await read([cmp("===", col("region"), lit("north", "utf8")), cmp(">=", col("year"), lit(2024, "int32"))]);
    expect(north).toEqual({ a: ["n24"], bytes: 6 });
    expect((await read([{ kind: "IsNull", operand: col("region"), negated: false }])).a).toEqual(["x24"]);
  });

  it("keeps a file whose folder value the filter cannot rule out", () => {
    expect(partitionMayMatch([cmp("===", col("region"), lit("north", "utf8"))], values("south", "2024"), keyed)).toBe(false);
    expect(partitionMayMatch([cmp("===", col("region"), lit("north", "utf8"))], values("north", "2024"), keyed)).toBe(true);
    // A null folder value compares as JavaScript compares null: `null < 2000` is true.
    expect(partitionMayMatch([cmp("<", col("year"), lit(2000, "int32"))], values("north", null), keyed)).toBe(true);
    expect(partitionMayMatch([cmp(">", col("year"), lit(2000, "int32"))], values("north", null), keyed)).toBe(false);
    // A value that does not parse as the column's type, or a column not in the folders: the reader decides.
    expect(partitionMayMatch([cmp(">", col("year"), lit(2000, "int32"))], values("north", "soon"), keyed)).toBe(true);
    expect(partitionMayMatch([cmp("===", col("a"), lit("zz", "utf8"))], values("north", "2024"), keyed)).toBe(true);
  });
});
