import type { JoinType, WriteOptions } from "../plan/logical.ts";
import type { FrameNode, FrameSink } from "./frame-node.ts";
import { callSite, lambdaOf } from "./lambda.ts";
import { count, type SortSpec } from "./functions.ts";
import type { Assign, Flat, Nullable, PickColumns, Rename, Row, Value, Widen, Without } from "./values.ts";

/** Where sinks go while a pipeline is traced. */
export interface SinkCollector {
  addSink(sink: FrameSink): void;
}

type Keys<R> = keyof R & string;

/** The row type of `left.join(right, on, how)` for join keys `K`. */
export type JoinRow<L, R, K extends string, H extends JoinType> = H extends "semi" | "anti"
  ? L
  : H extends "inner" | "cross"
    ? Flat<L & Omit<R, K>>
    : H extends "left"
      ? Flat<L & Nullable<Omit<R, K>>>
      : H extends "right"
        ? Flat<Nullable<Omit<L, K>> & R>
        : Flat<FullJoinKeys<L, R, K> & Nullable<Omit<L, K>> & Nullable<Omit<R, K>>>;

/** A full join's keys are the coalesce of both sides' keys: null when either side's may be. */
type FullJoinKeys<L, R, K extends string> = { [P in K & keyof L]: L[P] | Extract<R[P & keyof R], null> };

/** Options of `df.write.csv/parquet/json(path, options)`. */
export interface WriterOptions {
  readonly mode?: WriteOptions["mode"];
  readonly partitionBy?: readonly string[];
  readonly header?: boolean;
  readonly delimiter?: string;
}

/** `df.write`: sinks that write a directory of part files, committed atomically. */
export class DataFrameWriter<R> {
  constructor(
    private readonly node: FrameNode,
    private readonly sinks: SinkCollector,
  ) {}
  private add(format: "csv" | "parquet" | "json" | "arrow", path: string, options: WriterOptions & { partitionBy?: readonly Keys<R>[] }): void {
    this.sinks.addSink({ kind: "Write", frame: this.node, format, path, options, ...callSite() });
  }
  /** @example df.write.csv("output/customers", { mode: "overwrite", header: true }) */
  csv(path: string, options: WriterOptions & { partitionBy?: readonly Keys<R>[] } = {}): void {
    this.add("csv", path, options);
  }
  /** @example df.write.parquet("output/customers", { mode: "overwrite", partitionBy: ["state"] }) */
  parquet(path: string, options: Omit<WriterOptions, "header" | "delimiter"> & { partitionBy?: readonly Keys<R>[] } = {}): void {
    this.add("parquet", path, options);
  }
  /** Arrow IPC files (`.arrow`). @example df.write.arrow("output/customers", { mode: "overwrite" }) */
  arrow(path: string, options: Omit<WriterOptions, "header" | "delimiter"> & { partitionBy?: readonly Keys<R>[] } = {}): void {
    this.add("arrow", path, options);
  }
  /** @example df.write.json("output/customers", { mode: "append" }) */
  json(path: string, options: Omit<WriterOptions, "header" | "delimiter"> & { partitionBy?: readonly Keys<R>[] } = {}): void {
    this.add("json", path, options);
  }
}

/**
 * A lazy, typed DataFrame: each method returns a new DataFrame whose row type `R` TypeScript
 * checks. Nothing runs until the built bundle does.
 * @example sales.filter((r) => r.quantity > 0).withColumn("revenue", (r) => r.quantity * r.price)
 */
export class DataFrame<R> {
  // R has no `extends Row` constraint: every method's result row would have to be proven a Row
  // for a generic R, which costs `tsc` over a second per check of this file; rows only ever come
  // from schema() and the methods below, so they are Rows by construction.
  // A generic method's lambda takes `NoInfer<R>`: the row is already known, and without it
  // TypeScript infers from the lambda's parameter by walking every column of R on each call
  // (300 columns × 40 steps: four times the type instantiations).
  declare readonly __row: R;
  /** @internal */
  constructor(
    readonly node: FrameNode,
    /** @internal */ readonly sinks: SinkCollector,
  ) {}

  private next<T>(node: FrameNode): DataFrame<T> {
    return new DataFrame<T>(node, this.sinks);
  }

  /** Keeps the rows for which the predicate is true. @example df.filter((r) => r.price > 100) */
  filter(predicate: (row: R) => boolean | null): DataFrame<R> {
    return this.next({ op: "filter", input: this.node, lambda: lambdaOf(predicate, "filter()") });
  }
  /** Alias of `filter`. @example df.where((r) => r.city !== null) */
  where(predicate: (row: R) => boolean | null): DataFrame<R> {
    return this.next({ op: "filter", input: this.node, lambda: lambdaOf(predicate, "where()") });
  }
  /** Adds or replaces one column. @example df.withColumn("revenue", (r) => r.quantity * r.price) */
  withColumn<N extends string, V extends Value>(name: N, expr: (row: NoInfer<R>) => V): DataFrame<Assign<R, { [P in N]: Widen<V> }>> {
    return this.next({ op: "withColumn", input: this.node, name, lambda: lambdaOf(expr, "withColumn()") });
  }
  /** Adds or replaces several columns. @example df.withColumns((r) => ({ city: upper(r.city), n: 1 })) */
  withColumns<C extends Row>(exprs: (row: NoInfer<R>) => C): DataFrame<Assign<R, C>> {
    return this.next({ op: "withColumns", input: this.node, lambda: lambdaOf(exprs, "withColumns()") });
  }
  /**
   * Keeps the named columns, or computes new ones.
   * @example df.select("id", "city") ; df.select((r) => ({ id: r.id, total: r.a + r.b }))
   */
  select<K extends Keys<R>>(...names: K[]): DataFrame<PickColumns<R, K>>;
  select<C extends Row>(exprs: (row: NoInfer<R>) => C): DataFrame<Flat<C>>;
  select(...args: unknown[]): DataFrame<unknown> {
    if (typeof args[0] === "string") return this.next({ op: "selectNames", input: this.node, names: args as string[] });
    return this.next({ op: "select", input: this.node, lambda: lambdaOf(args[0], "select()") });
  }
  /** Removes columns. @example df.drop("email") */
  drop<K extends Keys<R>>(...names: K[]): DataFrame<Without<R, K>> {
    return this.next({ op: "drop", input: this.node, names });
  }
  /** Renames a column. @example df.withColumnRenamed("customer_id", "id") */
  withColumnRenamed<F extends Keys<R>, T extends string>(from: F, to: T): DataFrame<Rename<R, F, T>> {
    return this.next({ op: "rename", input: this.node, from, to });
  }
  /** Groups rows by key columns; finish with `.agg(...)`. @example df.groupBy("state").agg((g) => ({ n: count() })) */
  groupBy<K extends Keys<R>>(...keys: K[]): GroupedData<R, K> {
    return new GroupedData<R, K>(this.node, keys, this.sinks);
  }
  /** Aggregates all rows into one. @example df.agg((g) => ({ total: sum(g.revenue) })) */
  agg<C extends Row>(aggs: (group: NoInfer<R>) => C): DataFrame<Flat<C>> {
    return this.next({ op: "agg", input: this.node, keys: [], lambda: lambdaOf(aggs, "agg()") });
  }
  /**
   * Joins with another DataFrame on shared column names or a condition.
   * Null keys never match. The side that may have no match becomes nullable in the row type.
   * @example sales.join(customers, "customer_id", "left")
   */
  join<R2 extends Row, K extends Keys<R> & Keys<R2>, H extends Exclude<JoinType, "cross"> = "inner">(
    other: DataFrame<R2>,
    on: K | readonly K[],
    how?: H,
  ): DataFrame<JoinRow<R, R2, K, H>>;
  join<R2 extends Row, H extends Exclude<JoinType, "cross"> = "inner">(
    other: DataFrame<R2>,
    on: (left: NoInfer<R>, right: NoInfer<R2>) => boolean | null,
    how?: H,
  ): DataFrame<JoinRow<R, R2, never, H>>;
  join<R2 extends Row>(other: DataFrame<R2>, on: null, how: "cross"): DataFrame<JoinRow<R, R2, never, "cross">>;
  join(other: DataFrame<Row>, on: unknown, how: JoinType = "inner"): DataFrame<Row> {
    const keys = typeof on === "string" ? [on] : Array.isArray(on) ? (on as string[]) : on === null ? null : lambdaOf(on, "join()");
    return this.next({ op: "join", left: this.node, right: other.node, on: keys, how });
  }
  /** Cartesian product. @example totals.crossJoin(limits) */
  crossJoin<R2 extends Row>(other: DataFrame<R2>): DataFrame<JoinRow<R, R2, never, "cross">> {
    return this.next({ op: "join", left: this.node, right: other.node, on: null, how: "cross" });
  }
  /** Sorts; nulls first ascending, last descending. @example df.orderBy((r) => [desc(r.total), r.id]) */
  orderBy(keys: (row: R) => SortSpec | readonly SortSpec[]): DataFrame<R> {
    return this.next({ op: "orderBy", input: this.node, lambda: lambdaOf(keys, "orderBy()") });
  }
  /** Alias of `orderBy`. */
  sort(keys: (row: R) => SortSpec | readonly SortSpec[]): DataFrame<R> {
    return this.next({ op: "orderBy", input: this.node, lambda: lambdaOf(keys, "sort()") });
  }
  /** The first `n` rows. @example df.orderBy((r) => desc(r.total)).limit(10) */
  limit(n: number): DataFrame<R> {
    return this.next({ op: "limit", input: this.node, n, ...callSite() });
  }
  /** Removes duplicate rows. */
  distinct(): DataFrame<R> {
    return this.next({ op: "distinct", input: this.node, columns: null, ...callSite() });
  }
  /** Keeps the first row of each combination of the named columns (all columns when none). */
  dropDuplicates(...names: Keys<R>[]): DataFrame<R> {
    return this.next({ op: "distinct", input: this.node, columns: names.length > 0 ? names : null, ...callSite() });
  }
  /** Rows of both, matched by position; duplicates kept (UNION ALL). */
  union(other: DataFrame<R>): DataFrame<R> {
    return this.next({ op: "union", left: this.node, right: other.node, byName: false, ...callSite() });
  }
  /** Rows of both, matched by column name. */
  unionByName(other: DataFrame<R>): DataFrame<R> {
    return this.next({ op: "union", left: this.node, right: other.node, byName: true, ...callSite() });
  }
  /** Marks this DataFrame as reused: computed once per run however many sinks read it. */
  cache(): DataFrame<R> {
    return this.next({ op: "cache", input: this.node });
  }
  /** Sinks that write this DataFrame to files. */
  get write(): DataFrameWriter<R> {
    return new DataFrameWriter<R>(this.node, this.sinks);
  }
  /** Prints the first `n` rows (default 20) as a table when the pipeline runs. */
  show(n = 20, options: { title?: string } = {}): void {
    this.sinks.addSink({ kind: "Show", frame: this.node, rows: n, ...(options.title !== undefined && { title: options.title }), ...callSite() });
  }
}

/** The result of `groupBy(...)`. */
export class GroupedData<R, K extends keyof R & string> {
  /** @internal */
  constructor(
    private readonly node: FrameNode,
    private readonly keys: readonly K[],
    private readonly sinks: SinkCollector,
  ) {}
  /**
   * One row per group: the keys and the computed aggregates.
   * @example df.groupBy("state").agg((g) => ({ revenue: round(sum(g.revenue), 2), orders: count() }))
   */
  agg<C extends Row>(aggs: (group: NoInfer<R>) => C): DataFrame<Assign<PickColumns<R, K>, C>> {
    return new DataFrame(
      { op: "agg", input: this.node, keys: this.keys, lambda: lambdaOf(aggs, "agg()") },
      this.sinks,
    );
  }
  /** Rows per group, as `count`. @example df.groupBy("city").count() */
  count(): DataFrame<Assign<PickColumns<R, K>, { count: bigint }>> {
    const fn = () => ({ count: count() });
    return new DataFrame(
      {
        op: "agg",
        input: this.node,
        keys: this.keys,
        lambda: { fn, body: { kind: "record", fields: [{ name: "count", expr: { kind: "Agg", fn: "count" } }] } },
      },
      this.sinks,
    );
  }
}
