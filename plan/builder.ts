import { type SourceLocation, TsdfError } from "./errors.ts";
import { type AggCall, type Expr, type NamedExpr, type SortKey, col, formatExpr, someExpr, transformExpr } from "./expr.ts";
import { exprType, type Scope } from "./expr-type.ts";
import type {
  Aggregate,
  AggregateExpr,
  Distinct,
  FileFormat,
  Filter,
  Join,
  JoinOn,
  JoinType,
  Limit,
  LogicalPlan,
  Project,
  ReadOptions,
  Scan,
  Sort,
  Union,
} from "./logical.ts";
import { type Field, type Schema, findField, nearestName, schemaOf } from "./schema.ts";

/** Re-throws a type error with the source location of the lambda it came from. */
function at<T>(loc: SourceLocation | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TsdfError && !e.location && loc) throw new TsdfError(e.code, e.message, loc, e.notes);
    throw e;
  }
}

function requireColumns(schema: Schema, names: readonly string[], loc: SourceLocation | undefined, what: string): void {
  for (const n of names) {
    if (!findField(schema, n)) {
      const near = nearestName(n, schema.fields.map((f) => f.name));
      throw new TsdfError("TSDF2001", `${what}: unknown column '${n}'${near ? `. Did you mean '${near}'?` : ""}`, loc, [
        `available columns: ${schema.fields.map((f) => f.name).join(", ")}`,
      ]);
    }
  }
}

function rejectAggregates(e: Expr, loc: SourceLocation | undefined, where: string): void {
  if (someExpr(e, (x) => x.kind === "Agg")) {
    throw new TsdfError("TSDF2005", `aggregate functions such as sum() or count() can only be used inside agg(), not in ${where}`, loc);
  }
}

export function scan(format: FileFormat, path: string, fileSchema: Schema, options: ReadOptions, loc?: SourceLocation): Scan {
  return { kind: "Scan", format, path, options, fileSchema, schema: fileSchema, filters: [], ...(loc && { loc }) };
}

export function filter(input: LogicalPlan, predicate: Expr, loc?: SourceLocation): Filter {
  at(loc, () => {
    rejectAggregates(predicate, loc, "filter()");
    exprType(predicate, [input.schema]);
  });
  return { kind: "Filter", input, predicate, schema: input.schema, ...(loc && { loc }) };
}

export function project(input: LogicalPlan, exprs: readonly NamedExpr[], loc?: SourceLocation): Project {
  const seen = new Set<string>();
  const fields: Field[] = exprs.map((ne) =>
    at(ne.loc ?? loc, () => {
      if (seen.has(ne.name)) throw new TsdfError("TSDF2006", `column '${ne.name}' is defined twice`);
      seen.add(ne.name);
      rejectAggregates(ne.expr, ne.loc ?? loc, "a row expression");
      const t = exprType(ne.expr, [input.schema]);
      return { name: ne.name, type: t.type, nullable: t.nullable };
    }),
  );
  return { kind: "Project", input, exprs, schema: schemaOf(fields), ...(loc && { loc }) };
}

/** Keeps `input`'s columns and appends or replaces the given ones, in Spark's order. */
export function withColumns(input: LogicalPlan, exprs: readonly NamedExpr[], loc?: SourceLocation): Project {
  const byName = new Map(exprs.map((e) => [e.name, e]));
  const kept: NamedExpr[] = input.schema.fields.map((f) => byName.get(f.name) ?? { name: f.name, expr: col(f.name) });
  const added = exprs.filter((e) => !findField(input.schema, e.name));
  return project(input, [...kept, ...added], loc);
}

/**
 * `groupBy(keys).agg(...)`: aggregate calls anywhere inside the output expressions are
 * computed by one Aggregate node; what wraps them (`round(sum(x), 2)`) becomes a Project above.
 */
export function aggregate(input: LogicalPlan, keys: readonly string[], outputs: readonly NamedExpr[], loc?: SourceLocation): LogicalPlan {
  requireColumns(input.schema, keys, loc, "groupBy()");
  const aggs: AggregateExpr[] = [];
  const names = new Map<string, string>();
  const rewritten = outputs.map((ne) => {
    // `total: sum(x)` names its aggregate `total`; aggregates inside larger expressions get `__aggN`.
    const direct = ne.expr.kind === "Agg" ? JSON.stringify(ne.expr) : undefined;
    const expr = transformExpr(ne.expr, (x) => {
      if (x.kind !== "Agg") return x;
      const call = x as AggCall;
      if (call.arg && someExpr(call.arg, (y) => y.kind === "Agg")) {
        throw new TsdfError("TSDF2005", `aggregate functions cannot be nested: ${formatExpr(x)}`, ne.loc ?? loc);
      }
      const key = JSON.stringify(x);
      let name = names.get(key);
      if (!name) {
        const taken = aggs.some((a) => a.name === ne.name) || keys.includes(ne.name);
        name = key === direct && !taken ? ne.name : `__agg${aggs.length}`;
        names.set(key, name);
        aggs.push(call.arg ? { name, fn: call.fn, arg: call.arg } : { name, fn: call.fn });
      }
      return col(name);
    });
    return { ...ne, expr };
  });
  const fields: Field[] = [
    ...keys.map((k) => findField(input.schema, k) as Field),
    ...aggs.map((a) =>
      at(loc, () => {
        const t = exprType({ kind: "Agg", fn: a.fn, ...(a.arg && { arg: a.arg }) }, [input.schema]);
        return { name: a.name, type: t.type, nullable: t.nullable };
      }),
    ),
  ];
  const agg: Aggregate = { kind: "Aggregate", input, groupBy: keys, aggs, schema: schemaOf(fields), ...(loc && { loc }) };
  const identity = rewritten.every((ne) => ne.expr.kind === "Column" && ne.expr.name === ne.name);
  if (identity && rewritten.length === aggs.length) return agg;
  return project(agg, [...keys.map((k) => ({ name: k, expr: col(k) })), ...rewritten], loc);
}

const nullableAll = (fields: readonly Field[]): Field[] => fields.map((f) => ({ ...f, nullable: true }));

export function join(left: LogicalPlan, right: LogicalPlan, on: JoinOn | null, how: JoinType, loc?: SourceLocation): Join {
  const l = left.schema.fields;
  const r = right.schema.fields;
  const leftNull = how === "right" || how === "full";
  const rightNull = how === "left" || how === "full";
  let fields: Field[];
  if (how === "cross" && on !== null) throw new TsdfError("TSDF2007", "a cross join takes no join condition", loc);
  const resolved: JoinOn = on ?? { kind: "condition", predicate: { kind: "Literal", value: true, type: "boolean" } };
  if (resolved.kind === "using") {
    requireColumns(left.schema, resolved.columns, loc, "join() left side");
    requireColumns(right.schema, resolved.columns, loc, "join() right side");
    const keys = resolved.columns.map((k) => {
      const lf = findField(left.schema, k) as Field;
      const rf = findField(right.schema, k) as Field;
      if (lf.type !== rf.type) throw new TsdfError("TSDF2002", `join key '${k}' is ${lf.type} on the left and ${rf.type} on the right`, loc);
      const nullable = how === "full" ? lf.nullable || rf.nullable : how === "right" ? rf.nullable : lf.nullable;
      return { ...lf, nullable };
    });
    const lRest = l.filter((f) => !resolved.columns.includes(f.name));
    const rRest = r.filter((f) => !resolved.columns.includes(f.name));
    fields = [...keys, ...(leftNull ? nullableAll(lRest) : lRest)];
    if (how !== "semi" && how !== "anti") fields.push(...(rightNull ? nullableAll(rRest) : rRest));
    else fields = [...l];
  } else {
    at(loc, () => {
      rejectAggregates(resolved.predicate, loc, "a join condition");
      exprType(resolved.predicate, [left.schema, right.schema] as Scope);
    });
    if (how === "semi" || how === "anti") fields = [...l];
    else {
      fields = [...(leftNull ? nullableAll(l) : l), ...(rightNull ? nullableAll(r) : r)];
    }
  }
  if (how !== "semi" && how !== "anti") {
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) {
        throw new TsdfError("TSDF2008", `both sides of the join have a column '${f.name}'`, loc, [
          `rename one side first: .withColumnRenamed("${f.name}", "other_${f.name}"), or join on "${f.name}"`,
        ]);
      }
      names.add(f.name);
    }
  }
  return { kind: "Join", left, right, how, on: resolved, schema: schemaOf(fields), ...(loc && { loc }) };
}

export function sort(input: LogicalPlan, keys: readonly SortKey[], loc?: SourceLocation): Sort {
  at(loc, () => {
    for (const k of keys) {
      rejectAggregates(k.expr, loc, "orderBy()");
      exprType(k.expr, [input.schema]);
    }
  });
  return { kind: "Sort", input, keys, schema: input.schema, ...(loc && { loc }) };
}

export function limit(input: LogicalPlan, fetch: number, loc?: SourceLocation): Limit {
  if (!Number.isInteger(fetch) || fetch < 0) throw new TsdfError("TSDF2009", `limit() needs a non-negative integer, got ${fetch}`, loc);
  return { kind: "Limit", input, fetch, schema: input.schema, ...(loc && { loc }) };
}

export function distinct(input: LogicalPlan, columns: readonly string[] | null, loc?: SourceLocation): Distinct {
  const cols = columns ?? input.schema.fields.map((f) => f.name);
  requireColumns(input.schema, cols, loc, "dropDuplicates()");
  return { kind: "Distinct", input, columns: cols, schema: input.schema, ...(loc && { loc }) };
}

export function union(a: LogicalPlan, b: LogicalPlan, byName: boolean, loc?: SourceLocation): Union {
  const af = a.schema.fields;
  const bf = b.schema.fields;
  if (af.length !== bf.length) {
    throw new TsdfError("TSDF2010", `union() needs the same number of columns, got ${af.length} and ${bf.length}`, loc);
  }
  const fields = af.map((f, i) => {
    const g = byName ? findField(b.schema, f.name) : bf[i];
    if (!g) throw new TsdfError("TSDF2010", `unionByName(): the other side has no column '${f.name}'`, loc);
    if (g.type !== f.type) throw new TsdfError("TSDF2010", `union(): column '${f.name}' is ${f.type} on one side and ${g.type} on the other`, loc);
    return { ...f, nullable: f.nullable || g.nullable };
  });
  const right = byName ? project(b, af.map((f) => ({ name: f.name, expr: col(f.name) }))) : b;
  return { kind: "Union", inputs: [a, right], byName, schema: schemaOf(fields), ...(loc && { loc }) };
}
