import fc from "fast-check";

/**
 * Random pipelines as TypeScript source, over two fixed tables. Expressions are generated
 * type-correct for strict TypeScript, so every pipeline compiles; the differential test then
 * compares the compiled engine with the reference evaluator running the same lambdas.
 */

export const TABLE_SOURCE = `
const T1 = schema({
  id: t.int32(), k: t.string(), a: t.int32().nullable(), b: t.float64(),
  s: t.string().nullable(), d: t.date(),
});
const T2 = schema({ k: t.string(), w: t.float64(), u: t.string().nullable() });
`;

const leaf = <T>(...xs: T[]) => fc.constantFrom(...xs);

function exprs() {
  const { num, str, bool } = fc.letrec<{ num: string; str: string; bool: string }>((tie) => ({
    num: fc.oneof(
      { maxDepth: 3, depthSize: "small", withCrossShrink: true },
      // Mostly columns: a sub-expression of literals alone is folded at build time, not run.
      // Literals are widened so that comparing two of them is not a TypeScript error.
      leaf("r.b", "(r.a ?? 0)", "r.id", "(r.a ?? -3)", "(r.b - 7)", "(3 as number)", "(-2 as number)", "(1.5 as number)"),
      fc.tuple(tie("num"), fc.constantFrom("+", "-", "*", "/", "%"), tie("num")).map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie("num").map((a) => `abs(${a})`),
      tie("num").map((a) => `round(${a}, 1)`),
      tie("num").map((a) => `floor(${a})`),
      tie("str").map((s) => `length(${s})`),
      fc.tuple(tie("bool"), tie("num"), tie("num")).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    ),
    str: fc.oneof(
      { maxDepth: 3, depthSize: "small", withCrossShrink: true },
      leaf("r.k", '(r.s ?? "none")', "(r.s ?? r.k)", '("x" as string)', '(" pad " as string)', '("Straße" as string)'),
      tie("str").map((s) => `upper(${s})`),
      tie("str").map((s) => `lower(${s})`),
      tie("str").map((s) => `trim(${s})`),
      tie("str").map((s) => `substring(${s}, 2, 3)`),
      fc.tuple(tie("str"), tie("str")).map(([a, b]) => `concat(${a}, ${b})`),
      fc.tuple(tie("str"), tie("num")).map(([a, n]) => `\`\${${a}}:\${${n}}\``),
      fc.tuple(tie("bool"), tie("str"), tie("str")).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    ),
    bool: fc.oneof(
      { maxDepth: 3, depthSize: "small", withCrossShrink: true },
      leaf("(r.a === null)", "(r.s !== null)", '(r.d >= "2024-01-03")', "(r.b > 0)", "true"),
      fc.tuple(tie("num"), fc.constantFrom(">", "<=", "===", "!=="), tie("num")).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie("str"), fc.constantFrom("===", "<"), tie("str")).map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie("bool").map((b) => `!${b}`),
      fc.tuple(tie("bool"), fc.constantFrom("&&", "||"), tie("bool")).map(([a, op, b]) => `(${a} ${op} ${b})`),
    ),
  }));
  return { num, str, bool };
}

const JOIN_TYPES = ["inner", "left", "right", "full", "semi", "anti"] as const;

/** The tail of a random pipeline; `ordered` says whether the output's row order is defined. */
function tails(num: fc.Arbitrary<string>) {
  const agg = `({ n: count(), c: count(g.a), total: sum(g.x), lo: min(g.x), hi: max(g.y), mean: avg(g.b), kinds: countDistinct(g.y), first_id: min(g.id) })`;
  return fc.oneof(
    fc.constant({ code: `df.groupBy("k").agg((g) => ${agg})`, ordered: false }),
    fc.constant({ code: `df.groupBy("y", "k").agg((g) => ${agg})`, ordered: false }),
    fc.constant({ code: `df.agg((g) => ${agg})`, ordered: false }),
    fc.constantFrom(...JOIN_TYPES).map((how) => ({ code: `df.join(t2, "k", "${how}")`, ordered: false })),
    fc.tuple(fc.constantFrom(...JOIN_TYPES), num).map(([how, n]) => ({
      code: `df.join(t2.withColumnRenamed("k", "k2"), (l, r) => l.k === r.k2 && l.x > r.w + ${n.replace(/\br\./g, "l.")}, "${how}")`,
      ordered: false,
    })),
    fc.integer({ min: 0, max: 8 }).map((n) => ({ code: `df.orderBy((r) => [desc(r.x), r.y, r.id]).limit(${n})`, ordered: true })),
    fc.constant({ code: `df.orderBy((r) => [r.s, desc(r.a), r.id])`, ordered: true }),
    fc.constant({ code: `df.select("k", "y").distinct()`, ordered: false }),
    fc.constant({ code: `df.dropDuplicates("k")`, ordered: false }),
    fc.constant({ code: `df.union(df.filter((r) => r.x > 0)).select("id", "x", "y")`, ordered: false }),
  );
}

export interface RandomPipeline {
  readonly source: string;
  readonly ordered: boolean;
}

/** A whole pipeline module: filter, two derived columns, then a random tail. */
export function randomPipeline(name: string): fc.Arbitrary<RandomPipeline> {
  const { num, str, bool } = exprs();
  return fc.tuple(bool, num, str, tails(num)).map(([b, n, s, tail]) => ({
    ordered: tail.ordered,
    source: `import { abs, avg, concat, count, countDistinct, desc, floor, length, lower, max, min, pipeline, round, schema, substring, sum, t, trim, upper } from "tsdf";
${TABLE_SOURCE}
export default pipeline(${JSON.stringify(name)}, (p) => {
  const t1 = p.read.csv("t1.csv", T1);
  const t2 = p.read.csv("t2.csv", T2);
  const df = t1.filter((r) => ${b}).withColumn("x", (r) => ${n}).withColumn("y", (r) => ${s});
  p.output("out", ${tail.code});
});
`,
  }));
}
