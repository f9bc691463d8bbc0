/**
 * Sales analytics ETL: extract two CSV files, check their quality, clean and enrich the
 * sales with customer data, aggregate by customer, product, region and day, reconcile the
 * revenue, and load every result under `output/`.
 *
 * Run it with a pinned date so customer tenure (and so segments) are reproducible:
 *   tsdf build examples/sales-etl/sales_etl.ts --out examples/sales-etl/dist
 *   tsdf run examples/sales-etl/dist/sales_etl.mjs --data-dir examples/sales-etl --current-date 2024-06-30
 */
import {
  abs,
  avg,
  count,
  countDistinct,
  currentDate,
  dateDiff,
  desc,
  max,
  pipeline,
  round,
  schema,
  sum,
  t,
  toDate,
  trim,
  upper,
} from "tsdf";
import { z } from "zod";

/** Point-of-sale transactions. `customer_id` may be missing, which the quality check counts. */
export const Sales = schema({
  transaction_id: t.string(),
  customer_id: t.string().nullable(),
  product_name: t.string(),
  category: t.string(),
  quantity: t.int32(),
  price: t.float64(),
  transaction_date: t.string(),
});

/** The customer register. */
export const Customers = schema({
  customer_id: t.string().nullable(),
  customer_name: t.string(),
  email: t.string(),
  city: t.string(),
  state: t.string(),
  registration_date: t.string(),
});

/** Customers registered this many days before the run date are Loyal; half of it, Regular. */
const LOYAL_DAYS = 365;
const REGULAR_DAYS = 180;
/** Revenue totals before and after the pipeline may differ by rounding, never by more. */
const TOLERANCE = 0.01;

export default pipeline("sales_etl", (p) => {
  const minQuantity = p.param("min_quantity", z.number().default(0));

  // ── Extract ────────────────────────────────────────────────────────────────────────────
  const sales = p.read.csv("input/sales_data.csv", Sales, { header: true });
  const customers = p.read.csv("input/customer_data.csv", Customers, { header: true });

  // One row of record counts and missing keys, before anything is cleaned.
  const extractQuality = sales
    .agg((g) => ({ sales_records: count(), sales_null_customer_ids: count() - count(g.customer_id) }))
    .crossJoin(customers.agg((g) => ({ customer_records: count(), customer_null_customer_ids: count() - count(g.customer_id) })))
    .withColumn("status", (r) => (r.sales_null_customer_ids === 0n && r.customer_null_customer_ids === 0n ? "PASS" : "ISSUES"));

  // ── Transform: clean ───────────────────────────────────────────────────────────────────
  const customersClean = customers.withColumns((c) => ({
    customer_name: trim(upper(c.customer_name)),
    email: trim(c.email),
    city: trim(upper(c.city)),
    state: trim(upper(c.state)),
  }));

  const salesClean = sales
    .filter((s) => s.quantity >= minQuantity)
    .withColumns((s) => ({
      product_name: trim(s.product_name),
      category: trim(upper(s.category)),
      revenue: s.quantity * s.price,
      transaction_date: toDate(s.transaction_date, "yyyy-MM-dd"),
    }));

  // ── Transform: enrich ──────────────────────────────────────────────────────────────────
  const enriched = salesClean
    .join(customersClean, "customer_id", "inner")
    .withColumn("tenure_days", (r) => dateDiff(currentDate(), toDate(r.registration_date, "yyyy-MM-dd")))
    .withColumn("segment", (r) =>
      r.tenure_days === null ? "New" : r.tenure_days >= LOYAL_DAYS ? "Loyal" : r.tenure_days >= REGULAR_DAYS ? "Regular" : "New",
    )
    .cache();

  // ── Transform: aggregate ───────────────────────────────────────────────────────────────
  const customerAnalytics = enriched
    .groupBy("customer_id", "customer_name", "city", "state", "segment")
    .agg((g) => ({
      total_transactions: count(g.transaction_id),
      total_revenue: round(sum(g.revenue), 2),
      avg_transaction_value: round(avg(g.revenue), 2),
      last_purchase_date: max(g.transaction_date),
      purchase_frequency: count(g.transaction_date),
    }))
    .cache();

  const productAnalytics = enriched.groupBy("product_name", "category").agg((g) => ({
    total_quantity_sold: sum(g.quantity),
    total_revenue: round(sum(g.revenue), 2),
    transaction_count: count(g.transaction_id),
    avg_price: round(avg(g.price), 2),
  }));

  const geographicAnalytics = enriched.groupBy("state", "city").agg((g) => ({
    unique_customers: countDistinct(g.customer_id),
    total_revenue: round(sum(g.revenue), 2),
    total_transactions: count(g.transaction_id),
  }));

  const dailyTrends = enriched
    .groupBy("transaction_date")
    .agg((g) => ({
      daily_transactions: count(g.transaction_id),
      daily_revenue: round(sum(g.revenue), 2),
      unique_customers: countDistinct(g.customer_id),
    }))
    .orderBy((r) => r.transaction_date);

  // ── Validate: revenue before the join equals revenue after the customer rollup ─────────
  const reconciliation = salesClean
    .agg((g) => ({ original_revenue: round(sum(g.revenue), 2) }))
    .crossJoin(customerAnalytics.agg((g) => ({ transformed_revenue: round(sum(g.total_revenue), 2) })))
    .withColumn("status", (r) =>
      r.original_revenue !== null && r.transformed_revenue !== null && abs(r.original_revenue - r.transformed_revenue) < TOLERANCE ? "PASS" : "FAIL",
    );

  // ── Load: analytics as Parquet, business-facing tables as CSV ──────────────────────────
  customerAnalytics.write.parquet("output/customer_analytics", { mode: "overwrite" });
  productAnalytics.write.parquet("output/product_analytics", { mode: "overwrite" });
  geographicAnalytics.write.parquet("output/geographic_analytics", { mode: "overwrite" });
  dailyTrends.write.parquet("output/daily_trends", { mode: "overwrite" });
  enriched.write.parquet("output/enriched_sales", { mode: "overwrite" });

  customerAnalytics.orderBy((r) => [desc(r.total_revenue), r.customer_id]).show(5, { title: "Top 5 customers by revenue" });
  productAnalytics.orderBy((r) => [desc(r.total_revenue), r.product_name]).show(5, { title: "Top 5 products by revenue" });

  customerAnalytics.write.csv("output/csv/customer_analytics", { mode: "overwrite", header: true });
  productAnalytics.write.csv("output/csv/product_analytics", { mode: "overwrite", header: true });

  // ── Load: executive summary and final quality report ───────────────────────────────────
  const executiveSummary = customerAnalytics.agg((g) => ({
    total_customers: count(),
    total_revenue: round(sum(g.total_revenue), 2),
    average_customer_value: round(avg(g.total_revenue), 2),
  }));

  const segmentPerformance = customerAnalytics.groupBy("segment").agg((g) => ({
    customers: count(g.customer_id),
    total_revenue: round(sum(g.total_revenue), 2),
  }));

  const finalQuality = customerAnalytics
    .filter((r) => r.total_revenue === null)
    .agg((_rows) => ({ null_revenue_records: count() }))
    .crossJoin(customerAnalytics.filter((r) => r.total_revenue === 0).agg((_rows) => ({ zero_revenue_records: count() })))
    .withColumn("status", (r) => (r.null_revenue_records === 0n && r.zero_revenue_records === 0n ? "EXCELLENT" : "REVIEW NEEDED"));

  extractQuality.write.csv("output/csv/extract_quality", { mode: "overwrite", header: true });
  reconciliation.write.csv("output/csv/revenue_reconciliation", { mode: "overwrite", header: true });
  executiveSummary.write.csv("output/csv/executive_summary", { mode: "overwrite", header: true });
  segmentPerformance.write.csv("output/csv/segment_performance", { mode: "overwrite", header: true });
  finalQuality.write.csv("output/csv/data_quality", { mode: "overwrite", header: true });

  segmentPerformance.orderBy((r) => desc(r.total_revenue)).show(10, { title: "Customer segment performance" });

  p.output("executive_summary", executiveSummary);
  p.output("revenue_reconciliation", reconciliation);
  p.output("segment_performance", segmentPerformance);
  p.output("data_quality", finalQuality);
});
