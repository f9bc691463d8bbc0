import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Row } from "./evaluate.ts";
import { expectedFiles, runSalesEtl, SALES_ETL } from "./expected-files.ts";

/*
 * The sales ETL example under the reference evaluator. Each fact is recomputed here from the
 * raw input lines with plain arithmetic, independently of the pipeline and the evaluator.
 */

const lines = (file: string) =>
  readFileSync(join(SALES_ETL.dataDir, "input", file), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
const sales = lines("sales_data.csv").map(([id, customer, , , qty, price, date]) => ({ id, customer, qty: Number(qty), price: Number(price), date }));
const customers = lines("customer_data.csv").map(([id, , , , , registered]) => ({ id, registered: registered as string }));
const round2 = (x: number) => Math.round((x + Number.EPSILON) * 100) / 100;
const daysBetween = (end: string, start: string) => (Date.parse(end) - Date.parse(start)) / 86_400_000;

const result = runSalesEtl();
const written = (path: string): Row[] => {
  const sink = result.sinks.find((s) => s.kind === "Write" && s.path === path);
  if (!sink) throw new Error(`no write to ${path}`);
  return sink.rows;
};
const shown = (title: string): Row[] => result.sinks.find((s) => s.kind === "Show" && s.title === title)?.rows ?? [];
const only = (rows: Row[] | undefined): Row => {
  expect(rows).toHaveLength(1);
  return (rows as Row[])[0] as Row;
};

describe("sales ETL on the sample data, run on 2024-06-30", () => {
  it("reads 15 sales and 8 customers, none with a missing customer_id", () => {
    expect(sales).toHaveLength(15);
    expect(only(written("output/csv/extract_quality"))).toEqual({
      sales_records: 15n,
      sales_null_customer_ids: 0n,
      customer_records: 8n,
      customer_null_customer_ids: 0n,
      status: "PASS",
    });
  });

  it("total revenue is the sum of quantity × price over all sales, before and after the rollup", () => {
    const total = round2(sales.reduce((a, s) => a + s.qty * s.price, 0));
    expect(total).toBe(5674.35);
    expect(only(result.outputs.revenue_reconciliation)).toEqual({ original_revenue: total, transformed_revenue: total, status: "PASS" });
    expect(only(result.outputs.executive_summary)).toEqual({ total_customers: 8n, total_revenue: total, average_customer_value: round2(total / 8) });
  });

  it("every sale joins its customer and is enriched", () => {
    const enriched = written("output/enriched_sales");
    expect(enriched).toHaveLength(15);
    expect(Object.keys(enriched[0] ?? {})).toEqual([
      "customer_id",
      "transaction_id",
      "product_name",
      "category",
      "quantity",
      "price",
      "transaction_date",
      "revenue",
      "customer_name",
      "email",
      "city",
      "state",
      "registration_date",
      "tenure_days",
      "segment",
    ]);
    const laptop = enriched.find((r) => r.transaction_id === "1001");
    expect(laptop).toMatchObject({ category: "ELECTRONICS", customer_name: "JOHN SMITH", city: "NEW YORK", revenue: 799.99, transaction_date: "2024-01-15" });
  });

  it("C001 has 3 transactions worth 799.99 + 3 × 29.99 + 129.99", () => {
    const c001 = written("output/customer_analytics").find((r) => r.customer_id === "C001");
    const mine = sales.filter((s) => s.customer === "C001");
    const revenue = mine.reduce((a, s) => a + s.qty * s.price, 0);
    expect(mine).toHaveLength(3);
    expect(c001).toEqual({
      customer_id: "C001",
      customer_name: "JOHN SMITH",
      city: "NEW YORK",
      state: "NY",
      segment: "Loyal",
      total_transactions: 3n,
      total_revenue: round2(revenue),
      avg_transaction_value: round2(revenue / 3),
      last_purchase_date: "2024-01-17",
      purchase_frequency: 3n,
    });
    expect(c001?.total_revenue).toBe(1019.95);
  });

  it("segments follow tenure on the pinned date: ≥ 365 days Loyal, ≥ 180 Regular", () => {
    const expected = Object.fromEntries(
      customers.map((c) => {
        const days = daysBetween(SALES_ETL.currentDate, c.registered);
        return [c.id, days >= 365 ? "Loyal" : days >= 180 ? "Regular" : "New"];
      }),
    );
    const actual = Object.fromEntries(written("output/customer_analytics").map((r) => [r.customer_id, r.segment]));
    expect(actual).toEqual(expected);
    expect(actual).toEqual({ C001: "Loyal", C002: "Loyal", C003: "Loyal", C004: "Loyal", C005: "Regular", C006: "Regular", C007: "Regular", C008: "Regular" });
    const c001 = written("output/enriched_sales").find((r) => r.customer_id === "C001");
    expect(c001?.tenure_days).toBe(daysBetween("2024-06-30", "2023-03-15"));
  });

  it("daily trends are ordered by date and add up to all sales", () => {
    const daily = written("output/daily_trends");
    const dates = [...new Set(sales.map((s) => s.date))].sort();
    expect(daily.map((r) => r.transaction_date)).toEqual(dates);
    expect(daily.map((r) => r.daily_transactions)).toEqual(dates.map((d) => BigInt(sales.filter((s) => s.date === d).length)));
    expect(daily.map((r) => r.unique_customers)).toEqual(dates.map((d) => BigInt(new Set(sales.filter((s) => s.date === d).map((s) => s.customer)).size)));
  });

  it("segment performance splits the total revenue", () => {
    const segments = result.outputs.segment_performance ?? [];
    expect(segments).toEqual([
      { segment: "Loyal", customers: 4n, total_revenue: 4286.91 },
      { segment: "Regular", customers: 4n, total_revenue: 1387.44 },
    ]);
  });

  it("the final quality report finds no null or zero revenue", () => {
    expect(only(result.outputs.data_quality)).toEqual({ null_revenue_records: 0n, zero_revenue_records: 0n, status: "EXCELLENT" });
  });

  it("shows the top 5 customers and products by revenue", () => {
    expect(shown("Top 5 customers by revenue").map((r) => r.customer_id)).toEqual(["C004", "C002", "C001", "C007", "C003"]);
    expect(shown("Top 5 products by revenue").map((r) => r.product_name)).toEqual(["Gaming Laptop", "Laptop Dell Inspiron", "Tablet", "Smartphone", "Monitor 4K"]);
  });

  it("the min_quantity parameter filters sales before everything else", () => {
    const bulk = runSalesEtl({ min_quantity: 2 });
    const kept = sales.filter((s) => s.qty >= 2);
    expect(kept).toHaveLength(5);
    const recon = only(bulk.outputs.revenue_reconciliation);
    expect(recon.original_revenue).toBe(round2(kept.reduce((a, s) => a + s.qty * s.price, 0)));
    expect(only(bulk.outputs.executive_summary).total_customers).toBe(BigInt(new Set(kept.map((s) => s.customer)).size));
  });

  it("the expected files are up to date (regenerate: npx tsx test/reference/generate-expected.ts)", () => {
    const files = expectedFiles(result);
    expect([...files.keys()].sort()).toEqual([
      "csv/customer_analytics.csv",
      "csv/data_quality.csv",
      "csv/executive_summary.csv",
      "csv/extract_quality.csv",
      "csv/product_analytics.csv",
      "csv/revenue_reconciliation.csv",
      "csv/segment_performance.csv",
      "customer_analytics.csv",
      "daily_trends.csv",
      "enriched_sales.csv",
      "geographic_analytics.csv",
      "product_analytics.csv",
    ]);
    for (const [name, text] of files) expect(readFileSync(join(SALES_ETL.expectedDir, name), "utf8"), name).toBe(text);
  });
});
