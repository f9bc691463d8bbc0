import { describe, expect, it } from "vitest";
import { eliminateProjection } from "../../../compiler/optimize/rules/eliminate-projection.ts";
import * as b from "../../../plan/builder.ts";
import { keep, rewriteText, t1, text } from "./tables.ts";

const all = t1.schema.fields.map((f) => f.name);

describe("eliminate_projection", () => {
  it("drops a projection that passes every column through in order", () => {
    expect(rewriteText(eliminateProjection, b.project(t1, keep(all)))).toBe(text(t1));
  });

  it("keeps a projection that reorders or drops columns", () => {
    const reordered = b.project(t1, keep([...all].reverse()));
    expect(rewriteText(eliminateProjection, reordered)).toBe(text(reordered));
    const dropped = b.project(t1, keep(all.slice(1)));
    expect(rewriteText(eliminateProjection, dropped)).toBe(text(dropped));
  });
});
