import { TsdfError } from "../../plan/errors.ts";
import { assertNever, columnsOf, type Expr, formatExpr } from "../../plan/expr.ts";
import { exprType, type Scope } from "../../plan/expr-type.ts";
import { daysToIso, isoToDays, SCALAR_FUNCTIONS } from "../../plan/functions.ts";
import { type DataType, fieldIndex, type Schema } from "../../plan/schema.ts";
import { type ColumnBatch, isoToMicros, microsToIso } from "./columns.ts";
import { arithmeticKernel } from "./wasm/arithmetic.ts";

/** What a kernel reads besides its input rows: the run's current date (days) and parameters. */
export interface KernelContext {
  readonly currentDate: number;
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** Columns of a schema, by index: those some reader reads, or (null) all of them. */
export type ColumnSet = ReadonlySet<number> | null;

/** The columns of `schema` that kernels over `exprs` read; null (all) when one is not there by name. */
export function columnsRead(schema: Schema, exprs: readonly Expr[]): ColumnSet {
  const out = new Set<number>();
  for (const e of exprs) {
    for (const name of columnsOf(e)) {
      const k = fieldIndex(schema, name);
      if (k < 0) return null;
      out.add(k);
    }
  }
  return out;
}

export const unionColumns = (a: ColumnSet, b: ColumnSet): ColumnSet => (a === null || b === null ? null : new Set([...a, ...b]));

/**
 * Evaluates an expression for every row of a batch. A kernel whose values are non-nullable
 * doubles writes them into `into` when given (of the batch's length), else into a new array.
 */
export type BatchKernel = (input: ColumnBatch, ctx: KernelContext, into?: Float64Array) => unknown[];
/** Binds a left and right batch, then evaluates a join condition for row pair (i, j). */
export type PairKernel = (left: ColumnBatch, right: ColumnBatch, ctx: KernelContext) => (i: number, j: number) => unknown;

const MICROS_PER_DAY = 86_400_000_000n;

/** Spark-like casts between engine values; the kernel handles null before calling. */
export function castValue(v: unknown, from: DataType, to: DataType): unknown {
  if (from === to) return v;
  switch (to) {
    case "utf8":
      if (from === "date32") return daysToIso(v as number);
      if (from === "timestamp_us") return microsToIso(v as bigint);
      return String(v);
    case "date32":
      if (from === "utf8") return isoToDays((v as string).trim());
      if (from === "timestamp_us") {
        const micros = v as bigint;
        const d = micros / MICROS_PER_DAY;
        return Number(micros < 0n && d * MICROS_PER_DAY !== micros ? d - 1n : d);
      }
      break;
    case "timestamp_us":
      if (from === "utf8") return isoToMicros((v as string).trim());
      if (from === "date32") return BigInt(v as number) * MICROS_PER_DAY;
      break;
    case "float64":
      if (from === "utf8") return numberOrNull((v as string).trim());
      if (from === "boolean") return v ? 1 : 0;
      return Number(v);
    case "int32": {
      const n = from === "utf8" ? numberOrNull((v as string).trim()) : from === "boolean" ? (v ? 1 : 0) : Number(v);
      if (n === null || !Number.isFinite(n)) return null;
      return Math.trunc(n) | 0;
    }
    case "int64": {
      if (from === "utf8") {
        const s = (v as string).trim();
        return /^[+-]?\d+$/.test(s) ? BigInt(s) : null;
      }
      if (from === "boolean") return v ? 1n : 0n;
      const n = Number(v);
      return Number.isFinite(n) ? BigInt.asIntN(64, BigInt(Math.trunc(n))) : null;
    }
    case "boolean":
      if (from === "utf8") {
        const s = (v as string).trim().toLowerCase();
        return s === "true" ? true : s === "false" ? false : null;
      }
      return typeof v === "bigint" ? v !== 0n : v !== 0;
  }
  throw new TsdfError("TSDF2011", `cannot cast ${from} to ${to}`);
}

function numberOrNull(s: string): number | null {
  if (s === "") return null;
  const n = Number(s);
  return Number.isNaN(n) && s !== "NaN" ? null : n;
}

/** A run parameter (string, number or boolean) as an engine value of `type`. */
export function paramValue(ctx: KernelContext, name: string, type: DataType): unknown {
  const v = ctx.params[name];
  if (v === undefined) throw new TsdfError("TSDF4003", `missing --param ${name}=<${type}>`);
  switch (type) {
    case "int64":
      return typeof v === "bigint" ? v : BigInt(typeof v === "number" ? Math.trunc(v) : String(v));
    case "date32":
      return typeof v === "number" ? v : isoToDays(String(v));
    case "timestamp_us":
      return isoToMicros(String(v));
    case "int32":
    case "float64":
      return typeof v === "number" ? v : Number(v);
    case "boolean":
      return typeof v === "boolean" ? v : v === "true";
    default:
      return String(v);
  }
}

function literalSource(value: string | number | boolean | null, type: DataType | "null"): string {
  if (value === null || type === "null") return "null";
  switch (type) {
    case "utf8":
      return JSON.stringify(String(value));
    case "int64":
      return `(${BigInt(value)}n)`;
    case "date32": {
      const days = typeof value === "number" ? value : isoToDays(String(value));
      return days === null ? "null" : `(${days})`;
    }
    case "timestamp_us": {
      const micros = isoToMicros(String(value));
      return micros === null ? "null" : `(${micros}n)`;
    }
    case "boolean":
      return value ? "true" : "false";
    default: {
      const n = Number(value);
      return Object.is(n, -0) ? "(-0)" : `(${n})`;
    }
  }
}

/** Generates JS source for an expression; columns are read as `<var>[i]` (or `[j]` for a join's right side). */
class Generator {
  readonly fns: unknown[] = [];
  readonly prologue: string[] = [];
  private temps = 0;
  private readonly columnVars = new Map<string, string>();
  private readonly paramVars = new Map<string, string>();

  constructor(
    private readonly scope: Scope,
    private readonly pair: boolean,
  ) {}

  get tempDecl(): string {
    return this.temps === 0 ? "" : `let ${Array.from({ length: this.temps }, (_, k) => `t${k}`).join(", ")};`;
  }

  private temp(): string {
    return `t${this.temps++}`;
  }

  private typeOf(e: Expr): DataType {
    return exprType(e, this.scope).type;
  }

  /** JavaScript truthiness of the value; dates and timestamps are non-empty strings to a lambda. */
  truthy(e: Expr): string {
    const t = this.typeOf(e);
    const src = this.gen(e);
    return t === "date32" || t === "timestamp_us" ? `(${src} !== null)` : src;
  }

  private column(name: string, side: 0 | 1): string {
    const key = `${side}:${name}`;
    let v = this.columnVars.get(key);
    if (!v) {
      const schema = this.scope[side] as Schema;
      const index = fieldIndex(schema, name);
      if (index < 0) throw new Error(`internal: column '${name}' is not in the input`);
      v = `${side === 0 ? "l" : "r"}${this.columnVars.size}`;
      this.columnVars.set(key, v);
      this.prologue.push(`const ${v} = ${side === 0 ? "L" : "R"}.columns[${index}];`);
    }
    return `${v}[${side === 1 && this.pair ? "j" : "i"}]`;
  }

  gen(e: Expr): string {
    switch (e.kind) {
      case "Column":
        return this.column(e.name, e.side ?? 0);
      case "Literal":
        return literalSource(e.value, e.type);
      case "Param": {
        let v = this.paramVars.get(e.name);
        if (!v) {
          v = `p${this.paramVars.size}`;
          this.paramVars.set(e.name, v);
          this.prologue.push(`const ${v} = H.paramValue(ctx, ${JSON.stringify(e.name)}, ${JSON.stringify(e.type)});`);
        }
        return v;
      }
      case "Binary": {
        const t = this.typeOf(e.left);
        if ((t === "date32" || t === "timestamp_us") && (e.op === "<" || e.op === "<=" || e.op === ">" || e.op === ">=")) {
          // A lambda compares dates as ISO strings: against null, as numbers (null is 0, a date
          // string NaN), so false, except null <= null and null >= null.
          const [a, b] = [this.temp(), this.temp()];
          const bothNull = e.op === "<=" || e.op === ">=" ? `${a} === null && ${b} === null` : "false";
          return `((${a} = ${this.gen(e.left)}), (${b} = ${this.gen(e.right)}), ${a} === null || ${b} === null ? ${bothNull} : ${a} ${e.op} ${b})`;
        }
        if (e.op === "*" && t === "int32" && this.typeOf(e.right) === "int32") {
          // A product of ints is never -0 (Spark's ints have none): adding 0 says so to V8, which
          // then drops its -0 check on every multiplication (2× faster over int columns).
          return `(${this.gen(e.left)} * ${this.gen(e.right)} + 0)`;
        }
        return `(${this.gen(e.left)} ${e.op} ${this.gen(e.right)})`;
      }
      case "Unary":
        return e.op === "!" ? `(!${this.truthy(e.operand)})` : `(-(${this.gen(e.operand)}))`;
      case "Logical": {
        const t = this.typeOf(e.left);
        if (e.op !== "??" && (t === "date32" || t === "timestamp_us")) {
          const tmp = this.temp();
          return e.op === "&&" ? `((${tmp} = ${this.gen(e.left)}) === null ? null : ${this.gen(e.right)})` : `((${tmp} = ${this.gen(e.left)}) !== null ? ${tmp} : ${this.gen(e.right)})`;
        }
        return `(${this.gen(e.left)} ${e.op} ${this.gen(e.right)})`;
      }
      case "Conditional":
        return `(${this.truthy(e.test)} ? ${this.gen(e.whenTrue)} : ${this.gen(e.whenFalse)})`;
      case "IsNull":
        return `(${this.gen(e.operand)} ${e.negated ? "!==" : "==="} null)`;
      case "Cast": {
        const from = this.typeOf(e.operand);
        if (from === e.to) return this.gen(e.operand);
        const tmp = this.temp();
        return `((${tmp} = ${this.gen(e.operand)}) === null ? null : H.castValue(${tmp}, ${JSON.stringify(from)}, ${JSON.stringify(e.to)}))`;
      }
      case "Call":
        return this.call(e.fn, e.args);
      case "Agg":
        throw new Error(`internal: aggregate ${formatExpr(e)} inside a row expression`);
      default:
        return assertNever(e);
    }
  }

  private call(name: string, args: readonly Expr[]): string {
    if (name === "current_date") return "ctx.currentDate";
    const fn = SCALAR_FUNCTIONS.get(name);
    if (!fn) throw new TsdfError("TSDF2004", `unknown function ${name}()`);
    const f = `F[${this.fns.length}]`;
    this.fns.push(fn.impl);
    if (fn.nullIn === false) return `${f}(${args.map((a) => this.gen(a)).join(", ")})`;
    const temps = args.map(() => this.temp());
    const tests = args.map((a, k) => `(${temps[k]} = ${this.gen(a)}) === null`).join(" || ");
    return `(${tests} ? null : ${f}(${temps.join(", ")}))`;
  }
}

const HELPERS = { castValue, paramValue };

function failure(expr: Expr, e: unknown): Error {
  if (e instanceof TsdfError) return e;
  return new TsdfError("TSDF5001", `evaluating ${formatExpr(expr)} failed: ${(e as Error).message ?? String(e)}`);
}

/** Generated source of a batch kernel, for tests and debugging. */
export function kernelSource(expr: Expr, schema: Schema, truthy = false): string {
  return batchSource(new Generator([schema], false), expr, truthy, typedArithmetic(expr, schema));
}

/**
 * Whether `expr` is arithmetic giving a non-nullable double: its kernel writes a typed array, as
 * a decoded column without nulls is (aggregates then take their dense path, and its Arrow
 * encoding is the buffer), into the array it is given when there is one.
 */
function typedArithmetic(expr: Expr, schema: Schema): boolean {
  if (!(expr.kind === "Binary" && ["+", "-", "*", "/", "%"].includes(expr.op))) return false;
  const type = exprType(expr, [schema]);
  return type.type === "float64" && !type.nullable;
}

function batchSource(g: Generator, expr: Expr, truthy: boolean, typed: boolean): string {
  const body = truthy ? g.truthy(expr) : g.gen(expr);
  const out = typed && !truthy ? "O ?? new Float64Array(n)" : "new Array(n)";
  return [...g.prologue, "const n = L.length;", `const out = ${out};`, g.tempDecl, `for (let i = 0; i < n; i++) out[i] = ${body};`, "return out;"].join("\n");
}

/**
 * Compiles an expression over one input into a function over a decoded batch. The generated
 * code is the expression as JavaScript, so operators keep JS semantics; `truthy` turns the
 * value into JS truthiness (for filters).
 */
export function compileKernel(expr: Expr, schema: Schema, truthy = false): BatchKernel {
  if (expr.kind === "Column" && (expr.side ?? 0) === 0 && !truthy) {
    // A bare column (an aggregate's argument, a projected column) is the input's own array:
    // columns are never written after they are made, so sharing it saves a copy per row.
    const index = fieldIndex(schema, expr.name);
    if (index < 0) throw new Error(`internal: column '${expr.name}' is not in the input`);
    return (input) => input.columns[index] as unknown[];
  }
  const g = new Generator([schema], false);
  const typed = !truthy && typedArithmetic(expr, schema);
  const source = batchSource(g, expr, truthy, typed);
  const fn = new Function("L", "ctx", "F", "H", "O", source) as (l: ColumnBatch, ctx: KernelContext, f: unknown[], h: typeof HELPERS, o?: Float64Array) => unknown[];
  const fns = g.fns;
  // Into the heap (an aggregate's argument), plain arithmetic over typed columns runs as WebAssembly.
  const wasm = typed ? arithmeticKernel(expr, schema) : undefined;
  return (input, ctx, into) => {
    try {
      const done = into !== undefined ? wasm?.(input, into) : undefined;
      return (done as unknown[] | undefined) ?? fn(input, ctx, fns, HELPERS, into);
    } catch (e) {
      throw failure(expr, e);
    }
  };
}

/** Compiles a join condition (columns with side 0 = left row i, side 1 = right row j) to a truthiness test. */
export function compilePairKernel(expr: Expr, left: Schema, right: Schema): PairKernel {
  const g = new Generator([left, right], true);
  const body = g.truthy(expr);
  const source = [...g.prologue, `return (i, j) => { ${g.tempDecl} return ${body}; };`].join("\n");
  const fn = new Function("L", "R", "ctx", "F", "H", source) as (
    l: ColumnBatch,
    r: ColumnBatch,
    ctx: KernelContext,
    f: unknown[],
    h: typeof HELPERS,
  ) => (i: number, j: number) => unknown;
  const fns = g.fns;
  return (l, r, ctx) => {
    const test = fn(l, r, ctx, fns, HELPERS);
    return (i, j) => {
      try {
        return test(i, j);
      } catch (e) {
        throw failure(expr, e);
      }
    };
  };
}
