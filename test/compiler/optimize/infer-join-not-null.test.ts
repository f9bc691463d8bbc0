import { describe, expect, it } from "vitest";
import { inferJoinNotNull } from "../../../compiler/optimize/rules/infer-join-not-null.ts";
import * as b from "../../../plan/builder.ts";
import { col } from "../../../plan/expr.ts";
import { rewriteText, t1, text } from "./tables.ts";

const left = b.project(t1, [{ name: "id", expr: col("id") }, { name: "s", expr: col("s") }]);
const right = b.project(t1, [{ name: "s", expr: col("s") }, { name: "k", expr: col("k") }]);
const onS = { kind: "using", columns: ["s"] } as const;
const sNotNull = { kind: "IsNull", operand: col("s"), negated: true } as const;

describe("infer_join_not_null", () => {
  it("drops null keys on both sides of an inner join, and on the right of a left join", () => {
    expect(rewriteText(inferJoinNotNull, b.join(left, right, onS, "inner"))).toBe(text(b.join(b.filter(left, sNotNull), b.filter(right, sNotNull), onS, "inner")));
    expect(rewriteText(inferJoinNotNull, b.join(left, right, onS, "left"))).toBe(text(b.join(left, b.filter(right, sNotNull), onS, "left")));
  });

  it("leaves a full join, a non-null key, and a side already filtered", () => {
    const full = b.join(left, right, onS, "full");
    expect(rewriteText(inferJoinNotNull, full)).toBe(text(full));
    const onId = b.join(left, b.project(t1, [{ name: "id", expr: col("id") }, { name: "k", expr: col("k") }]), { kind: "using", columns: ["id"] }, "inner");
    expect(rewriteText(inferJoinNotNull, onId)).toBe(text(onId));
    const filtered = b.join(b.filter(left, sNotNull), b.filter(right, sNotNull), onS, "inner");
    expect(rewriteText(inferJoinNotNull, filtered)).toBe(text(filtered));
  });
});
