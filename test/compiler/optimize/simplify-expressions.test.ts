import { describe, expect, it } from "vitest";
import { simplifyExpressions, simplifyExpr } from "../../../compiler/optimize/rules/simplify-expressions.ts";
import * as b from "../../../plan/builder.ts";
import { col, type Expr, formatExpr, lit } from "../../../plan/expr.ts";
import { bin, logical, rewriteText, t1, text } from "./tables.ts";

const simple = (e: Expr) => formatExpr(simplifyExpr(e, [t1.schema]));

describe("simplify_expressions", () => {
  it("folds arithmetic and comparisons of literals", () => {
    expect(simple(bin(">", col("a"), bin("*", lit(2, "int32"), lit(3, "int32"))))).toBe("(a > 6)");
    expect(simple(bin("<", lit("a", "utf8"), lit("b", "utf8")))).toBe("true");
  });

  it("drops `true &&` and folds a null check of a non-null column", () => {
    expect(simple(logical("&&", lit(true, "boolean"), bin(">", col("a"), lit(1, "int32"))))).toBe("(a > 1)");
    expect(simple({ kind: "IsNull", operand: col("id"), negated: false })).toBe("false");
    expect(simple(logical("??", col("id"), lit(0, "int32")))).toBe("id");
  });

  it("keeps JavaScript's meaning of && and || for nullable operands", () => {
    // null && false is null, not false; null || false is false, not null.
    expect(simple(logical("&&", col("maybe"), lit(false, "boolean")))).toBe("(maybe && false)");
    expect(simple(logical("||", col("maybe"), lit(false, "boolean")))).toBe("(maybe || false)");
    expect(simple(logical("&&", col("ok"), lit(false, "boolean")))).toBe("false");
    expect(simple(logical("&&", col("maybe"), lit(true, "boolean")))).toBe("maybe");
    expect(simple(logical("||", col("maybe"), lit(true, "boolean")))).toBe("true");
    expect(simple(logical("??", col("a"), lit(0, "int32")))).toBe("(a ?? 0)");
  });

  it("does not fold what the runtime must compute (division by zero, nulls in arithmetic)", () => {
    expect(simple(bin("/", lit(1, "int32"), lit(0, "int32")))).toBe("(1 / 0)");
    expect(simple(bin("+", lit(null, "null"), lit(1, "int32")))).toBe("(null + 1)");
  });

  it("removes a filter whose predicate folds to true", () => {
    const plan = b.filter(t1, logical("||", bin("===", lit(1, "int32"), lit(1, "int32")), col("ok")));
    expect(rewriteText(simplifyExpressions, plan)).toBe(text(t1));
  });

  it("leaves a projection whose column would change type", () => {
    // `true ? a : null` is `a`, but the column's type would lose its forced nullability: a is already nullable,
    // so use a non-null column: `true ? id : null` is nullable, `id` is not.
    const plan = b.project(t1, [{ name: "x", expr: { kind: "Conditional", test: lit(true, "boolean"), whenTrue: col("id"), whenFalse: lit(null, "null") } }]);
    expect(rewriteText(simplifyExpressions, plan)).toBe(text(plan));
  });
});
