import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compilePipeline } from "../../../compiler/compile.ts";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import type { OutputRow } from "../../../runtime/job.ts";
import { expectSameRows } from "../../differential/random-data.ts";
import { type BothEngines, runBothEngines } from "../cluster-run.ts";

/*
 * One test per semantic mapping: test/spark/fixtures/semantics.ts computes each as a column (or
 * output) over rows holding the cases where JavaScript and Spark SQL differ; Spark must give
 * what the local engine gives. Doubles compare within 1e-9 relative.
 */

const FIXTURES = resolve(import.meta.dirname, "../fixtures");
let both: BothEngines;

beforeAll(async () => {
  const plan = optimize(await compilePipeline(resolve(FIXTURES, "semantics.ts"))).plan;
  both = await runBothEngines(plan, { dataDir: FIXTURES, currentDate: "2024-06-30" });
}, 600_000);

function column(rows: readonly OutputRow[] | undefined, name: string): OutputRow[] {
  const byId = [...(rows ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  return byId.map((r) => ({ id: r.id, [name]: r[name] }));
}

const MAPPINGS: Record<string, string> = {
  null_equals_null: "=== against null is true for null === null (<=>)",
  null_not_equals: "!== against null (not <=>)",
  divide: "/ is double division; by zero it is ±Infinity or NaN",
  remainder: "% keeps the dividend's sign; by zero it is NaN",
  int_remainder: "int32 % int32 with negative operands",
  int_remainder_literal: "int32 % a negative literal stays int32",
  int_remainder_by_zero: "int32 % int32 by zero is NaN",
  string_plus: "+ on strings prints null as 'null' and numbers as JavaScript does",
  nullish: "?? is coalesce",
  int_overflow: "an int32 product outside the int32 range keeps its exact value",
  round_half_up: "round is HALF_UP on the shortest decimal (1.005 → 1.01)",
  round_negative: "round(-0.25, 1) is -0.3",
  to_date_unparsable: "toDate of an unparsable or impossible date is null",
  null_date_before: "a null date < a date is false (JavaScript compares the ISO strings as numbers)",
  null_date_at_least_null: "null >= null is true for dates (0 >= 0 in JavaScript), date >= null false",
  current_date_pinned: "currentDate() is the run's --current-date",
  and_operands: "&& returns an operand (null && x is null)",
  or_operands: "|| returns an operand ('' || x is x)",
  not_string: "! uses JavaScript truthiness ('' and null are falsy)",
  ternary_truthiness: "?: tests truthiness (0 and null are falsy)",
  upper_unicode: "upper('Straße') is 'STRASSE'",
};

describe("Spark computes what the lambda means in JavaScript", () => {
  it("returns every row of the mapped output", () => {
    expect(both.spark.mapped?.length).toBe(5);
    expect(both.local.mapped?.length).toBe(5);
  });

  for (const [name, what] of Object.entries(MAPPINGS)) {
    it(`${what} (${name})`, () => {
      expectSameRows(column(both.spark.mapped, name), column(both.local.mapped, name), true);
    });
  }

  it("avg, sum and max of no rows are null, count is 0", () => {
    expect(both.spark.avg_of_no_rows).toEqual(both.local.avg_of_no_rows);
    expect(both.local.avg_of_no_rows).toEqual([{ mean: null, total: null, latest: null, n: 0n }]);
  });

  it("orderBy puts nulls first ascending", () => {
    expect(both.spark.nulls_first_ascending).toEqual(both.local.nulls_first_ascending);
  });

  it("orderBy puts nulls last descending", () => {
    expect(both.spark.nulls_last_descending).toEqual(both.local.nulls_last_descending);
  });

  it("a lambda's < compares strings by UTF-16 unit, as JavaScript does ('🙂' < U+E000)", () => {
    const below = (rows: readonly OutputRow[] | undefined) => [...(rows ?? [])].sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.below);
    expect(below(both.local.strings_below_private_use)).toEqual([true, true, true, true, false, false]);
    expect(below(both.spark.strings_below_private_use)).toEqual(below(both.local.strings_below_private_use));
  });

  it("orderBy, min and max order strings by code point on both engines (Spark's meaning)", () => {
    // By code point: 'a' < 'z' < 'ÿ' < U+E000 < U+FFFD < '🙂' (U+1F642).
    const ids = (rows: readonly OutputRow[] | undefined) => (rows ?? []).map((r) => r.id);
    expect(ids(both.local.strings_ascending)).toEqual([1, 2, 3, 5, 6, 4]);
    expect(ids(both.spark.strings_ascending)).toEqual(ids(both.local.strings_ascending));
    expect(ids(both.spark.strings_descending)).toEqual(ids(both.local.strings_descending));
    expect(both.local.strings_min_max).toEqual([{ lo: "a", hi: "🙂" }]);
    expect(both.spark.strings_min_max).toEqual(both.local.strings_min_max);
  });

  it("null keys never match in a join on column names", () => {
    expectSameRows(both.spark.null_keys_never_match ?? [], both.local.null_keys_never_match ?? [], false);
  });
});
