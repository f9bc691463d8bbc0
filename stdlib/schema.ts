import { TsdfError } from "../plan/errors.ts";
import type { DataType, Field } from "../plan/schema.ts";
import type { TsDate, TsTimestamp, Value } from "./values.ts";

/** The type of one column; `.nullable()` admits nulls (`T | null` in lambdas and rows). */
export class ColumnType<T extends Value> {
  declare readonly __value: T;
  constructor(
    readonly type: DataType,
    readonly isNullable: boolean,
  ) {}
  /** @example t.string().nullable() */
  nullable(): ColumnType<T | null> {
    return new ColumnType<T | null>(this.type, true);
  }
}

/**
 * Column types for `schema({...})`.
 * @example const Sales = schema({ id: t.string(), quantity: t.int32(), price: t.float64() });
 */
export const t = {
  string: () => new ColumnType<string>("utf8", false),
  int32: () => new ColumnType<number>("int32", false),
  int64: () => new ColumnType<bigint>("int64", false),
  float64: () => new ColumnType<number>("float64", false),
  boolean: () => new ColumnType<boolean>("boolean", false),
  date: () => new ColumnType<TsDate>("date32", false),
  timestamp: () => new ColumnType<TsTimestamp>("timestamp_us", false),
};

// biome-ignore lint/suspicious/noExplicitAny: the value type is inferred per column
type Columns = Record<string, ColumnType<any>>;

/** A table's declared columns and, at the type level, its row type `R`. */
export interface SchemaDef<R> {
  readonly kind: "tsdf.schema";
  readonly fields: readonly Field[];
  readonly __row?: R;
}

/**
 * Declares a table's columns.
 * @example export const Customers = schema({ customer_id: t.string(), city: t.string().nullable() });
 */
export function schema<C extends Columns>(columns: C): SchemaDef<{ [K in keyof C]: C[K]["__value"] }> {
  return {
    kind: "tsdf.schema",
    fields: Object.entries(columns).map(([name, c]) => ({ name, type: c.type, nullable: c.isNullable })),
  };
}

/** A zod object schema, accepted wherever a `schema()` is. */
export interface ZodObjectLike<R> {
  readonly shape: Record<string, unknown>;
  readonly _output: R;
}

export type SchemaLike<R> = SchemaDef<R> | ZodObjectLike<R>;

interface ZodDefLike {
  readonly type: string;
  readonly innerType?: { _zod: { def: ZodDefLike } };
  readonly format?: string;
  readonly checks?: readonly { _zod: { def: { format?: string; check?: string } } }[];
}

function zodField(name: string, def: ZodDefLike, nullable = false): Field {
  switch (def.type) {
    case "nullable":
    case "optional":
    case "default":
      if (!def.innerType) break;
      return zodField(name, def.innerType._zod.def, true);
    case "string": {
      const format = def.format ?? def.checks?.find((c) => c._zod.def.format)?._zod.def.format;
      if (format === "date") return { name, type: "date32", nullable };
      if (format === "datetime") return { name, type: "timestamp_us", nullable };
      return { name, type: "utf8", nullable };
    }
    case "number": {
      const format = def.format ?? def.checks?.find((c) => c._zod.def.format)?._zod.def.format;
      const isInt = format === "int32" || format === "safeint";
      return { name, type: isInt ? "int32" : "float64", nullable };
    }
    case "bigint":
      return { name, type: "int64", nullable };
    case "boolean":
      return { name, type: "boolean", nullable };
  }
  throw new TsdfError("TSDF1010", `zod schema field '${name}' has type '${def.type}', which tsdf cannot store`, undefined, [
    "use z.string(), z.number(), z.int32(), z.bigint(), z.boolean(), z.iso.date(), z.iso.datetime(), optionally .nullable()",
  ]);
}

/** The fields of a `schema()` or a zod object schema. */
export function fieldsOf(s: SchemaLike<unknown>): readonly Field[] {
  if ("kind" in s && s.kind === "tsdf.schema") return s.fields;
  const shape = (s as ZodObjectLike<unknown>).shape;
  if (!shape || typeof shape !== "object") throw new TsdfError("TSDF1010", "expected a schema() or a zod object schema");
  return Object.entries(shape).map(([name, z]) => zodField(name, (z as { _zod: { def: ZodDefLike } })._zod.def));
}
