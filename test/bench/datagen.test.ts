import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prettySci, writeGroupby, writeJoin } from "../../bench/db-benchmark/datagen.ts";

const csv = (file: string) => {
  const [header, ...lines] = readFileSync(file, "utf8").trimEnd().split("\n");
  const names = (header as string).split(",");
  return { names, rows: lines.map((l) => l.split(",")) };
};
const distinct = (rows: string[][], c: number) => new Set(rows.map((r) => r[c])).size;

describe("db-benchmark data", () => {
  it("names sizes as db-benchmark does", () => {
    expect([1e6, 1e7, 5e6, 1234].map(prettySci)).toEqual(["1e6", "1e7", "5e6", "1234"]);
  });

  it("groupby: K-level and rows/K-level id columns, v1 v2 in 1..5, v3 in [0, 100) to 4 decimals", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdf-g1-"));
    await writeGroupby(join(dir, "x.csv"), 20_000, 108);
    const { names, rows } = csv(join(dir, "x.csv"));
    expect(names).toEqual(["id1", "id2", "id3", "id4", "id5", "id6", "v1", "v2", "v3"]);
    expect(rows.length).toBe(20_000);
    expect([0, 1, 3, 4].map((c) => distinct(rows, c))).toEqual([100, 100, 100, 100]);
    expect(distinct(rows, 2)).toBeGreaterThan(190);
    expect(distinct(rows, 2)).toBeLessThanOrEqual(200);
    expect(rows[0]?.[0]).toMatch(/^id\d{3}$/);
    expect(rows[0]?.[2]).toMatch(/^id\d{10}$/);
    expect(new Set(rows.map((r) => r[6]))).toEqual(new Set(["1", "2", "3", "4", "5"]));
    const v3 = rows.map((r) => r[8] as string);
    expect(v3.every((v) => Number(v) >= 0 && Number(v) < 100 && (v.split(".")[1]?.length ?? 0) <= 4)).toBe(true);
  });

  it("join: x's keys and each right table's overlap in 90% of keys, every key present, id4–id6 their strings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdf-j1-"));
    await writeJoin(dir, 20_000, 108);
    const x = csv(join(dir, "x.csv"));
    const big = csv(join(dir, "big.csv"));
    const medium = csv(join(dir, "medium.csv"));
    expect(x.names).toEqual(["id1", "id2", "id3", "id4", "id5", "id6", "v1"]);
    expect(medium.names).toEqual(["id1", "id2", "id4", "id5", "v2"]);
    expect([x.rows.length, medium.rows.length, big.rows.length, csv(join(dir, "small.csv")).rows.length]).toEqual([20_000, 20, 20_000, 1]);
    // id3 is unique on both sides; 90% of the keys are shared.
    expect(distinct(x.rows, 2)).toBe(20_000);
    expect(distinct(big.rows, 2)).toBe(20_000);
    const xKeys = new Set(x.rows.map((r) => r[2]));
    expect(big.rows.filter((r) => xKeys.has(r[2])).length).toBe(18_000);
    expect(x.rows.every((r) => r[5] === `id${r[2]}` && r[3] === `id${r[0]}`)).toBe(true);
  });
});
