import { describe, expect, it } from "vitest";
import * as b from "../../plan/builder.ts";
import { isTsdfError } from "../../plan/errors.ts";
import { col, lit } from "../../plan/expr.ts";
import type { PipelinePlan } from "../../plan/logical.ts";
import { deserializePlan, PLAN_FORMAT_VERSION, serializePlan } from "../../plan/serialize.ts";

const sales = b.scan("csv", "input/sales.csv", { fields: [
  { name: "id", type: "int32", nullable: false },
  { name: "k", type: "utf8", nullable: true },
  { name: "x", type: "float64", nullable: true },
] }, { header: true }, { file: "p.ts", line: 3, column: 9 });
const other = b.scan("parquet", "input/o", { fields: [{ name: "k", type: "utf8", nullable: true }, { name: "w", type: "int64", nullable: false }] }, {});
const cleaned = b.filter(sales, { kind: "IsNull", operand: col("k"), negated: true });
const joined = b.join(cleaned, other, { kind: "using", columns: ["k"] }, "left");
const agg = b.aggregate(joined, ["k"], [{ name: "total", expr: { kind: "Call", fn: "round", args: [{ kind: "Agg", fn: "sum", arg: col("x") }, lit(2, "int32")] } }]);
const plan: PipelinePlan = {
  name: "etl",
  params: [{ name: "min", type: "int32", optional: true, default: 3 }],
  sinks: [
    { kind: "Write", input: agg, format: "parquet", path: "out/a", options: { mode: "overwrite" } },
    { kind: "Show", input: b.limit(b.sort(agg, [{ expr: col("total"), descending: true, nullsFirst: false }]), 5), rows: 5 },
    { kind: "Output", input: b.union(cleaned, cleaned, false), name: "both" },
  ],
};

describe("serializePlan / deserializePlan", () => {
  it("round-trips a plan through JSON text", () => {
    const json = JSON.parse(JSON.stringify(serializePlan(plan)));
    expect(json.version).toBe(PLAN_FORMAT_VERSION);
    const back = deserializePlan(json);
    expect(back).toEqual(plan);
    expect(serializePlan(back)).toEqual(serializePlan(plan));
  });

  it("stores each shared node once and restores the sharing", () => {
    const json = serializePlan(plan);
    expect(json.nodes.filter((n) => n.kind === "Filter")).toHaveLength(1);
    const back = deserializePlan(JSON.stringify(json));
    const [write, show, output] = back.sinks;
    if (!show) throw new Error("expected a show sink");
    const sort = (show.input as unknown as { input: { input: unknown } }).input.input;
    expect(sort).toBe(write?.input);
    const union = output?.input;
    if (union?.kind !== "Union") throw new Error("expected a union");
    expect(union.inputs[0]).toBe(union.inputs[1]);
  });

  it("fails with a clear error on another format version", () => {
    const json = { ...serializePlan(plan), version: 99 };
    try {
      deserializePlan(json);
      expect.unreachable();
    } catch (e) {
      expect(isTsdfError(e)).toBe(true);
      expect((e as Error).message).toContain("format version 99");
      expect((e as Error).message).toContain(`reads version ${PLAN_FORMAT_VERSION}`);
    }
  });

  it("rejects a malformed plan", () => {
    const json = serializePlan(plan);
    const broken = { ...json, nodes: json.nodes.map((n) => (n.kind === "Filter" ? { ...n, predicate: { kind: "Bogus" } } : n)) };
    expect(() => deserializePlan(broken)).toThrow(/not a valid tsdf plan/);
    const forward = { ...json, nodes: json.nodes.map((n) => (n.kind === "Filter" ? { ...n, input: 99 } : n)) };
    expect(() => deserializePlan(forward)).toThrow(/does not come before it/);
    expect(() => deserializePlan("{nope")).toThrow(/not JSON/);
  });
});
