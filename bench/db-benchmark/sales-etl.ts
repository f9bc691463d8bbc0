/**
 * The sales ETL example (examples/sales-etl) at scale: its input generated with a seeded RNG
 * (default 1e6 sales rows, one customer per 20 sales), `tsdf build` timed in fresh processes
 * (cold: nothing cached; the best of BUILDS), then the bundle run end to end from the CSV files in another.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CsvWriter, DATA_ROOT, prettySci } from "./datagen.ts";
import { columnRandom, uniformInt } from "./random.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRY = path.join(ROOT, "examples/sales-etl/sales_etl.ts");

const PRODUCTS: readonly (readonly [string, string, number])[] = [
  ["Laptop Dell Inspiron", "Electronics", 799.99],
  ["Office Chair", "Furniture", 149.5],
  ["Coffee Maker", "Appliances", 89.99],
  ["Wireless Mouse", "Electronics", 29.99],
  ["Standing Desk", "Furniture", 399],
  ["Smartphone", "Electronics", 599],
  ["Blender", "Appliances", 69.99],
  ["Monitor 4K", "Electronics", 449.99],
  ["Ergonomic Chair", "Furniture", 299.5],
  ["Air Fryer", "Appliances", 129.99],
  ["Gaming Laptop", "Electronics", 1299.99],
  ["Bookshelf", "Furniture", 129.99],
  ["Tablet", "Electronics", 349],
  ["Desk Lamp", "Furniture", 29.99],
  ["Microwave", "Appliances", 159.99],
];
const CITIES: readonly (readonly [string, string])[] = [
  ["New York", "NY"],
  ["Los Angeles", "CA"],
  ["Chicago", "IL"],
  ["Houston", "TX"],
  ["Phoenix", "AZ"],
  ["Philadelphia", "PA"],
  ["San Antonio", "TX"],
  ["San Diego", "CA"],
];
const FIRST = ["John", "Jane", "Mike", "Sarah", "David", "Lisa", "Tom", "Emma"];
const LAST = ["Smith", "Doe", "Johnson", "Wilson", "Brown", "Davis", "Miller", "Garcia"];

const DAY_MS = 86_400_000;
const isoDay = (start: string, offset: number) => new Date(Date.parse(start) + offset * DAY_MS).toISOString().slice(0, 10);

/**
 * Sales as the example's input looks, with the dirt its cleaning handles: 1% of customer ids
 * missing, 2% naming no registered customer, categories in mixed case with stray spaces.
 */
async function writeSalesInput(dir: string, sales: number, seed: number): Promise<void> {
  const customers = Math.max(1, Math.floor(sales / 20));
  const id = (n: number) => `C${String(n).padStart(7, "0")}`;
  const r = columnRandom(seed, 0);
  const c = new CsvWriter(path.join(dir, "customer_data.csv"), ["customer_id", "customer_name", "email", "city", "state", "registration_date"]);
  for (let i = 1; i <= customers; i++) {
    const first = FIRST[uniformInt(r, FIRST.length) - 1] as string;
    const last = LAST[uniformInt(r, LAST.length) - 1] as string;
    const [city, state] = CITIES[uniformInt(r, CITIES.length) - 1] as readonly [string, string];
    await c.line(`${id(i)},${first} ${last},${first.toLowerCase()}.${last.toLowerCase()}${i}@email.com,${city},${state},${isoDay("2022-01-01", uniformInt(r, 900) - 1)}`);
  }
  await c.close();
  const s = new CsvWriter(path.join(dir, "sales_data.csv"), ["transaction_id", "customer_id", "product_name", "category", "quantity", "price", "transaction_date"]);
  for (let i = 0; i < sales; i++) {
    const [product, category, base] = PRODUCTS[uniformInt(r, PRODUCTS.length) - 1] as readonly [string, string, number];
    const dirt = r();
    const shownCategory = dirt < 0.05 ? ` ${category.toLowerCase()} ` : dirt < 0.1 ? category.toUpperCase() : category;
    const missing = r() < 0.01;
    const customer = missing ? "" : id(uniformInt(r, Math.ceil(customers * 1.02)));
    const price = (Math.round(base * (0.9 + r() * 0.2) * 100) / 100).toFixed(2);
    await s.line(`${1_000_000 + i},${customer},${product},${shownCategory},${uniformInt(r, 5)},${price},${isoDay("2024-01-01", uniformInt(r, 91) - 1)}`);
  }
  await s.close();
}

/** The example's data folder at this scale (`input/` as the pipeline reads it), generated once. */
export async function salesData(sales: number, seed: number): Promise<string> {
  const dir = path.join(DATA_ROOT, `sales_${prettySci(sales)}_seed${seed}`);
  if (!existsSync(dir)) {
    const staging = `${dir}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.join(staging, "input"), { recursive: true });
    process.stderr.write(`generating ${path.relative(process.cwd(), dir)} …\n`);
    await writeSalesInput(path.join(staging, "input"), sales, seed);
    renameSync(staging, dir);
  }
  return dir;
}

export interface ProcessRun {
  readonly seconds: number;
  readonly maxRssBytes: number | undefined;
  readonly ok: boolean;
  readonly stderr: string;
}

/** Runs node with `args`; wall time from spawn to exit. Peak memory comes from the child's `TSDF_BENCH_RSS` line on stderr. */
export function timeNode(args: readonly string[]): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => {
      const rss = /TSDF_BENCH_RSS (\d+)/.exec(stderr)?.[1];
      resolve({ seconds: (performance.now() - t0) / 1000, maxRssBytes: rss === undefined ? undefined : Number(rss), ok: code === 0, stderr });
    });
  });
}

export interface SalesEtlResult {
  readonly sales: number;
  readonly build: ProcessRun;
  readonly run: ProcessRun;
}

/** Cold builds timed: each a fresh process into an empty folder (tsdf build keeps no cache), the best counting. */
export const BUILDS = 3;

/** Cold `tsdf build` of the example (best of BUILDS), then `node <bundle>` over the scaled input. */
export async function salesEtl(sales: number, seed: number, threads: number): Promise<SalesEtlResult> {
  const dataDir = await salesData(sales, seed);
  const dist = path.join(dataDir, "dist");
  let build: ProcessRun | undefined;
  for (let k = 0; k < BUILDS && (build === undefined || build.ok); k++) {
    rmSync(dist, { recursive: true, force: true });
    const run = await timeNode([path.join(ROOT, "bin/tsdf.mjs"), "build", ENTRY, "--out", dist]);
    if (build === undefined || !run.ok || run.seconds < build.seconds) build = run;
  }
  if (build === undefined) throw new Error("no build ran");
  if (!build.ok) return { sales, build, run: { seconds: Number.NaN, maxRssBytes: undefined, ok: false, stderr: "not built" } };
  const run = await timeNode([
    fileURLToPath(new URL("./run-bundle.mjs", import.meta.url)),
    path.join(dist, "sales_etl.mjs"),
    "--data-dir",
    dataDir,
    "--current-date",
    "2024-06-30",
    "--workers",
    String(threads > 1 ? threads : 0),
    "--quiet",
  ]);
  return { sales, build, run };
}
