import type { SourceLocation } from "../plan/errors.ts";
import type { Expr, LiteralValue, NamedExpr, SortKey } from "../plan/expr.ts";
import { TsdfError } from "../plan/errors.ts";
import { isParamHandle } from "./param.ts";

/** What `tsdf build` translated a lambda into. */
export type LambdaBody =
  | { readonly kind: "expr"; readonly expr: Expr }
  | { readonly kind: "record"; readonly fields: readonly NamedExpr[] }
  | { readonly kind: "sort"; readonly keys: readonly SortKey[] };

/**
 * A lambda as the DataFrame graph keeps it: the plain function (run by the reference
 * evaluator) and, once compiled, its expression IR and source location.
 */
export interface Lambda {
  readonly fn: Function;
  readonly body?: LambdaBody;
  readonly loc?: SourceLocation;
}

const TRANSLATED = Symbol.for("tsdf.translated");

interface Translated {
  readonly [TRANSLATED]: true;
  readonly lambda: Lambda;
}

/** Emitted by `tsdf build` around every lambda it translated. Not for hand-written code. */
export function __tsdfLambda<F>(fn: F, body: () => LambdaBody, loc: SourceLocation): F {
  // The body thunk runs at trace time so captured constants and params take their values then.
  return { [TRANSLATED]: true, lambda: { fn: fn as never, body: body(), loc } } as unknown as F;
}

/**
 * The source locations of the DSL calls `__tsdfAt` is running, innermost last. On the global
 * object: the traced pipeline's bundle has its own copy of this module, and the builders that
 * read the stack come from the compiler's.
 */
const CALLS = Symbol.for("tsdf.callSites");
const shared = globalThis as { [CALLS]?: SourceLocation[] };
shared[CALLS] ??= [];
const calls: SourceLocation[] = shared[CALLS];

/**
 * Emitted by `tsdf build` around a DSL call without a lambda (a read, limit(), a sink…), so
 * the node it makes knows where it was written. Not for hand-written code.
 */
export function __tsdfAt<T>(loc: SourceLocation, call: () => T): T {
  calls.push(loc);
  try {
    return call();
  } finally {
    calls.pop();
  }
}

/** `{ loc }` of the DSL call being made, when `tsdf build` located it; spread into the node it makes. */
export function callSite(): { loc?: SourceLocation } {
  const loc = calls[calls.length - 1];
  return loc === undefined ? {} : { loc };
}

/** Emitted by `tsdf build` for a captured value: folds constants, keeps params symbolic. */
export function __tsdfValue(v: unknown, name: string, loc: SourceLocation): Expr {
  if (isParamHandle(v)) return { kind: "Param", name: v.name, type: v.type };
  if (v === null || v === undefined) return { kind: "Literal", value: null, type: "null" };
  switch (typeof v) {
    case "string":
      return { kind: "Literal", value: v, type: "utf8" };
    case "boolean":
      return { kind: "Literal", value: v, type: "boolean" };
    case "bigint":
      return { kind: "Literal", value: v.toString(), type: "int64" };
    case "number":
      return { kind: "Literal", value: numberLiteral(v), type: Number.isInteger(v) && Math.abs(v) <= 2147483647 && !Object.is(v, -0) ? "int32" : "float64" };
  }
  throw new TsdfError("TSDF1004", `the lambda captures '${name}', a ${typeof v}, which tsdf cannot turn into a value`, loc, [
    "capture only strings, numbers, bigints, booleans, null or p.param() values",
  ]);
}

/** NaN and ±Infinity travel as strings in JSON. */
export function numberLiteral(v: number): LiteralValue {
  return Number.isFinite(v) ? v : String(v);
}

export function lambdaOf(f: unknown, what: string): Lambda {
  if (typeof f === "function") return { fn: f };
  if (f && typeof f === "object" && TRANSLATED in f) return (f as Translated).lambda;
  throw new TsdfError("TSDF1005", `${what} expects a lambda such as (r) => r.amount > 0`);
}
