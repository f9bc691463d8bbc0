import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col, type SortKey } from "../../../plan/expr.ts";
import type { RepartitionExec, ScanExec } from "../../../plan/physical.ts";
import { formatPhysicalPipeline } from "../../../plan/printer.ts";
import type { ColumnBatch } from "../../../runtime/exec/columns.ts";
import { compareRangeKeys, partitionBatch, rangeBounds, sampleRangeKeys } from "../../../runtime/exec/repartition.ts";
import { pipelineOf, schemaOf } from "./fixtures.ts";

const schema = schemaOf({ g: "int32?", x: "float64?", s: "utf8?", id: "int32" });
const ctx = { currentDate: 0, params: {} };

function exchange(keys: SortKey[], count: number): RepartitionExec {
  const input: ScanExec = { kind: "ScanExec", id: 0, format: "csv", path: "t.csv", options: {}, fileSchema: schema, columns: ["g", "x", "s", "id"], filters: [], schema, partitions: 3 };
  return { kind: "RepartitionExec", id: 1, input, partitioning: { kind: "range", keys, count }, schema, partitions: count };
}

const value = {
  g: fc.option(fc.integer({ min: -3, max: 3 }), { freq: 4 }),
  x: fc.option(fc.constantFrom(-1.5, 0, 2, Number.NaN, Number.POSITIVE_INFINITY), { freq: 4 }),
  s: fc.option(fc.constantFrom("", "a", "B", "é", "🙂", "aa"), { freq: 4 }),
};
const sortKey = fc.record({ column: fc.constantFrom("g", "x", "s"), descending: fc.boolean(), nullsFirst: fc.boolean() });

describe("range partitioning", () => {
  it("sorted partitions, in order, are the stable sort of the whole input (any keys, nulls, NaN, ties)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.record(value), { maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(sortKey, { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (inputs, keySpecs, count, perPartition) => {
          const keys: SortKey[] = keySpecs.map((k) => ({ expr: col(k.column), descending: k.descending, nullsFirst: k.nullsFirst }));
          const node = exchange(keys, count);
          let id = 0;
          const batches: ColumnBatch[] = inputs.map((rows) => ({ length: rows.length, columns: [rows.map((r) => r.g), rows.map((r) => r.x), rows.map((r) => r.s), rows.map(() => id++)] }));
          const bounds = rangeBounds(batches.flatMap((batch) => sampleRangeKeys(node, batch, ctx, perPartition)), keys, count);
          expect(bounds.length).toBe(batches.some((x) => x.length > 0) ? count - 1 : 0);
          // Output partition p: input partition 0's rows for p, then partition 1's, ... (as the exchange keeps them).
          const parts: ColumnBatch[][] = Array.from({ length: count }, () => []);
          for (const batch of batches) for (const [p, piece] of partitionBatch(node, batch, ctx, bounds).entries()) parts[p]?.push(piece);
          const keyOf = (batch: ColumnBatch, i: number) => keySpecs.map((k) => batch.columns[["g", "x", "s"].indexOf(k.column)]?.[i] ?? null);
          const rowsOf = (pieces: readonly ColumnBatch[]) => pieces.flatMap((piece) => Array.from({ length: piece.length }, (_, i) => ({ key: keyOf(piece, i), id: piece.columns[3]?.[i] as number })));
          const stableSort = (rows: { key: unknown[]; id: number }[]) => [...rows].sort((a, c) => compareRangeKeys(a.key, c.key, keys) || a.id - c.id);
          const got = parts.flatMap((pieces) => stableSort(rowsOf(pieces)).map((r) => r.id));
          expect(got).toEqual(stableSort(rowsOf(batches)).map((r) => r.id));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("spreads distinct keys evenly over the ranges", () => {
    const keys: SortKey[] = [{ expr: col("g"), descending: false, nullsFirst: true }];
    const node = exchange(keys, 4);
    const rows = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const batch: ColumnBatch = { length: rows.length, columns: [rows, rows.map(() => null), rows.map(() => null), rows] };
    const parts = partitionBatch(node, batch, ctx, rangeBounds(sampleRangeKeys(node, batch, ctx, 100), keys, 4));
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(1000);
    for (const p of parts) expect(Math.abs(p.length - 250)).toBeLessThan(40);
  });

  it("a range exchange without bounds is an internal error", () => {
    expect(() => partitionBatch(exchange([{ expr: col("g"), descending: false, nullsFirst: true }], 2), { length: 0, columns: [[], [], [], []] }, ctx)).toThrow(/no bounds/);
  });

  it("plans a global sort as a range exchange and a sort per partition when asked to", () => {
    const sorted = b.sort(b.scan("csv", "t.csv", schema, {}), [{ expr: col("x"), descending: true, nullsFirst: false }]);
    const text = formatPhysicalPipeline(planPhysical(pipelineOf({ out: sorted }), { partitions: 4, globalSort: "range" }));
    expect(text).toContain("SortExec: keys=[x desc] partitions=4");
    expect(text).toContain("RepartitionExec: partitioning=range([x desc], 4) partitions=4");
    expect(formatPhysicalPipeline(planPhysical(pipelineOf({ out: sorted }), { partitions: 4 }))).toContain("partitioning=single");
  });
});
