import type { DataType } from "../../plan/schema.ts";
import type { ProtoMessage } from "./proto/codec.ts";

/**
 * Builders of Spark Connect `Expression` messages (as codec objects). Function names are Spark
 * SQL's registered names, resolved by the server's function registry.
 */
export type SparkExpr = ProtoMessage;

/** `name`, quoted so any column name (spaces, dots) resolves as one identifier; `qualifier` picks a join side. */
export function attr(name: string, qualifier?: string): SparkExpr {
  const quoted = `\`${name.replaceAll("`", "``")}\``;
  return { unresolved_attribute: { unparsed_identifier: qualifier === undefined ? quoted : `${qualifier}.${quoted}` } };
}

export function call(name: string, ...args: SparkExpr[]): SparkExpr {
  return { unresolved_function: { function_name: name, arguments: args } };
}

export function distinctCall(name: string, ...args: SparkExpr[]): SparkExpr {
  return { unresolved_function: { function_name: name, arguments: args, is_distinct: true } };
}

export function alias(expr: SparkExpr, name: string): SparkExpr {
  return { alias: { expr, name: [name] } };
}

export function sparkType(t: DataType): ProtoMessage {
  switch (t) {
    case "utf8":
      return { string: {} };
    case "int32":
      return { integer: {} };
    case "int64":
      return { long: {} };
    case "float64":
      return { double: {} };
    case "boolean":
      return { boolean: {} };
    case "date32":
      return { date: {} };
    case "timestamp_us":
      return { timestamp: {} };
  }
}

/** A cast; `try` gives null where the value does not convert (tsdf's meaning), whatever the ANSI setting. */
export function cast(expr: SparkExpr, to: DataType, mode: "legacy" | "try" = "legacy"): SparkExpr {
  return { cast: { expr, type: sparkType(to), eval_mode: mode === "try" ? "EVAL_MODE_TRY" : "EVAL_MODE_LEGACY" } };
}

export const nullOf = (t: DataType): SparkExpr => ({ literal: { null: sparkType(t) } });
export const str = (s: string): SparkExpr => ({ literal: { string: s } });
export const int = (n: number): SparkExpr => ({ literal: { integer: n } });
export const long = (n: bigint): SparkExpr => ({ literal: { long: n } });
export const double = (n: number): SparkExpr => ({ literal: { double: n } });
export const bool = (b: boolean): SparkExpr => ({ literal: { boolean: b } });
export const date = (days: number): SparkExpr => ({ literal: { date: days } });
export const timestamp = (micros: bigint): SparkExpr => ({ literal: { timestamp: micros } });
/** A value known only when the job runs (a run parameter at build time): printed as a SQL named marker. */
export const placeholder = (name: string): SparkExpr => ({ expression_string: { expression: `:${name}` } });

/** `CASE WHEN test THEN a ELSE b END` through Spark's `if` function. */
export const ifThen = (test: SparkExpr, a: SparkExpr, b: SparkExpr): SparkExpr => call("if", test, a, b);
export const and = (...xs: SparkExpr[]): SparkExpr => xs.reduce((acc, x) => call("and", acc, x));
export const not = (x: SparkExpr): SparkExpr => call("not", x);
