import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  abs,
  avg,
  coalesce,
  count,
  countDistinct,
  type DataFrame,
  dateDiff,
  type Flat,
  desc,
  max,
  min,
  type PipelineBuilder,
  pipeline,
  round,
  schema,
  sum,
  t,
  toDate,
  trim,
  type TsDate,
  upper,
} from "tsdf";
import { tracePipeline } from "../../stdlib/pipeline.ts";

/*
 * The DSL's types: a misspelt column or a wrong type is a compile error, and every step's row
 * type is exact. `npm run typecheck` checks this file, so each `@ts-expect-error` must really
 * be an error (an unused one fails). The tests also run, building lazy DataFrames only.
 */

const Sales = schema({
  transaction_id: t.string(),
  customer_id: t.string(),
  category: t.string(),
  quantity: t.int32(),
  price: t.float64(),
  day: t.date(),
  big: t.int64(),
  maybe_null: t.string().nullable(),
  nullable_num: t.float64().nullable(),
});
const Customers = schema({ customer_id: t.string(), city: t.string(), since: t.date() });

type SalesRow = {
  transaction_id: string;
  customer_id: string;
  category: string;
  quantity: number;
  price: number;
  day: TsDate;
  big: bigint;
  maybe_null: string | null;
  nullable_num: number | null;
};
type CustomerRow = { customer_id: string; city: string; since: TsDate };

/** Runs `body` inside a traced pipeline with the two sources; returns how many sinks it added. */
function traced(body: (sales: DataFrame<SalesRow>, customers: DataFrame<CustomerRow>, p: PipelineBuilder) => void): number {
  return tracePipeline(
    pipeline("types", (p) => {
      const sales = p.read.csv("sales.csv", Sales);
      const customers = p.read.csv("customers.csv", Customers);
      expectTypeOf(sales).toEqualTypeOf<DataFrame<SalesRow>>();
      expectTypeOf(customers).toEqualTypeOf<DataFrame<CustomerRow>>();
      body(sales, customers, p);
    }),
  ).sinks.length;
}

describe("misspelt column names are compile errors", () => {
  it("in a lambda", () => {
    traced((sales) => {
      // @ts-expect-error custmer_id is not a column
      sales.filter((r) => r.custmer_id === "C001");
      // @ts-expect-error revenu is not a column
      sales.groupBy("category").agg((g) => ({ total: sum(g.revenu) }));
      // @ts-expect-error prise is not a column
      sales.orderBy((r) => desc(r.prise));
    });
  });

  it("in groupBy, select, drop, withColumnRenamed and dropDuplicates", () => {
    traced((sales) => {
      // @ts-expect-error custmer_id is not a column
      sales.groupBy("custmer_id");
      // @ts-expect-error custmer_id is not a column
      sales.select("transaction_id", "custmer_id");
      // @ts-expect-error custmer_id is not a column
      sales.drop("custmer_id");
      // @ts-expect-error custmer_id is not a column
      sales.withColumnRenamed("custmer_id", "id");
      // @ts-expect-error custmer_id is not a column
      sales.dropDuplicates("custmer_id");
    });
  });

  it("in join keys, which must exist on both sides", () => {
    traced((sales, customers) => {
      // @ts-expect-error custmer_id is not a column
      sales.join(customers, "custmer_id");
      // @ts-expect-error category exists only on the left
      sales.join(customers, "category", "inner");
      // @ts-expect-error citty is not a column of the right side
      sales.join(customers, (l, r) => l.customer_id === r.citty);
    });
  });

  it("in partitionBy", () => {
    traced((sales) => {
      // @ts-expect-error categry is not a column
      sales.write.parquet("out", { partitionBy: ["categry"] });
    });
  });
});

describe("wrong types are compile errors", () => {
  it("arithmetic on a string, a string function on a number", () => {
    traced((sales) => {
      // @ts-expect-error a string times a number
      sales.withColumn("x", (r) => r.category * 2);
      // @ts-expect-error upper() takes a string
      sales.withColumn("x", (r) => upper(r.quantity));
      // @ts-expect-error round() takes a number
      sales.withColumn("x", (r) => round(r.category, 2));
    });
  });

  it("filter needs a boolean, columns need column values", () => {
    traced((sales) => {
      // @ts-expect-error a string is not a predicate
      sales.filter((r) => r.category);
      // @ts-expect-error a JS Date is not a column value: use toDate()
      sales.withColumn("when", () => new Date());
      // @ts-expect-error an object is not a column value
      sales.withColumn("pair", (r) => ({ a: r.price }));
    });
  });

  it("dates are not plain strings", () => {
    traced((sales) => {
      sales.withColumn("age", (r) => dateDiff(r.day, toDate("2024-01-01")));
      // @ts-expect-error a string literal is not a date: wrap it in toDate()
      sales.withColumn("age", (r) => dateDiff(r.day, "2024-01-01"));
    });
  });

  it("union needs the same row type", () => {
    traced((sales, customers) => {
      sales.union(sales.filter((r) => r.price > 0));
      // @ts-expect-error different columns
      sales.union(customers);
    });
  });
});

describe("nullable columns must be handled under strict", () => {
  it("a nullable column used without a check is an error", () => {
    traced((sales) => {
      // @ts-expect-error maybe_null may be null
      sales.withColumn("n", (r) => r.maybe_null.length);
      // @ts-expect-error nullable_num may be null
      sales.withColumn("n", (r) => r.nullable_num + 1);
      sales.withColumn("n", (r) => (r.nullable_num ?? 0) + 1);
      sales.withColumn("n", (r) => (r.maybe_null === null ? 0 : r.maybe_null.length));
    });
  });

  it("nullability flows through functions", () => {
    traced((sales) => {
      const df = sales.withColumns((r) => ({ u: upper(r.maybe_null), v: upper(r.category), w: coalesce(r.maybe_null, "none"), d: toDate(r.category) }));
      type Row = (typeof df)["__row"];
      expectTypeOf<Row["u"]>().toEqualTypeOf<string | null>();
      expectTypeOf<Row["v"]>().toEqualTypeOf<string>();
      expectTypeOf<Row["w"]>().toEqualTypeOf<string>();
      expectTypeOf<Row["d"]>().toEqualTypeOf<TsDate | null>();
    });
  });

  it("a left join makes the right side nullable", () => {
    traced((sales, customers) => {
      const df = sales.join(customers, "customer_id", "left");
      expectTypeOf(df).toEqualTypeOf<DataFrame<Flat<SalesRow & { city: string | null; since: TsDate | null }>>>();
      // @ts-expect-error city may be null after a left join
      df.withColumn("n", (r) => r.city.length);
      df.withColumn("n", (r) => (r.city === null ? 0 : r.city.length));
    });
  });
});

describe("aggregate types", () => {
  it("count is a bigint, sum and avg of numbers are nullable numbers", () => {
    traced((sales) => {
      const df = sales.groupBy("category").agg((g) => ({
        n: count(),
        ids: count(g.transaction_id),
        kinds: countDistinct(g.customer_id),
        total: sum(g.price),
        big_total: sum(g.big),
        rounded: round(sum(g.price), 2),
        mean: avg(g.quantity),
        first_day: min(g.day),
        last_day: max(g.day),
        top: max(g.maybe_null),
      }));
      expectTypeOf(df).toEqualTypeOf<
        DataFrame<{
          category: string;
          n: bigint;
          ids: bigint;
          kinds: bigint;
          total: number | null;
          big_total: bigint | null;
          rounded: number | null;
          mean: number | null;
          first_day: TsDate | null;
          last_day: TsDate | null;
          top: string | null;
        }>
      >();
    });
  });

  it("round and abs keep the argument's type and nullability", () => {
    const n = 1.5 as number | null;
    const b = 7n as bigint | null;
    expectTypeOf(round(1.5)).toEqualTypeOf<number>();
    expectTypeOf(round(n, 2)).toEqualTypeOf<number | null>();
    expectTypeOf(round(7n)).toEqualTypeOf<bigint>();
    expectTypeOf(round(b)).toEqualTypeOf<bigint | null>();
    expectTypeOf(abs(-3n)).toEqualTypeOf<bigint>();
    expectTypeOf(abs(b)).toEqualTypeOf<bigint | null>();
    expectTypeOf(abs(n)).toEqualTypeOf<number | null>();
    expect(abs(-3n)).toBe(3n);
  });

  it("groupBy().count() and a global agg", () => {
    traced((sales) => {
      expectTypeOf(sales.groupBy("category", "day").count()).toEqualTypeOf<DataFrame<{ category: string; day: TsDate; count: bigint }>>();
      expectTypeOf(sales.agg((g) => ({ revenue: sum(g.price) }))).toEqualTypeOf<DataFrame<{ revenue: number | null }>>();
    });
  });
});

describe("exact row types of each step", () => {
  it("withColumn adds or replaces a column", () => {
    traced((sales) => {
      const added = sales.withColumn("revenue", (r) => r.quantity * r.price);
      expectTypeOf(added).toEqualTypeOf<DataFrame<Flat<SalesRow & { revenue: number }>>>();
      const replaced = sales.withColumn("quantity", (r) => String(r.quantity));
      expectTypeOf(replaced).toEqualTypeOf<DataFrame<Flat<Omit<SalesRow, "quantity"> & { quantity: string }>>>();
    });
  });

  it("withColumn widens literal results to the column's type; dates stay dates", () => {
    traced((sales) => {
      const df = sales
        .select("price", "day")
        .withColumn("size", (r) => (r.price > 100 ? "big" : "small"))
        .withColumn("one", () => 1)
        .withColumn("next", (r) => r.day);
      expectTypeOf(df).toEqualTypeOf<DataFrame<{ price: number; day: TsDate; size: string; one: number; next: TsDate }>>();
      df.union(sales.select("price", "day").withColumns(() => ({ size: "x", one: 2, next: toDate("2024-01-01") ?? ("2024-01-01" as TsDate) })));
    });
  });

  it("withColumns adds and replaces several", () => {
    traced((sales) => {
      const df = sales.withColumns((r) => ({ category: trim(upper(r.category)), revenue: r.quantity * r.price, parsed: toDate(r.transaction_id) }));
      expectTypeOf(df).toEqualTypeOf<DataFrame<Flat<Omit<SalesRow, "category"> & { category: string; revenue: number; parsed: TsDate | null }>>>();
    });
  });

  it("select by names and by lambda", () => {
    traced((sales) => {
      expectTypeOf(sales.select("customer_id", "price")).toEqualTypeOf<DataFrame<{ customer_id: string; price: number }>>();
      expectTypeOf(sales.select((r) => ({ id: r.transaction_id, gross: r.price * 1.2, flag: r.price > 10 }))).toEqualTypeOf<
        DataFrame<{ id: string; gross: number; flag: boolean }>
      >();
    });
  });

  it("drop and withColumnRenamed", () => {
    traced((sales) => {
      expectTypeOf(sales.drop("big", "maybe_null", "nullable_num", "day")).toEqualTypeOf<
        DataFrame<{ transaction_id: string; customer_id: string; category: string; quantity: number; price: number }>
      >();
      expectTypeOf(sales.select("customer_id", "big").withColumnRenamed("big", "amount")).toEqualTypeOf<DataFrame<{ customer_id: string; amount: bigint }>>();
    });
  });

  it("joins: inner, right, full, semi, anti, condition and cross", () => {
    traced((sales, customers) => {
      const s = sales.select("customer_id", "price");
      expectTypeOf(s.join(customers, "customer_id")).toEqualTypeOf<DataFrame<{ customer_id: string; price: number; city: string; since: TsDate }>>();
      expectTypeOf(s.join(customers, ["customer_id"], "right")).toEqualTypeOf<DataFrame<{ customer_id: string; price: number | null; city: string; since: TsDate }>>();
      expectTypeOf(s.join(customers, "customer_id", "full")).toEqualTypeOf<
        DataFrame<{ customer_id: string; price: number | null; city: string | null; since: TsDate | null }>
      >();
      const nullableKey = customers.withColumn("customer_id", (r) => (r.city === "" ? null : r.customer_id));
      expectTypeOf(s.join(nullableKey, "customer_id", "full")).toEqualTypeOf<
        DataFrame<{ customer_id: string | null; price: number | null; city: string | null; since: TsDate | null }>
      >();
      expectTypeOf(s.join(customers, "customer_id", "semi")).toEqualTypeOf<DataFrame<{ customer_id: string; price: number }>>();
      expectTypeOf(s.join(customers, "customer_id", "anti")).toEqualTypeOf<DataFrame<{ customer_id: string; price: number }>>();
      const c = customers.withColumnRenamed("customer_id", "cid");
      expectTypeOf(s.join(c, (l, r) => l.customer_id === r.cid, "left")).toEqualTypeOf<
        DataFrame<{ customer_id: string; price: number; cid: string | null; city: string | null; since: TsDate | null }>
      >();
      expectTypeOf(s.crossJoin(c.select("city"))).toEqualTypeOf<DataFrame<{ customer_id: string; price: number; city: string }>>();
    });
  });

  it("orderBy, limit, distinct, cache keep the row type", () => {
    traced((sales) => {
      const s = sales.select("category", "price");
      type S = DataFrame<{ category: string; price: number }>;
      expectTypeOf(s.orderBy((r) => [desc(r.price), r.category])).toEqualTypeOf<S>();
      expectTypeOf(s.limit(3).distinct().dropDuplicates("category").cache()).toEqualTypeOf<S>();
    });
  });

  it("p.param has the zod schema's type", () => {
    const sinks = traced((sales, _c, p) => {
      const minQty = p.param("min_qty", z.number().default(1));
      const region = p.param("region", z.string().default("EU"));
      expectTypeOf(minQty).toEqualTypeOf<number>();
      expectTypeOf(region).toEqualTypeOf<string>();
      p.output("big", sales.filter((r) => r.quantity >= minQty));
    });
    expect(sinks).toBe(1);
  });
});
