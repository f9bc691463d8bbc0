import type { DataType } from "../plan/schema.ts";

const PARAM = Symbol.for("tsdf.param");

/** A run parameter as seen while tracing: symbolic, so lambdas that capture it keep `$name`. */
export interface ParamHandle {
  readonly [PARAM]: true;
  readonly name: string;
  readonly type: DataType;
}

export function paramHandle(name: string, type: DataType): ParamHandle {
  return { [PARAM]: true, name, type };
}

export function isParamHandle(v: unknown): v is ParamHandle {
  return typeof v === "object" && v !== null && PARAM in v;
}
