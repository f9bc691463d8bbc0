import type { FileFormat, JoinType } from "../../plan/logical.ts";
import type { FrameNode } from "../../stdlib/frame-node.ts";
import { type AggregationPass, type SortOrder, setAggregationPass, setCurrentDate } from "../../stdlib/functions.ts";
import type { Lambda } from "../../stdlib/lambda.ts";
import { type Pipeline, tracePipeline } from "../../stdlib/pipeline.ts";
import { groupKey } from "./group-key.ts";
import { compareSortKeys, type SortKeyValue } from "./sort-order.ts";

/*
 * The plain-JS reference evaluator: the oracle of the differential and example tests. It walks
 * a traced pipeline's DataFrame graph over arrays of row objects and runs the user's lambdas
 * exactly as written, so a lambda means what it means as TypeScript; operators (join, group,
 * sort, distinct) follow Spark. It is deliberately naive (nested loops, whole arrays) and shares
 * no code with the engine beyond the stdlib functions users call.
 */

/** A row: strings, numbers, bigints (int64), booleans, null, dates as ISO `yyyy-MM-dd` strings. */
export type Row = Record<string, unknown>;

export interface ReferenceOptions {
  /** Input rows by the path as written in the pipeline (`p.read.csv("input/sales.csv", …)`). */
  readonly tables: Readonly<Record<string, readonly Row[]>>;
  /** Run parameters (`p.param`); missing ones take their zod default. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** The pinned `currentDate()`, `yyyy-MM-dd`. */
  readonly currentDate: string;
}

interface SinkBase {
  readonly columns: readonly string[];
  readonly rows: Row[];
  /** True when the frame's row order is defined (an `orderBy`, possibly under row-wise steps). */
  readonly ordered: boolean;
}
export type ReferenceSink =
  | (SinkBase & { readonly kind: "Write"; readonly format: FileFormat; readonly path: string })
  | (SinkBase & { readonly kind: "Show"; readonly title?: string })
  | (SinkBase & { readonly kind: "Output"; readonly name: string });

export interface ReferenceResult {
  readonly sinks: ReferenceSink[];
  readonly outputs: Record<string, Row[]>;
}

interface Relation {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

type Fn = (...args: unknown[]) => unknown;
const call = (l: Lambda, ...args: unknown[]): unknown => (l.fn as Fn)(...args);
const value = (v: unknown): unknown => (v === undefined ? null : v);

/** Runs `pipeline` over in-memory tables and returns every sink's rows, in sink order. */
export function evaluateReference(pipeline: Pipeline, opts: ReferenceOptions): ReferenceResult {
  setCurrentDate(opts.currentDate);
  try {
    const traced = tracePipeline(pipeline, opts.params ?? {});
    const memo = new Map<FrameNode, Relation>();
    const evaluate = (n: FrameNode): Relation => {
      let r = memo.get(n);
      if (!r) {
        r = evaluateNode(n, evaluate, opts.tables);
        memo.set(n, r);
      }
      return r;
    };
    const sinks: ReferenceSink[] = [];
    const outputs: Record<string, Row[]> = {};
    for (const s of traced.sinks) {
      const { columns, rows } = evaluate(s.frame);
      const ordered = isOrderedFrame(s.frame);
      switch (s.kind) {
        case "Write":
          sinks.push({ kind: "Write", format: s.format, path: s.path, columns, rows: [...rows], ordered });
          break;
        case "Show":
          sinks.push({ kind: "Show", columns, rows: rows.slice(0, s.rows), ordered, ...(s.title !== undefined && { title: s.title }) });
          break;
        case "Output":
          sinks.push({ kind: "Output", name: s.name, columns, rows: [...rows], ordered });
          outputs[s.name] = [...rows];
          break;
      }
    }
    return { sinks, outputs };
  } finally {
    setAggregationPass(null);
    setCurrentDate(null);
  }
}

/** Whether a frame's row order is defined: an `orderBy`, under steps that keep row order. */
export function isOrderedFrame(n: FrameNode): boolean {
  switch (n.op) {
    case "orderBy":
      return true;
    case "limit":
    case "cache":
    case "filter":
    case "withColumn":
    case "withColumns":
    case "select":
    case "selectNames":
    case "drop":
    case "rename":
      return isOrderedFrame(n.input);
    default:
      return false;
  }
}

function evaluateNode(n: FrameNode, ev: (n: FrameNode) => Relation, tables: ReferenceOptions["tables"]): Relation {
  switch (n.op) {
    case "read": {
      const rows = tables[n.path];
      if (!rows) throw new Error(`reference evaluator: no table given for '${n.path}'`);
      const columns = n.fields ? n.fields.map((f) => f.name) : Object.keys(rows[0] ?? {});
      return { columns, rows: rows.map((r) => pick(r, columns)) };
    }
    case "filter": {
      const input = ev(n.input);
      return { columns: input.columns, rows: input.rows.filter((r) => call(n.lambda, r)) };
    }
    case "withColumn": {
      const input = ev(n.input);
      const columns = input.columns.includes(n.name) ? input.columns : [...input.columns, n.name];
      return { columns, rows: input.rows.map((r) => pick({ ...r, [n.name]: value(call(n.lambda, r)) }, columns)) };
    }
    case "withColumns": {
      const input = ev(n.input);
      const computed = input.rows.map((r) => record(call(n.lambda, r)));
      const names = computed[0] ? Object.keys(computed[0]) : probeNames(n.lambda, input.columns);
      const columns = [...input.columns, ...names.filter((c) => !input.columns.includes(c))];
      return { columns, rows: input.rows.map((r, i) => pick({ ...r, ...computed[i] }, columns)) };
    }
    case "select": {
      const input = ev(n.input);
      const rows = input.rows.map((r) => record(call(n.lambda, r)));
      return { columns: rows[0] ? Object.keys(rows[0]) : probeNames(n.lambda, input.columns), rows };
    }
    case "selectNames": {
      const input = ev(n.input);
      return { columns: n.names, rows: input.rows.map((r) => pick(r, n.names)) };
    }
    case "drop": {
      const input = ev(n.input);
      const columns = input.columns.filter((c) => !n.names.includes(c));
      return { columns, rows: input.rows.map((r) => pick(r, columns)) };
    }
    case "rename": {
      const input = ev(n.input);
      const columns = input.columns.map((c) => (c === n.from ? n.to : c));
      const rows = input.rows.map((r) => Object.fromEntries(input.columns.map((c) => [c === n.from ? n.to : c, r[c]])));
      return { columns, rows };
    }
    case "agg":
      return aggregate(ev(n.input), n.keys, n.lambda);
    case "join": {
      const on = n.on;
      if (on === null) return joinWhere(ev(n.left), ev(n.right), () => true, "inner");
      if (Array.isArray(on)) return joinUsing(ev(n.left), ev(n.right), on as readonly string[], n.how);
      const lambda = on as Lambda;
      return joinWhere(ev(n.left), ev(n.right), (l, r) => Boolean(call(lambda, l, r)), n.how);
    }
    case "orderBy": {
      const input = ev(n.input);
      const keyed = input.rows.map((row) => ({ row, keys: sortKeys(call(n.lambda, row)) }));
      keyed.sort((a, b) => compareSortKeys(a.keys, b.keys)); // Array.prototype.sort is stable
      return { columns: input.columns, rows: keyed.map((k) => k.row) };
    }
    case "limit": {
      const input = ev(n.input);
      return { columns: input.columns, rows: input.rows.slice(0, n.n) };
    }
    case "distinct": {
      const input = ev(n.input);
      const cols = n.columns ?? input.columns;
      const seen = new Set<string>();
      const rows = input.rows.filter((r) => {
        const k = groupKey(cols.map((c) => r[c]));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      return { columns: input.columns, rows };
    }
    case "union": {
      const left = ev(n.left);
      const right = ev(n.right);
      const moved = right.rows.map((r) =>
        Object.fromEntries(left.columns.map((c, i) => [c, value(n.byName ? r[c] : r[right.columns[i] as string])])),
      );
      return { columns: left.columns, rows: [...left.rows, ...moved] };
    }
    case "cache":
      return ev(n.input);
  }
}

/** A row with exactly `columns`, in that order; absent values are null. */
function pick(r: Row, columns: readonly string[]): Row {
  const out: Row = {};
  for (const c of columns) out[c] = value(r[c]);
  return out;
}

function record(v: unknown): Row {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("reference evaluator: the lambda must return an object");
  const out: Row = {};
  for (const [k, x] of Object.entries(v)) out[k] = value(x);
  return out;
}

function nullRow(columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, null]));
}

/**
 * The column names a record lambda produces when there is no row to run it on: run it on a
 * row of nulls (aggregates collect and return placeholders). A lambda that cannot take nulls
 * leaves the names unknown, which matters only to a later join or union of an empty frame.
 */
function probeNames(l: Lambda, columns: readonly string[]): string[] {
  setAggregationPass({ phase: "collect", next: 0, inputs: [], fns: [] });
  try {
    return Object.keys(record(call(l, nullRow(columns))));
  } catch {
    return [];
  } finally {
    setAggregationPass(null);
  }
}

function sortKeys(v: unknown): SortKeyValue[] {
  const one = (x: unknown): SortKeyValue => {
    if (typeof x !== "object" || x === null || !("__tsdfSort" in x)) return { descending: false, value: value(x) };
    const order = x as SortOrder;
    return { descending: order.__tsdfSort === "desc", value: value(order.value) };
  };
  return Array.isArray(v) ? v.map(one) : [one(v)];
}

/**
 * `groupBy(keys).agg(lambda)`: groups in first-appearance order, null keys in one group. The
 * lambda runs once per row with the aggregation pass collecting each aggregate call's input,
 * then once per group (on the group's first row) to finish them. A global agg of no rows is
 * one row.
 */
function aggregate(input: Relation, keys: readonly string[], lambda: Lambda): Relation {
  const groups = new Map<string, Row[]>();
  for (const r of input.rows) {
    const k = groupKey(keys.map((c) => r[c]));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  if (keys.length === 0 && groups.size === 0) groups.set("", []);
  const rows: Row[] = [];
  try {
    for (const group of groups.values()) {
      const collect: AggregationPass = { phase: "collect", next: 0, inputs: [], fns: [] };
      setAggregationPass(collect);
      for (const r of group) {
        collect.next = 0;
        call(lambda, r);
      }
      setAggregationPass({ phase: "finish", next: 0, inputs: collect.inputs, fns: collect.fns });
      const first = group[0] ?? nullRow(input.columns);
      rows.push({ ...pick(first, keys), ...record(call(lambda, first)) });
    }
  } finally {
    setAggregationPass(null);
  }
  const names = rows[0] ? Object.keys(rows[0]) : [...keys, ...probeNames(lambda, input.columns).filter((c) => !keys.includes(c))];
  return { columns: names, rows: rows.map((r) => pick(r, names)) };
}

/** A join on column names: null keys never match; keys first, then left's and right's other columns. */
function joinUsing(left: Relation, right: Relation, keys: readonly string[], how: JoinType): Relation {
  const lRest = left.columns.filter((c) => !keys.includes(c));
  const rRest = right.columns.filter((c) => !keys.includes(c));
  const index = new Map<string, number[]>();
  right.rows.forEach((r, j) => {
    if (keys.some((k) => r[k] === null)) return;
    const k = groupKey(keys.map((c) => r[c]));
    const js = index.get(k);
    if (js) js.push(j);
    else index.set(k, [j]);
  });
  const combine = (l: Row | null, r: Row | null): Row => {
    const out: Row = {};
    for (const k of keys) out[k] = how === "right" ? (r ?? (l as Row))[k] : (l ?? (r as Row))[k];
    for (const c of lRest) out[c] = l ? l[c] : null;
    for (const c of rRest) out[c] = r ? r[c] : null;
    return out;
  };
  const matchesOf = (l: Row): readonly number[] =>
    keys.some((k) => l[k] === null) ? [] : (index.get(groupKey(keys.map((c) => l[c]))) ?? []);
  if (how === "semi" || how === "anti") {
    return { columns: left.columns, rows: left.rows.filter((l) => (matchesOf(l).length > 0) === (how === "semi")) };
  }
  return { columns: [...keys, ...lRest, ...rRest], rows: outerRows(left, right, matchesOf, combine, how) };
}

/** A join on a condition lambda `(l, r) => …` (or a cross join): left's columns, then right's. */
function joinWhere(left: Relation, right: Relation, cond: (l: Row, r: Row) => boolean, how: JoinType): Relation {
  const matchesOf = (l: Row): readonly number[] => right.rows.flatMap((r, j) => (cond(l, r) ? [j] : []));
  if (how === "semi" || how === "anti") {
    return { columns: left.columns, rows: left.rows.filter((l) => (matchesOf(l).length > 0) === (how === "semi")) };
  }
  const combine = (l: Row | null, r: Row | null): Row => ({ ...(l ?? nullRow(left.columns)), ...(r ?? nullRow(right.columns)) });
  return { columns: [...left.columns, ...right.columns], rows: outerRows(left, right, matchesOf, combine, how) };
}

/** Matched pairs in left order; unmatched left rows (left, full) in place; unmatched right rows (right, full) last. */
function outerRows(
  left: Relation,
  right: Relation,
  matchesOf: (l: Row) => readonly number[],
  combine: (l: Row | null, r: Row | null) => Row,
  how: JoinType,
): Row[] {
  const out: Row[] = [];
  const matchedRight = new Set<number>();
  for (const l of left.rows) {
    const js = matchesOf(l);
    for (const j of js) {
      matchedRight.add(j);
      out.push(combine(l, right.rows[j] as Row));
    }
    if (js.length === 0 && (how === "left" || how === "full")) out.push(combine(l, null));
  }
  if (how === "right" || how === "full") {
    right.rows.forEach((r, j) => {
      if (!matchedRight.has(j)) out.push(combine(null, r));
    });
  }
  return out;
}
