import { resolve, sep } from "node:path";
import { type ArrowFunction, type CallExpression, type FunctionExpression, Node, type PropertyAccessExpression, type SourceFile, SyntaxKind } from "ts-morph";
import { type SourceLocation, TsdfError } from "../../plan/errors.ts";
import { type LambdaScope, STDLIB_FUNCTION_NAMES, translateExpr } from "./translate-expr.ts";

const STDLIB_DIR = resolve(import.meta.dirname, "../../stdlib") + sep;

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** For an insertion around a call: the call's width, which orders insertions at one position. */
  readonly span?: number;
}

/** The lambda argument kinds of DataFrame methods, by what the lambda must return. */
const LAMBDA_METHODS: Record<string, "expr" | "record" | "sort" | "join"> = {
  filter: "expr",
  where: "expr",
  withColumn: "expr",
  withColumns: "record",
  select: "record",
  agg: "record",
  orderBy: "sort",
  sort: "sort",
  join: "join",
};

function declaredInStdlib(node: Node | undefined): boolean {
  const file = node?.getSourceFile().getFilePath();
  return file !== undefined && resolve(file).startsWith(STDLIB_DIR);
}

/** The stdlib function a call resolves to, by the checker's symbol (aliases and re-exports followed). */
function stdlibFunctionName(call: Node): string | undefined {
  if (!Node.isCallExpression(call)) return undefined;
  let symbol = call.getExpression().getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
  const decl = symbol?.getDeclarations()[0];
  if (!decl || !declaredInStdlib(decl)) return undefined;
  const name = symbol?.getName();
  return name && STDLIB_FUNCTION_NAMES.has(name) ? name : undefined;
}

/** DSL calls without a lambda whose nodes or sinks take the call's location (for errors that name it). */
const LOCATED_METHODS = new Set(["csv", "parquet", "json", "arrow", "limit", "distinct", "dropDuplicates", "union", "unionByName", "show", "output"]);

/** The name of the stdlib method a call invokes, if it is one of `names`. */
function stdlibMethod(call: CallExpression, names: ReadonlySet<string>): string | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.getName();
  if (!names.has(name)) return undefined;
  const decl = callee.getSymbol()?.getDeclarations()[0];
  return declaredInStdlib(decl) ? name : undefined;
}

const LAMBDA_METHOD_NAMES = new Set(Object.keys(LAMBDA_METHODS));

export function locationOf(node: Node): SourceLocation {
  const sf = node.getSourceFile();
  const start = node.getStart();
  const { line, column } = sf.getLineAndColumnAtPos(start);
  const lineText = sf.getFullText().split("\n")[line - 1] ?? "";
  return { file: sf.getFilePath(), line, column, lineText: lineText.replace(/\r$/, "") };
}

function lambdaBody(fn: ArrowFunction | FunctionExpression): Node {
  const body = fn.getBody();
  if (Node.isBlock(body)) {
    const statements = body.getStatements();
    const ret = statements[0];
    if (statements.length === 1 && ret && Node.isReturnStatement(ret) && ret.getExpression()) return ret.getExpressionOrThrow();
    throw new TsdfError("TSDF1006", "a lambda body must be one expression (or a block with a single return)", locationOf(body), [
      "move intermediate values into withColumn() steps",
    ]);
  }
  return body;
}

function unwrap(node: Node): Node {
  let n = node;
  while (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n)) n = n.getExpression();
  return n;
}

function translateRecord(body: Node, scope: LambdaScope): string {
  const obj = unwrap(body);
  if (!Node.isObjectLiteralExpression(obj)) {
    throw new TsdfError("TSDF1002", "this lambda must return an object literal such as (r) => ({ total: r.a + r.b })", scope.location(body));
  }
  const fields = obj.getProperties().map((prop) => {
    if (Node.isPropertyAssignment(prop)) {
      const nameNode = prop.getNameNode();
      const name = Node.isStringLiteral(nameNode) ? nameNode.getLiteralValue() : nameNode.getText();
      const init = prop.getInitializerOrThrow();
      return `{name:${JSON.stringify(name)},expr:${translateExpr(init, scope)},loc:${JSON.stringify(scope.location(prop))}}`;
    }
    if (Node.isShorthandPropertyAssignment(prop)) {
      return `{name:${JSON.stringify(prop.getName())},expr:${translateExpr(prop.getNameNode(), scope)},loc:${JSON.stringify(scope.location(prop))}}`;
    }
    throw new TsdfError("TSDF1003", `'${prop.getText().slice(0, 30)}' is not supported here; list each column as name: expression`, scope.location(prop));
  });
  return `{kind:"record",fields:[${fields.join(",")}]}`;
}

function translateSort(body: Node, scope: LambdaScope): string {
  const node = unwrap(body);
  const items = Node.isArrayLiteralExpression(node) ? node.getElements() : [node];
  const keys = items.map((item) => {
    const inner = unwrap(item);
    const fn = Node.isCallExpression(inner) ? stdlibFunctionName(inner) : undefined;
    if (fn === "asc" || fn === "desc") {
      const arg = (inner as CallExpression).getArguments()[0];
      if (!arg) throw new TsdfError("TSDF1003", `${fn}() needs a key`, scope.location(inner));
      const descending = fn === "desc";
      return `{expr:${translateExpr(arg, scope)},descending:${descending},nullsFirst:${!descending}}`;
    }
    return `{expr:${translateExpr(inner, scope)},descending:false,nullsFirst:true}`;
  });
  return `{kind:"sort",keys:[${keys.join(",")}]}`;
}

function translateLambda(fn: ArrowFunction | FunctionExpression, kind: "expr" | "record" | "sort" | "join", method: string): string {
  const params = fn.getParameters();
  const expected = kind === "join" ? 2 : 1;
  if (params.length !== expected) {
    throw new TsdfError("TSDF1007", `the ${method}() lambda must take ${expected === 2 ? "two parameters (left, right)" : "one parameter (the row)"}`, locationOf(fn));
  }
  const names = new Map<string, 0 | 1>();
  params.forEach((p, i) => {
    const nameNode = p.getNameNode();
    if (!Node.isIdentifier(nameNode)) {
      throw new TsdfError("TSDF1008", "destructuring the row is not supported; write (r) => r.column", locationOf(p));
    }
    names.set(nameNode.getText(), i as 0 | 1);
  });
  const scope: LambdaScope = {
    params: names,
    twoSided: kind === "join",
    allowAggregates: method === "agg",
    isStdlibFunction: stdlibFunctionName,
    location: locationOf,
  };
  const body = lambdaBody(fn);
  if (kind === "record") return translateRecord(body, scope);
  if (kind === "sort") return translateSort(body, scope);
  return `{kind:"expr",expr:${translateExpr(body, scope)}}`;
}

export interface RewriteResult {
  readonly text: string;
  /** Whether anything was rewritten (a lambda translated or a DSL call located). */
  readonly rewritten: boolean;
}

/**
 * Rewrites every lambda passed to a DataFrame method into `__tsdfLambda(fn, () => IR, loc)`,
 * keeping the original function for the reference evaluator, and wraps every DSL call without
 * a lambda (reads, limit(), sinks, …) as `__tsdfAt(loc, () => call)`. An untranslatable lambda
 * throws, or, when `errors` is given, is recorded there and the others are still translated.
 */
export function rewriteSourceFile(sf: SourceFile, errors?: TsdfError[]): RewriteResult {
  const edits: Edit[] = [];
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (stdlibMethod(call, LOCATED_METHODS)) {
      // At the method's name, which in a chain over several lines is the line that calls it.
      const loc = JSON.stringify(locationOf((call.getExpression() as PropertyAccessExpression).getNameNode()));
      // Insertions only, so lambdas inside the call keep their own edits; on one line, so line numbers stay the user's.
      edits.push({ start: call.getStart(), end: call.getStart(), text: `__tsdfAt(${loc}, () => `, span: call.getWidth() });
      edits.push({ start: call.getEnd(), end: call.getEnd(), text: ")", span: call.getWidth() });
      continue;
    }
    const method = stdlibMethod(call, LAMBDA_METHOD_NAMES);
    if (!method) continue;
    const kind = LAMBDA_METHODS[method] as "expr" | "record" | "sort" | "join";
    for (const arg of call.getArguments()) {
      try {
        const edit = lambdaEdit(arg, kind, method);
        if (edit) edits.push(edit);
      } catch (e) {
        if (!errors || !(e instanceof TsdfError)) throw e;
        errors.push(e);
      }
    }
  }
  if (edits.length === 0) return { text: sf.getFullText(), rewritten: false };
  let text = sf.getFullText();
  // Last position first. Where several calls start at one place (a chain), the outer call's opening
  // must end up leftmost, so the inner (narrower) one is inserted first; closings all differ.
  const order = [...edits].sort((a, b) => b.start - a.start || (a.span ?? 0) - (b.span ?? 0));
  for (const e of order) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  // On the first line, so line numbers in the rewritten file stay the user's.
  const header = 'import { __tsdfAt, __tsdfLambda, __tsdfValue } from "tsdf"; ';
  return { text: header + text, rewritten: true };
}

function lambdaEdit(arg: Node, kind: "expr" | "record" | "sort" | "join", method: string): Edit | undefined {
  if (Node.isArrowFunction(arg) || Node.isFunctionExpression(arg)) {
    const ir = translateLambda(arg, kind, method);
    const loc = JSON.stringify(locationOf(arg));
    return { start: arg.getStart(), end: arg.getEnd(), text: `__tsdfLambda(${arg.getText()}, () => (${ir}), ${loc})` };
  }
  if (arg.getType().getCallSignatures().length > 0) {
    const what = kind === "join" ? "the join condition" : `the ${method}() lambda`;
    throw new TsdfError("TSDF1009", `pass ${what} inline so tsdf can translate it`, locationOf(arg));
  }
  return undefined;
}
