/**
 * Which columns a physical node's output is hash-partitioned by, so the planner can leave out an
 * exchange whose input already has every key in one partition (Spark's EnsureRequirements): a
 * grouped aggregate or a distinct over input hash-partitioned by a subset of its keys, or a hash
 * join side partitioned by exactly its keys. Every hash exchange of one plan has the same count,
 * so columns alone identify the partitioning.
 */
import { assertNever } from "../../plan/expr.ts";
import type { PhysicalPlan } from "../../plan/physical.ts";

const memo = new WeakMap<PhysicalPlan, readonly string[] | undefined>();

/** The columns the rows of `p` are hash-partitioned by (in hashing order), or undefined when they are not known to be. */
export function hashPartitionColumns(p: PhysicalPlan): readonly string[] | undefined {
  if (memo.has(p)) return memo.get(p);
  const columns = derive(p);
  memo.set(p, columns);
  return columns;
}

function derive(p: PhysicalPlan): readonly string[] | undefined {
  switch (p.kind) {
    case "RepartitionExec": {
      if (p.partitioning.kind !== "hash") return undefined;
      const names = p.partitioning.exprs.map((e) => (e.kind === "Column" ? e.name : undefined));
      return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
    }
    case "HashJoinExec":
      // Partitioned: both sides were hashed on the keys, and the output's key columns hold them
      // (a full join's from whichever side has the row). Broadcast: the probe side's rows stay put.
      return p.mode === "partitioned" ? p.keys : hashPartitionColumns(p.left);
    case "NestedLoopJoinExec":
      return p.mode === "broadcast" ? hashPartitionColumns(p.left) : undefined;
    case "FilterExec":
    case "SortExec":
    case "LocalLimitExec":
    case "DistinctExec":
    case "CacheExec":
      return hashPartitionColumns(p.input);
    case "HashAggregateExec": {
      // Rows of one group stay in one partition; the output keeps the grouping columns only.
      const below = hashPartitionColumns(p.input);
      return below?.every((c) => p.groupBy.includes(c)) ? below : undefined;
    }
    case "ProjectionExec": {
      // Partitioning columns passed through, perhaps renamed.
      const below = hashPartitionColumns(p.input);
      if (below === undefined) return undefined;
      const renamed = below.map((c) => p.exprs.find((e) => e.expr.kind === "Column" && e.expr.name === c)?.name);
      return renamed.every((n) => n !== undefined) ? (renamed as string[]) : undefined;
    }
    case "ScanExec":
    case "GlobalLimitExec":
    case "UnionExec":
      return undefined;
    default:
      return assertNever(p);
  }
}
