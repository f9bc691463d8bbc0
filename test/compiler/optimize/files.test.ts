import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col, lit } from "../../../plan/expr.ts";
import type { FileFormat, LogicalPlan, PipelinePlan } from "../../../plan/logical.ts";
import { formatLogicalPipeline } from "../../../plan/printer.ts";
import { deserializePlan, serializePlan } from "../../../plan/serialize.ts";
import type { Schema } from "../../../plan/schema.ts";
import { runPipeline } from "../../../runtime/driver.ts";
import { rowsToBatch } from "../../../runtime/exec/columns.ts";
import { bin, logical } from "./tables.ts";

/*
 * Pruned scans and scan filters end to end: the readers get the narrowed column list from the
 * optimized plan, and the results equal the unoptimized plan's, for CSV and Parquet files.
 */

const DIR = mkdtempSync(join(tmpdir(), "tsdf-optimize-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const schema: Schema = {
  fields: [
    { name: "id", type: "int32", nullable: false },
    { name: "k", type: "utf8", nullable: false },
    { name: "a", type: "int32", nullable: true },
    { name: "note", type: "utf8", nullable: true },
    { name: "x", type: "float64", nullable: false },
  ],
};
const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, k: ["a", "b", "c"][i % 3], a: i % 4 === 0 ? null : i - 20, note: i % 5 === 0 ? null : `n${i}`, x: i * 1.5 }));

const run = async (plan: PipelinePlan, partitions: number, tables?: Record<string, ReturnType<typeof rowsToBatch>>) =>
  (await runPipeline(planPhysical(plan, { partitions }), { dataDir: DIR, currentDate: "2024-01-01", params: {}, ...(tables && { tables }) })).outputs;

const pipeline = (outputs: Record<string, LogicalPlan>): PipelinePlan => ({
  name: "t",
  params: [],
  sinks: Object.entries(outputs).map(([name, input]) => ({ kind: "Output" as const, input, name })),
});

describe.each<FileFormat>(["csv", "parquet"])("optimized plans over %s files", (format) => {
  it("read only the needed columns and give the unoptimized results", async () => {
    const path = `t.${format}`;
    await runPipeline(planPhysical({ name: "w", params: [], sinks: [{ kind: "Write", input: b.scan(format, "mem", schema, {}), format, path, options: { mode: "overwrite", header: true } }] }, { partitions: 2 }), {
      dataDir: DIR,
      currentDate: "2024-01-01",
      params: {},
      tables: { mem: rowsToBatch(rows, schema) },
    });
    const options = format === "csv" ? { header: true } : {};
    const t = b.scan(format, path, schema, options);
    const derived = b.withColumns(t, [{ name: "y", expr: bin("*", col("x"), lit(2, "int32")) }]);
    const filtered = b.filter(derived, logical("&&", bin(">", col("a"), lit(-5, "int32")), bin("!==", col("k"), lit("c", "utf8"))));
    const plan = pipeline({
      picked: b.project(filtered, [{ name: "id", expr: col("id") }, { name: "y", expr: col("y") }]),
      counts: b.aggregate(b.filter(b.scan(format, path, schema, options), bin(">", col("x"), lit(10, "int32"))), ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count", arg: col("a") } }]),
      shared: b.aggregate(t, [], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]),
    });
    const optimized = optimize(plan).plan;
    const text = formatLogicalPipeline(optimized);
    // The shared scan reads what both of its readers need; the other one reads 3 columns and gets the filter.
    expect(text).toContain(`Scan #1: format=${format} path="${path}"${format === "csv" ? ' options={"header":true}' : ""} [id:int32, k:utf8, a:int32;N, x:float64]`);
    expect(text).toMatch(/filters=\[\(x > 10\)\] \[k:utf8, a:int32;N, x:float64\]/);
    // What a bundle runs: the optimized plan after its JSON round trip.
    expect(formatLogicalPipeline(deserializePlan(JSON.parse(JSON.stringify(serializePlan(optimized)))))).toBe(text);
    for (const partitions of [1, 3]) {
      const expected = await run(plan, partitions);
      expect(await run(optimized, partitions)).toEqual(expected);
      expect(expected.picked?.length).toBeGreaterThan(0);
    }
  });
});
