import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  asc,
  avg,
  coalesce,
  count,
  countDistinct,
  currentDate,
  type DataFrame,
  dateDiff,
  desc,
  max,
  min,
  type PipelineBuilder,
  pipeline,
  round,
  type Row,
  schema,
  sum,
  t,
  toDate,
  upper,
} from "tsdf";
import { evaluateReference } from "./evaluate.ts";

const People = schema({ id: t.int32(), name: t.string(), city: t.string().nullable(), age: t.int32().nullable() });
const Cities = schema({ city: t.string().nullable(), state: t.string() });
const people = [
  { id: 1, name: "ann", city: "Oslo", age: 30 },
  { id: 2, name: "bob", city: null, age: 41 },
  { id: 3, name: "cy", city: "Rome", age: null },
  { id: 4, name: "di", city: "Oslo", age: 25 },
];
const cities = [
  { city: "Oslo", state: "NO" },
  { city: "Paris", state: "FR" },
  { city: null, state: "XX" },
];

type Person = { id: number; name: string; city: string | null; age: number | null };
type City = { city: string | null; state: string };

/** Runs a one-output pipeline over the two tables and returns the output's rows. */
function run<R extends Row>(
  body: (people: DataFrame<Person>, cities: DataFrame<City>, p: PipelineBuilder) => DataFrame<R>,
  tables: Record<string, Record<string, unknown>[]> = { "people.csv": people, "cities.csv": cities },
  params?: Record<string, unknown>,
): Record<string, unknown>[] {
  const pl = pipeline("t", (p) => {
    p.output("out", body(p.read.csv("people.csv", People), p.read.csv("cities.csv", Cities), p));
  });
  return evaluateReference(pl, { tables, currentDate: "2024-06-30", ...(params && { params }) }).outputs.out ?? [];
}

describe("row-wise operations", () => {
  it("filter keeps rows whose predicate is truthy and drops null comparisons", () => {
    expect(run((d) => d.filter((r) => r.age !== null && r.age > 26)).map((r) => r.id)).toEqual([1, 2]);
  });

  it("reads only the schema's columns, in schema order, absent values as null", () => {
    const rows = run((d) => d, { "people.csv": [{ age: 5, id: 9, name: "x", extra: true }], "cities.csv": [] });
    expect(rows).toEqual([{ id: 9, name: "x", city: null, age: 5 }]);
    expect(Object.keys(rows[0] ?? {})).toEqual(["id", "name", "city", "age"]);
  });

  it("withColumn replaces a column in place and appends a new one last", () => {
    const rows = run((d) => d.withColumn("name", (r) => upper(r.name)).withColumn("next", (r) => r.id + 1).limit(1));
    expect(rows).toEqual([{ id: 1, name: "ANN", city: "Oslo", age: 30, next: 2 }]);
    expect(Object.keys(rows[0] ?? {})).toEqual(["id", "name", "city", "age", "next"]);
  });

  it("withColumns sees the input row in every expression", () => {
    const rows = run((d) => d.withColumns((r) => ({ id: r.id * 10, twice: r.id * 2 })).limit(1));
    expect(rows).toEqual([{ id: 10, name: "ann", city: "Oslo", age: 30, twice: 2 }]);
  });

  it("select by names keeps the given order", () => {
    expect(run((d) => d.select("name", "id").limit(2))).toEqual([
      { name: "ann", id: 1 },
      { name: "bob", id: 2 },
    ]);
  });

  it("select with a lambda computes new rows with JS meaning (?? and templates)", () => {
    expect(run((d) => d.select((r) => ({ label: `${r.name}@${r.city ?? "?"}`, age: r.age ?? -1 })).limit(3))).toEqual([
      { label: "ann@Oslo", age: 30 },
      { label: "bob@?", age: 41 },
      { label: "cy@Rome", age: -1 },
    ]);
  });

  it("drop and withColumnRenamed keep the other columns in place", () => {
    const rows = run((d) => d.drop("city").withColumnRenamed("name", "who").limit(1));
    expect(rows).toEqual([{ id: 1, who: "ann", age: 30 }]);
    expect(Object.keys(rows[0] ?? {})).toEqual(["id", "who", "age"]);
  });

  it("p.param returns the given value, or the zod default", () => {
    const body = (d: DataFrame<Person>, _c: unknown, p: PipelineBuilder) => {
      const minId = p.param("min_id", z.number().default(3));
      return d.filter((r) => r.id >= minId).select("id");
    };
    expect(run(body)).toEqual([{ id: 3 }, { id: 4 }]);
    expect(run(body, undefined, { min_id: 2 })).toEqual([{ id: 2 }, { id: 3 }, { id: 4 }]);
  });

  it("currentDate() is the pinned run date", () => {
    expect(run((d) => d.select((r) => ({ id: r.id, days: dateDiff(currentDate(), toDate("2024-06-01")) })).limit(1))).toEqual([{ id: 1, days: 29 }]);
  });
});

describe("aggregation", () => {
  it("groups in first-appearance order with null keys in one group", () => {
    const rows = run((d) =>
      d
        .union(d.filter((r) => r.city === null))
        .groupBy("city")
        .agg((g) => ({ n: count(), ages: count(g.age), total: sum(g.age), mean: avg(g.age), lo: min(g.name), hi: max(g.age) })),
    );
    expect(rows).toEqual([
      { city: "Oslo", n: 2n, ages: 2n, total: 55, mean: 27.5, lo: "ann", hi: 30 },
      { city: null, n: 2n, ages: 2n, total: 82, mean: 41, lo: "bob", hi: 41 },
      { city: "Rome", n: 1n, ages: 0n, total: null, mean: null, lo: "cy", hi: null },
    ]);
  });

  it("wraps aggregates in row expressions and reuses a key column", () => {
    const rows = run((d) => d.groupBy("city").agg((g) => ({ avg_age: round(avg(g.age), 1), people: countDistinct(g.name), key: coalesce(g.city, "none") })));
    expect(rows).toEqual([
      { city: "Oslo", avg_age: 27.5, people: 2n, key: "Oslo" },
      { city: null, avg_age: 41, people: 1n, key: "none" },
      { city: "Rome", avg_age: null, people: 1n, key: "Rome" },
    ]);
  });

  it("a global agg of no rows is one row", () => {
    expect(run((d) => d.filter((r) => r.id > 100).agg((g) => ({ n: count(), total: sum(g.age) })))).toEqual([{ n: 0n, total: null }]);
  });

  it("a grouped agg of no rows is empty", () => {
    expect(run((d) => d.filter((r) => r.id > 100).groupBy("city").agg(() => ({ n: count() })))).toEqual([]);
  });

  it("groupBy().count() counts rows per group", () => {
    expect(run((d) => d.groupBy("city").count())).toEqual([
      { city: "Oslo", count: 2n },
      { city: null, count: 1n },
      { city: "Rome", count: 1n },
    ]);
  });
});

describe("joins on column names", () => {
  it("inner: null keys never match; keys first, then left's and right's columns", () => {
    const rows = run((d, c) => d.join(c, "city", "inner"));
    expect(rows).toEqual([
      { city: "Oslo", id: 1, name: "ann", age: 30, state: "NO" },
      { city: "Oslo", id: 4, name: "di", age: 25, state: "NO" },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(["city", "id", "name", "age", "state"]);
  });

  it("left fills the right side with nulls", () => {
    expect(run((d, c) => d.join(c, "city", "left").select("id", "city", "state"))).toEqual([
      { id: 1, city: "Oslo", state: "NO" },
      { id: 2, city: null, state: null },
      { id: 3, city: "Rome", state: null },
      { id: 4, city: "Oslo", state: "NO" },
    ]);
  });

  it("right takes the key from the right side", () => {
    expect(run((d, c) => d.join(c, "city", "right").select("id", "city", "state"))).toEqual([
      { id: 1, city: "Oslo", state: "NO" },
      { id: 4, city: "Oslo", state: "NO" },
      { id: null, city: "Paris", state: "FR" },
      { id: null, city: null, state: "XX" },
    ]);
  });

  it("full coalesces the keys of both sides", () => {
    expect(run((d, c) => d.join(c, "city", "full").select("id", "city", "state"))).toEqual([
      { id: 1, city: "Oslo", state: "NO" },
      { id: 2, city: null, state: null },
      { id: 3, city: "Rome", state: null },
      { id: 4, city: "Oslo", state: "NO" },
      { id: null, city: "Paris", state: "FR" },
      { id: null, city: null, state: "XX" },
    ]);
  });

  it("semi and anti keep left rows with or without a match", () => {
    expect(run((d, c) => d.join(c, "city", "semi").select("id"))).toEqual([{ id: 1 }, { id: 4 }]);
    expect(run((d, c) => d.join(c, "city", "anti").select("id"))).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it("joins on several key columns", () => {
    const rows = run((d) => d.join(d.select("id", "name").withColumn("tag", (r) => `#${r.id}`), ["id", "name"]).select("id", "name", "tag"));
    expect(rows.map((r) => r.tag)).toEqual(["#1", "#2", "#3", "#4"]);
  });
});

describe("joins on conditions", () => {
  it("a condition lambda sees both rows; === matches nulls as JavaScript does", () => {
    const rows = run((d, c) => d.select("id", "city").join(c.withColumnRenamed("city", "c2"), (l, r) => l.city === r.c2, "inner"));
    expect(rows).toEqual([
      { id: 1, city: "Oslo", c2: "Oslo", state: "NO" },
      { id: 2, city: null, c2: null, state: "XX" },
      { id: 4, city: "Oslo", c2: "Oslo", state: "NO" },
    ]);
  });

  it("left and full condition joins fill the other side's columns with nulls", () => {
    const left = run((d, c) => d.select("id").join(c, (l, r) => l.id === 1 && r.state === "FR", "left"));
    expect(left).toEqual([
      { id: 1, city: "Paris", state: "FR" },
      { id: 2, city: null, state: null },
      { id: 3, city: null, state: null },
      { id: 4, city: null, state: null },
    ]);
    const full = run((d, c) => d.select("id").filter((r) => r.id === 1).join(c, (l, r) => r.state === "NO" && l.id > 0, "full"));
    expect(full).toEqual([
      { id: 1, city: "Oslo", state: "NO" },
      { id: null, city: "Paris", state: "FR" },
      { id: null, city: null, state: "XX" },
    ]);
  });

  it("semi/anti with a condition", () => {
    expect(run((d, c) => d.join(c, (l, r) => l.city === r.city && r.state === "NO", "semi").select("id"))).toEqual([{ id: 1 }, { id: 4 }]);
    expect(run((d, c) => d.join(c, (l, r) => l.city === r.city && r.state === "NO", "anti").select("id"))).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it("crossJoin pairs every row with every row", () => {
    const rows = run((d, c) => d.select("id").limit(2).crossJoin(c.select("state")));
    expect(rows.map((r) => `${r.id}${r.state}`)).toEqual(["1NO", "1FR", "1XX", "2NO", "2FR", "2XX"]);
  });

  it("a left join of an empty right side still has the right side's columns", () => {
    const rows = run((d, c) => d.select("id").limit(1).join(c.filter((r) => r.state === "none").withColumns((r) => ({ s2: upper(r.state) })), (l) => l.id > 0, "left"));
    expect(rows).toEqual([{ id: 1, city: null, state: null, s2: null }]);
  });
});

describe("ordering and limits", () => {
  const Nums = schema({ id: t.int32(), x: t.float64().nullable(), s: t.string() });
  const nums = [
    { id: 1, x: 2, s: "b" },
    { id: 2, x: null, s: "a" },
    { id: 3, x: Number.NaN, s: "🙂" },
    { id: 4, x: -1, s: "\uffff" },
    { id: 5, x: 2, s: "a" },
  ];
  const sorted = (f: (df: DataFrame<{ id: number; x: number | null; s: string }>) => DataFrame<Row>) =>
    run((_d, _c, p) => f(p.read.csv("nums.csv", Nums)).select("id"), { "people.csv": [], "cities.csv": [], "nums.csv": nums }).map((r) => r.id);

  it("ascending puts nulls first and NaN above every number; ties keep input order", () => {
    expect(sorted((df) => df.orderBy((r) => r.x))).toEqual([2, 4, 1, 5, 3]);
    expect(sorted((df) => df.orderBy((r) => asc(r.x)))).toEqual([2, 4, 1, 5, 3]);
  });

  it("descending puts NaN first and nulls last", () => {
    expect(sorted((df) => df.orderBy((r) => desc(r.x)))).toEqual([3, 1, 5, 4, 2]);
  });

  it("several keys, strings in code point order", () => {
    expect(sorted((df) => df.orderBy((r) => [r.s, desc(r.id)]))).toEqual([5, 2, 1, 4, 3]);
  });

  it("limit takes the first n rows", () => {
    expect(sorted((df) => df.orderBy((r) => desc(r.id)).limit(2))).toEqual([5, 4]);
    expect(sorted((df) => df.limit(0))).toEqual([]);
  });
});

describe("distinct, union, cache", () => {
  it("distinct keeps the first of equal rows", () => {
    expect(run((d) => d.select("city").distinct())).toEqual([{ city: "Oslo" }, { city: null }, { city: "Rome" }]);
  });

  it("dropDuplicates keeps the first row per key in input order", () => {
    expect(run((d) => d.dropDuplicates("city").select("id"))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it("union matches columns by position, takes the left's names and keeps duplicates", () => {
    const rows = run((d) => d.select("id", "name").limit(1).union(d.select("name", "id").limit(1)));
    expect(rows).toEqual([
      { id: 1, name: "ann" },
      { id: "ann", name: 1 },
    ]);
  });

  it("unionByName matches columns by name", () => {
    const rows = run((d) => d.select("id", "name").limit(1).unionByName(d.select("name", "id").limit(1)));
    expect(rows).toEqual([
      { id: 1, name: "ann" },
      { id: 1, name: "ann" },
    ]);
  });

  it("a cached frame shared by two sinks is evaluated once", () => {
    let calls = 0;
    const pl = pipeline("t", (p) => {
      const df = p.read.csv("people.csv", People).withColumn("n", (r) => {
        calls++;
        return r.id;
      }).cache();
      p.output("a", df);
      p.output("b", df.filter((r) => r.n > 2));
    });
    const res = evaluateReference(pl, { tables: { "people.csv": people }, currentDate: "2024-06-30" });
    expect(calls).toBe(4);
    expect(res.outputs.b?.map((r) => r.n)).toEqual([3, 4]);
  });
});

describe("sinks", () => {
  it("reports writes, shows (first n rows) and outputs in order, with their columns", () => {
    const pl = pipeline("t", (p) => {
      const df = p.read.csv("people.csv", People);
      df.write.csv("out/people", { mode: "overwrite", header: true });
      df.orderBy((r) => desc(r.id)).show(2, { title: "last two" });
      p.output("names", df.select("name"));
    });
    const res = evaluateReference(pl, { tables: { "people.csv": people }, currentDate: "2024-06-30" });
    expect(res.sinks.map((s) => s.kind)).toEqual(["Write", "Show", "Output"]);
    const [write, show, output] = res.sinks;
    expect(write).toMatchObject({ kind: "Write", format: "csv", path: "out/people", ordered: false, columns: ["id", "name", "city", "age"] });
    expect(write?.rows).toHaveLength(4);
    expect(show).toMatchObject({ kind: "Show", title: "last two", ordered: true });
    expect(show?.rows.map((r) => r.id)).toEqual([4, 3]);
    expect(output).toMatchObject({ kind: "Output", name: "names", columns: ["name"] });
    expect(res.outputs.names).toEqual(people.map((r) => ({ name: r.name })));
  });

  it("an unknown input path is an error", () => {
    const pl = pipeline("t", (p) => p.output("x", p.read.csv("missing.csv", People)));
    expect(() => evaluateReference(pl, { tables: {}, currentDate: "2024-06-30" })).toThrow(/missing\.csv/);
  });
});

describe("pipelines built against another copy of the stdlib", () => {
  it("share the pinned date and the aggregation pass (a built bundle carries its own stdlib)", async () => {
    const url = new URL("../../stdlib/functions.ts?another-copy", import.meta.url).href;
    const copy = (await import(/* @vite-ignore */ url)) as typeof import("../../stdlib/functions.ts");
    expect(copy.count).not.toBe(count);
    const pl = pipeline("t", (p) => {
      const df = p.read.csv("people.csv", People).withColumn("today", () => copy.currentDate());
      p.output("out", df.groupBy("today").agg((g) => ({ n: copy.count(), total: copy.sum(g.age) })));
    });
    const res = evaluateReference(pl, { tables: { "people.csv": people }, currentDate: "2024-06-30" });
    expect(res.outputs.out).toEqual([{ today: "2024-06-30", n: 4n, total: 96 }]);
  });
});
