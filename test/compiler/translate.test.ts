import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compilePipeline } from "../../compiler/compile.ts";
import { formatExpr } from "../../plan/expr.ts";
import type { Filter, Join, LogicalPlan, PipelinePlan, Project, Sort } from "../../plan/logical.ts";

let plan: PipelinePlan;
beforeAll(async () => {
  plan = await compilePipeline(resolve(import.meta.dirname, "../fixtures/pipelines/constructs.ts"));
});

function find<K extends LogicalPlan["kind"]>(root: LogicalPlan, kind: K): Extract<LogicalPlan, { kind: K }> {
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop() as LogicalPlan;
    if (p.kind === kind) return p as Extract<LogicalPlan, { kind: K }>;
    if (p.kind === "Join") stack.push(p.left, p.right);
    else if (p.kind === "Union") stack.push(...p.inputs);
    else if (p.kind !== "Scan") stack.push(p.input);
  }
  throw new Error(`no ${kind} node`);
}

const showRoot = () => plan.sinks[0]?.input as LogicalPlan;
const projected = (name: string) => {
  const proj = find(find(showRoot(), "Join").left, "Project") as Project;
  const e = proj.exprs.find((x) => x.name === name);
  if (!e) throw new Error(`no column ${name}`);
  return formatExpr(e.expr);
};

describe("lambda translation", () => {
  it("casts a string literal compared with a date column to a date", () => {
    const f = find(showRoot(), "Filter") as Filter;
    expect(formatExpr(f.predicate)).toBe('((day >= cast("2024-01-01" as date32)) && (customer !== null))');
  });

  it("folds captured constants and keeps params symbolic", () => {
    expect(projected("gross")).toBe("(amount * 1.2)");
    expect(projected("region")).toBe("$region");
    expect(plan.params).toEqual([{ name: "region", type: "utf8", optional: true, default: "EU" }]);
  });

  it("translates ??, ternaries, bigint literals and template strings", () => {
    expect(projected("who")).toBe('(customer ?? "anonymous")');
    expect(projected("big")).toBe('((id > 10n) ? "big" : "small")');
    expect(projected("tag")).toBe('((((("" + "order") + "-") + id) + "-") + cast(day as utf8))');
  });

  it("translates stdlib calls to Spark function names", () => {
    expect(projected("next_day")).toBe("date_add(day, 1)");
    expect(projected("parsed")).toBe('coalesce(to_date("2024-02-30"), day)');
  });

  it("gives join condition columns their side", () => {
    const j = find(showRoot(), "Join") as Join;
    expect(j.how).toBe("left");
    expect(j.on.kind === "condition" && formatExpr(j.on.predicate)).toBe("((l.who === r.customer_key) && (l.gross > r.threshold))");
  });

  it("turns asc/desc and bare keys into sort keys with Spark's null ordering", () => {
    const s = find(showRoot(), "Sort") as Sort;
    expect(s.keys.map((k) => [formatExpr(k.expr), k.descending, k.nullsFirst])).toEqual([
      ["gross", true, false],
      ["who", false, true],
      ["id", false, true],
    ]);
  });

  it("records the source location of each lambda", () => {
    const f = find(showRoot(), "Filter") as Filter;
    expect(f.loc).toMatchObject({ line: 21, column: 13 });
    expect(f.loc?.file).toMatch(/constructs\.ts$/);
  });

  it("records the source location of reads and sinks, at the method's name", () => {
    const show = plan.sinks[0];
    expect(show?.kind).toBe("Show");
    expect(show?.loc).toMatchObject({ line: 34, column: 6 });
    expect(plan.sinks[1]?.loc).toMatchObject({ line: 35, column: 5 });
    expect(find(find(showRoot(), "Join").right, "Scan").loc).toMatchObject({ line: 19, column: 25 });
  });

  it("converts a zod object schema into column types", () => {
    const scan = find(find(showRoot(), "Join").right, "Scan");
    expect(scan.fileSchema.fields).toEqual([
      { name: "customer_key", type: "utf8", nullable: false },
      { name: "threshold", type: "float64", nullable: false },
      { name: "level", type: "int32", nullable: true },
    ]);
  });

  it("types output rows from the aggregate", () => {
    const out = plan.sinks.find((s) => s.kind === "Output");
    expect(out?.input.schema.fields).toEqual([
      { name: "who", type: "utf8", nullable: false },
      { name: "n", type: "int64", nullable: false },
      { name: "total", type: "float64", nullable: true },
    ]);
  });
});
