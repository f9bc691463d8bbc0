import { TsdfError } from "./errors.ts";
import { type Expr, assertNever, formatExpr } from "./expr.ts";
import { SCALAR_FUNCTIONS } from "./functions.ts";
import { DATA_TYPES, type DataType, type Schema, findField, isNumeric, nearestName } from "./schema.ts";

export interface ExprType {
  readonly type: DataType;
  readonly nullable: boolean;
}

/** Input schemas an expression sees: one for row lambdas, two for join conditions. */
export type Scope = readonly [Schema] | readonly [Schema, Schema];

function unknownColumn(name: string, schema: Schema): TsdfError {
  const names = schema.fields.map((f) => f.name);
  const near = nearestName(name, names);
  return new TsdfError(
    "TSDF2001",
    `unknown column '${name}'${near ? `. Did you mean '${near}'?` : ""}`,
    undefined,
    [`available columns: ${names.join(", ")}`],
  );
}

/** A divisor that can never be zero: a non-zero number literal, possibly negated. */
function nonZeroLiteral(e: Expr): boolean {
  if (e.kind === "Unary" && e.op === "-") return nonZeroLiteral(e.operand);
  return e.kind === "Literal" && typeof e.value === "number" && e.value !== 0;
}

function arithmeticType(op: string, l: DataType, r: DataType, divisor: Expr): DataType {
  if (op === "+" && (l === "utf8" || r === "utf8")) return "utf8";
  if (l === "int64" && r === "int64") return "int64";
  if (!isNumeric(l) || !isNumeric(r) || l === "int64" || r === "int64") {
    throw new TsdfError("TSDF2002", `operator '${op}' cannot combine ${l} and ${r}`);
  }
  // JavaScript's meaning: an int32 % int32 stays in range, and is NaN for a zero divisor, which
  // only a double holds; other arithmetic keeps its exact double value.
  if (op === "%" && l === "int32" && r === "int32" && nonZeroLiteral(divisor)) return "int32";
  return "float64";
}

/** Infers the type of an expression against its input schema(s), and validates it. */
export function exprType(e: Expr, scope: Scope): ExprType {
  const t = (x: Expr) => exprType(x, scope);
  switch (e.kind) {
    case "Column": {
      const schema = scope[e.side ?? 0];
      if (!schema) throw new TsdfError("TSDF2003", `column '${e.name}' refers to a join side outside a join condition`);
      const f = findField(schema, e.name);
      if (!f) throw unknownColumn(e.name, schema);
      return { type: f.type, nullable: f.nullable };
    }
    case "Literal":
      return e.type === "null" ? { type: "utf8", nullable: true } : { type: e.type, nullable: e.value === null };
    case "Param":
      return { type: e.type, nullable: false };
    case "Binary": {
      const l = t(e.left);
      const r = t(e.right);
      switch (e.op) {
        case "===":
        case "!==":
        case "<":
        case "<=":
        case ">":
        case ">=":
          if (l.type !== r.type && !(isNumeric(l.type) && isNumeric(r.type))) {
            throw new TsdfError("TSDF2002", `cannot compare ${l.type} with ${r.type} in ${formatExpr(e)}`);
          }
          return { type: "boolean", nullable: false };
        default:
          return { type: arithmeticType(e.op, l.type, r.type, e.right), nullable: l.nullable || r.nullable };
      }
    }
    case "Unary": {
      const o = t(e.operand);
      if (e.op === "!") return { type: "boolean", nullable: false };
      if (!isNumeric(o.type)) throw new TsdfError("TSDF2002", `unary '-' needs a number, got ${o.type}`);
      return o;
    }
    case "Logical": {
      const l = t(e.left);
      const r = t(e.right);
      if (l.type !== r.type && !(isNumeric(l.type) && isNumeric(r.type))) {
        throw new TsdfError("TSDF2002", `'${e.op}' needs operands of one type, got ${l.type} and ${r.type}`);
      }
      const type = l.type === r.type ? l.type : "float64";
      if (e.op === "??") return { type, nullable: l.nullable && r.nullable };
      if (e.op === "||") return { type, nullable: r.nullable };
      return { type, nullable: l.nullable || r.nullable };
    }
    case "Conditional": {
      const a = t(e.whenTrue);
      const b = t(e.whenFalse);
      const aNull = e.whenTrue.kind === "Literal" && e.whenTrue.value === null;
      const bNull = e.whenFalse.kind === "Literal" && e.whenFalse.value === null;
      if (aNull) return { type: b.type, nullable: true };
      if (bNull) return { type: a.type, nullable: true };
      if (a.type !== b.type && !(isNumeric(a.type) && isNumeric(b.type) && a.type !== "int64" && b.type !== "int64")) {
        throw new TsdfError("TSDF2002", `both branches of '?:' must have one type, got ${a.type} and ${b.type}`);
      }
      return { type: a.type === b.type ? a.type : "float64", nullable: a.nullable || b.nullable };
    }
    case "IsNull":
      t(e.operand);
      return { type: "boolean", nullable: false };
    case "Cast":
      return { type: e.to, nullable: t(e.operand).nullable || e.to === "date32" };
    case "Call": {
      if (e.fn === "current_date") return { type: "date32", nullable: false };
      const fn = SCALAR_FUNCTIONS.get(e.fn);
      if (!fn) throw new TsdfError("TSDF2004", `unknown function ${e.fn}()`);
      if (e.args.length < fn.minArgs || e.args.length > fn.maxArgs) {
        throw new TsdfError("TSDF2004", `${e.fn}() takes ${fn.minArgs}–${fn.maxArgs} arguments, got ${e.args.length}`);
      }
      const args = e.args.map(t);
      const rt = fn.returnType(args.map((a) => a.type));
      if (!DATA_TYPES.includes(rt as DataType)) throw new TsdfError("TSDF2002", rt);
      const nullable = fn.nullIn === false ? args.every((a) => a.nullable) : args.some((a) => a.nullable) || fn.introducesNull === true;
      return { type: rt as DataType, nullable };
    }
    case "Agg": {
      if (e.fn === "count" || e.fn === "count_distinct") {
        if (e.arg) t(e.arg);
        return { type: "int64", nullable: false };
      }
      if (!e.arg) throw new TsdfError("TSDF2004", `${e.fn}() needs an argument`);
      const a = t(e.arg);
      switch (e.fn) {
        case "sum":
          if (!isNumeric(a.type)) throw new TsdfError("TSDF2002", `sum() needs a number, got ${a.type}`);
          // int32 sums stay JS numbers (exact to 2^53) so the row type TypeScript sees is `number`.
          return { type: a.type === "int64" ? "int64" : "float64", nullable: true };
        case "avg":
        case "stddev":
          if (!isNumeric(a.type)) throw new TsdfError("TSDF2002", `${e.fn}() needs a number, got ${a.type}`);
          return { type: "float64", nullable: true };
        case "min":
        case "max":
        case "first":
        case "last":
          return { type: a.type, nullable: true };
        default:
          return assertNever(e.fn);
      }
    }
    default:
      return assertNever(e);
  }
}
