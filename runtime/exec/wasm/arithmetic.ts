/**
 * Arithmetic kernels in WebAssembly: an expression of + - * / and negation over int32 and
 * float64 columns and number literals, compiled at run time into a module that loops over the
 * batch in the folds' memory (heap.ts). In V8 the same loop in JavaScript reloads each typed
 * array's data pointer and length after every store, which made it 3-4× slower; an aggregate's
 * argument (a sum of products, an average of a difference) is computed this way straight into
 * the scratch region its fold reads. The values are those of the JavaScript kernel to the bit:
 * both are IEEE double arithmetic on the same doubles, and a product of two ints adds 0 in both
 * (kernels.ts).
 */
import { assertNever, type Expr } from "../../../plan/expr.ts";
import { exprType } from "../../../plan/expr-type.ts";
import { fieldIndex, type Schema } from "../../../plan/schema.ts";
import type { ColumnBatch } from "../columns.ts";
import { floatsAt, folds, Scratch, toHeap } from "./heap.ts";

/** Scratch regions for a kernel's input columns, one per column: a kernel reads at most this many. */
const INPUT_SLOTS = [Scratch.KernelInput0, Scratch.KernelInput1, Scratch.KernelInput2, Scratch.KernelInput3] as const;

/**
 * Computes an expression for the rows of a batch into `into` (a view of the heap); returns a
 * fresh view of it, or undefined (nothing written) when `into` is not in the heap or a column the
 * kernel reads is not a typed array of its type.
 */
export type ArithmeticKernel = (input: ColumnBatch, into: Float64Array) => Float64Array | undefined;

/** The module's code, as it is built from the expression tree: WebAssembly opcodes and immediates. */
class Code {
  readonly bytes: number[] = [];
  op(...bytes: number[]): void {
    this.bytes.push(...bytes);
  }
  /** An unsigned LEB128 integer. */
  u32(v: number): void {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.bytes.push(x === 0 ? b : b | 0x80);
    } while (x !== 0);
  }
  f64(v: number): void {
    this.bytes.push(...new Uint8Array(Float64Array.of(v).buffer));
  }
}

const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  f64Const: 0x44,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  f64Neg: 0x9a,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64ConvertI32S: 0xb7,
  void: 0x40,
  i32: 0x7f,
} as const;

const BINARY_OPS: Readonly<Record<string, number>> = { "+": OP.f64Add, "-": OP.f64Sub, "*": OP.f64Mul, "/": OP.f64Div };

/**
 * The columns (by index in `schema`) an arithmetic expression reads, in order of first use, or
 * undefined when it is not one (another operator, a function, a string, a nullable literal).
 */
function arithmeticColumns(expr: Expr, schema: Schema): number[] | undefined {
  const columns: number[] = [];
  const visit = (e: Expr): boolean => {
    const t = exprType(e, [schema]).type;
    if (t !== "int32" && t !== "float64") return false;
    switch (e.kind) {
      case "Column": {
        const k = fieldIndex(schema, e.name);
        if (k < 0 || (e.side ?? 0) !== 0) return false;
        if (!columns.includes(k)) columns.push(k);
        return true;
      }
      case "Literal":
        return typeof e.value === "number";
      case "Binary":
        return BINARY_OPS[e.op] !== undefined && visit(e.left) && visit(e.right);
      case "Unary":
        return e.op === "-" && visit(e.operand);
      default:
        return false;
    }
  };
  return visit(expr) && columns.length > 0 && columns.length <= INPUT_SLOTS.length ? columns : undefined;
}

/** Emits the value of `e` (an f64 on the stack) for row `i` (local `iLocal`); column k's base address is parameter `params.indexOf(k)`. */
function emitValue(code: Code, e: Expr, schema: Schema, params: readonly number[], iLocal: number): void {
  switch (e.kind) {
    case "Column": {
      const k = fieldIndex(schema, e.name);
      const int = schema.fields[k]?.type === "int32";
      code.op(OP.localGet, params.indexOf(k), OP.localGet, iLocal, OP.i32Const, int ? 2 : 3, OP.i32Shl, OP.i32Add);
      if (int) code.op(OP.i32Load, 2, 0, OP.f64ConvertI32S);
      else code.op(OP.f64Load, 3, 0);
      return;
    }
    case "Literal":
      code.op(OP.f64Const);
      code.f64(e.value as number);
      return;
    case "Binary": {
      emitValue(code, e.left, schema, params, iLocal);
      emitValue(code, e.right, schema, params, iLocal);
      code.op(BINARY_OPS[e.op] as number);
      // As the JavaScript kernel does: a product of ints is never -0.
      if (e.op === "*" && exprType(e.left, [schema]).type === "int32" && exprType(e.right, [schema]).type === "int32") {
        code.op(OP.f64Const);
        code.f64(0);
        code.op(OP.f64Add);
      }
      return;
    }
    case "Unary":
      emitValue(code, e.operand, schema, params, iLocal);
      code.op(OP.f64Neg);
      return;
    case "Param":
    case "IsNull":
    case "Logical":
    case "Conditional":
    case "Cast":
    case "Call":
    case "Agg":
      throw new Error(`internal: ${e.kind} in an arithmetic kernel`);
    default:
      assertNever(e);
  }
}

function section(id: number, contents: readonly number[]): number[] {
  const size = new Code();
  size.u32(contents.length);
  return [id, ...size.bytes, ...contents];
}

function name(s: string): number[] {
  return [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
}

/**
 * The module for `expr` over `columns`: it imports the memory ("env" "memory") and exports
 * run(column addresses…, out, n), which writes row i's value as a float64 at out + 8i.
 */
function moduleBytes(expr: Expr, schema: Schema, columns: readonly number[]): Uint8Array<ArrayBuffer> {
  const params = columns.length + 2;
  const [out, n, i] = [columns.length, columns.length + 1, columns.length + 2];
  const body = new Code();
  body.op(1, 1, OP.i32); // one local: i
  body.op(OP.block, OP.void, OP.loop, OP.void);
  body.op(OP.localGet, i, OP.localGet, n, OP.i32GeU, OP.brIf, 1);
  body.op(OP.localGet, out, OP.localGet, i, OP.i32Const, 3, OP.i32Shl, OP.i32Add);
  emitValue(body, expr, schema, columns, i);
  body.op(OP.f64Store, 3, 0);
  body.op(OP.localGet, i, OP.i32Const, 1, OP.i32Add, OP.localSet, i, OP.br, 0);
  body.op(OP.end, OP.end, OP.end);
  const bodySize = new Code();
  bodySize.u32(body.bytes.length);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, params, ...Array.from({ length: params }, () => OP.i32), 0]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("run"), 0x00, 0]),
    ...section(10, [1, ...bodySize.bytes, ...body.bytes]),
  ]);
}

type Run = (...args: number[]) => void;

/**
 * A WebAssembly kernel for `expr` over `schema`, or undefined when the expression is not plain
 * arithmetic over at most four int32 and float64 columns.
 */
export function arithmeticKernel(expr: Expr, schema: Schema): ArithmeticKernel | undefined {
  const columns = arithmeticColumns(expr, schema);
  if (columns === undefined) return undefined;
  const module = new WebAssembly.Module(moduleBytes(expr, schema, columns));
  const kinds = columns.map((k) => (schema.fields[k]?.type === "int32" ? Int32Array : Float64Array));
  // One instance per memory: a thread's heap may be replaced by a fresh one (releaseIdleHeap).
  const instances = new WeakMap<WebAssembly.Memory, Run>();
  return (input, into) => {
    const values = columns.map((k) => input.columns[k]);
    if (into.buffer !== folds.memory.buffer || !values.every((v, c) => v instanceof (kinds[c] as Int32ArrayConstructor | Float64ArrayConstructor))) return undefined;
    const n = input.length;
    // The output's offset first: copying the inputs may grow the heap, which detaches `into`.
    const out = into.byteOffset;
    const addresses = values.map((v, c) => toHeap(INPUT_SLOTS[c] as Scratch, v as unknown as Int32Array | Float64Array, n));
    const memory = folds.memory;
    let run = instances.get(memory);
    if (run === undefined) {
      run = new WebAssembly.Instance(module, { env: { memory } }).exports.run as Run;
      instances.set(memory, run);
    }
    run(...addresses, out, n);
    return floatsAt(out, n);
  };
}
