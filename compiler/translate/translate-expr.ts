import { type Node, SyntaxKind, type Type, ts } from "ts-morph";
import { type SourceLocation, TsdfError } from "../../plan/errors.ts";

/** Maps stdlib function names (as users call them) to IR function names. */
const SCALARS: Record<string, string> = {
  upper: "upper",
  lower: "lower",
  trim: "trim",
  length: "length",
  substring: "substring",
  concat: "concat",
  round: "round",
  abs: "abs",
  floor: "floor",
  ceil: "ceil",
  sqrt: "sqrt",
  toDate: "to_date",
  dateDiff: "datediff",
  dateAdd: "date_add",
  currentDate: "current_date",
  year: "year",
  month: "month",
  dayOfMonth: "dayofmonth",
  coalesce: "coalesce",
};
const AGGREGATES: Record<string, string> = {
  count: "count",
  countDistinct: "count_distinct",
  sum: "sum",
  avg: "avg",
  min: "min",
  max: "max",
  first: "first",
  last: "last",
  stddev: "stddev",
};

/** What the translator needs to know about the lambda it is in. */
export interface LambdaScope {
  /** Parameter name → join side (0 for single-input lambdas). */
  readonly params: ReadonlyMap<string, 0 | 1>;
  readonly twoSided: boolean;
  readonly allowAggregates: boolean;
  /** True when a call's declaration is one of tsdf's stdlib functions. */
  readonly isStdlibFunction: (call: Node) => string | undefined;
  readonly location: (node: Node) => SourceLocation;
}

const j = (v: unknown) => JSON.stringify(v);

function untranslatable(node: Node, scope: LambdaScope, what: string, hint: string): TsdfError {
  return new TsdfError("TSDF1003", `the lambda uses ${what}, which tsdf cannot translate; ${hint}`, scope.location(node));
}

function isDateType(t: Type): boolean {
  const text = t.getText();
  return /\bTsDate\b/.test(text);
}

function isStringType(t: Type): boolean {
  return t.isString() || t.isStringLiteral() || (t.isUnion() && t.getUnionTypes().every((u) => u.isString() || u.isStringLiteral() || u.isNull()));
}

function referencesLambda(node: Node, scope: LambdaScope): boolean {
  if (node.getKind() === SyntaxKind.Identifier && scope.params.has(node.getText())) return true;
  return node.getChildren().some((c) => referencesLambda(c, scope));
}

function callsStdlib(node: Node, scope: LambdaScope): boolean {
  if (node.getKind() === SyntaxKind.CallExpression && scope.isStdlibFunction(node)) return true;
  return node.getChildren().some((c) => callsStdlib(c, scope));
}

/**
 * Translates one expression of a lambda body into JavaScript source that builds its IR at
 * trace time. Sub-expressions that read no row and call no tsdf function are captured values:
 * they are evaluated when the pipeline is traced and folded in as literals (or params).
 */
export function translateExpr(node: Node, scope: LambdaScope): string {
  const loc = () => j(scope.location(node));
  if (!referencesLambda(node, scope) && !callsStdlib(node, scope)) {
    if (node.getKind() === SyntaxKind.ArrowFunction || node.getKind() === SyntaxKind.FunctionExpression) {
      throw untranslatable(node, scope, "a nested function", "compute values with operators and tsdf functions");
    }
    const literal = literalIR(node);
    if (literal) return literal;
    return `__tsdfValue((${node.getText()}), ${j(node.getText())}, ${loc()})`;
  }
  switch (node.getKind()) {
    case SyntaxKind.ParenthesizedExpression:
    case SyntaxKind.AsExpression:
    case SyntaxKind.NonNullExpression:
    case SyntaxKind.SatisfiesExpression:
      return translateExpr(node.getChildAtIndex(node.getKind() === SyntaxKind.ParenthesizedExpression ? 1 : 0), scope);
    case SyntaxKind.PropertyAccessExpression:
    case SyntaxKind.ElementAccessExpression:
      return columnAccess(node, scope);
    case SyntaxKind.Identifier:
      throw untranslatable(node, scope, `the whole row '${node.getText()}'`, "read its columns, for example r.amount");
    case SyntaxKind.BinaryExpression:
      return binary(node.asKindOrThrow(SyntaxKind.BinaryExpression), scope);
    case SyntaxKind.PrefixUnaryExpression: {
      const u = node.asKindOrThrow(SyntaxKind.PrefixUnaryExpression);
      const op = u.getOperatorToken();
      const operand = translateExpr(u.getOperand(), scope);
      if (op === SyntaxKind.ExclamationToken) return `{kind:"Unary",op:"!",operand:${operand}}`;
      if (op === SyntaxKind.MinusToken) return `{kind:"Unary",op:"-",operand:${operand}}`;
      throw untranslatable(node, scope, `the operator '${u.getText().charAt(0)}'`, "use + - * / % and comparisons");
    }
    case SyntaxKind.ConditionalExpression: {
      const c = node.asKindOrThrow(SyntaxKind.ConditionalExpression);
      return `{kind:"Conditional",test:${translateExpr(c.getCondition(), scope)},whenTrue:${translateExpr(c.getWhenTrue(), scope)},whenFalse:${translateExpr(c.getWhenFalse(), scope)}}`;
    }
    case SyntaxKind.TemplateExpression:
      return template(node.asKindOrThrow(SyntaxKind.TemplateExpression), scope);
    case SyntaxKind.CallExpression:
      return call(node.asKindOrThrow(SyntaxKind.CallExpression), scope);
    default:
      throw untranslatable(node, scope, `'${node.getText().slice(0, 40)}' (${node.getKindName()})`, "use operators, ?:, ??, literals, template strings and tsdf functions");
  }
}

function literalIR(node: Node): string | undefined {
  switch (node.getKind()) {
    case SyntaxKind.NumericLiteral: {
      const v = Number(node.getText().replace(/_/g, ""));
      const type = Number.isInteger(v) && Math.abs(v) <= 2147483647 ? "int32" : "float64";
      return `{kind:"Literal",value:${j(v)},type:${j(type)}}`;
    }
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
      return `{kind:"Literal",value:${j(node.asKindOrThrow(node.getKind() as SyntaxKind.StringLiteral).getLiteralValue())},type:"utf8"}`;
    case SyntaxKind.TrueKeyword:
      return `{kind:"Literal",value:true,type:"boolean"}`;
    case SyntaxKind.FalseKeyword:
      return `{kind:"Literal",value:false,type:"boolean"}`;
    case SyntaxKind.NullKeyword:
      return `{kind:"Literal",value:null,type:"null"}`;
    case SyntaxKind.BigIntLiteral:
      return `{kind:"Literal",value:${j(BigInt(node.getText().slice(0, -1).replace(/_/g, "")).toString())},type:"int64"}`;
    default:
      return undefined;
  }
}

function columnAccess(node: Node, scope: LambdaScope): string {
  const target = node.getChildAtIndex(0);
  const base = target.getKind() === SyntaxKind.Identifier ? target.getText() : undefined;
  let name: string | undefined;
  if (node.getKind() === SyntaxKind.PropertyAccessExpression) {
    name = node.asKindOrThrow(SyntaxKind.PropertyAccessExpression).getName();
  } else {
    const arg = node.asKindOrThrow(SyntaxKind.ElementAccessExpression).getArgumentExpression();
    if (arg?.getKind() === SyntaxKind.StringLiteral) name = arg.asKindOrThrow(SyntaxKind.StringLiteral).getLiteralValue();
  }
  if (base === undefined || !scope.params.has(base) || name === undefined) {
    const text = node.getText();
    if (name === "length") throw untranslatable(node, scope, `'${text}'`, "use length(s) from tsdf (Spark's length counts code points)");
    throw untranslatable(node, scope, `'${text}'`, "read columns directly as r.column");
  }
  const side = scope.twoSided ? `,side:${scope.params.get(base)}` : "";
  return `{kind:"Column",name:${j(name)}${side}}`;
}

const BINARY: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.EqualsEqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!==",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
};
const LOGICAL: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.AmpersandAmpersandToken]: "&&",
  [SyntaxKind.BarBarToken]: "||",
  [SyntaxKind.QuestionQuestionToken]: "??",
};

function isNullish(node: Node): boolean {
  const k = node.getKind();
  return k === SyntaxKind.NullKeyword || (k === SyntaxKind.Identifier && node.getText() === "undefined");
}

/** A date compared with or added to a string: the string side becomes a date, or the date a string. */
function coerced(node: Node, other: Node, scope: LambdaScope, op: string): string {
  const ir = translateExpr(node, scope);
  const selfDate = isDateType(node.getType());
  const otherDate = isDateType(other.getType());
  if (op === "+" && selfDate && !otherDate) return `{kind:"Cast",operand:${ir},to:"utf8"}`;
  if (op !== "+" && otherDate && !selfDate && isStringType(node.getType())) return `{kind:"Cast",operand:${ir},to:"date32"}`;
  return ir;
}

function binary(node: import("ts-morph").BinaryExpression, scope: LambdaScope): string {
  const kind = node.getOperatorToken().getKind();
  const left = node.getLeft();
  const right = node.getRight();
  if (kind === SyntaxKind.EqualsEqualsToken || kind === SyntaxKind.ExclamationEqualsToken) {
    if (!isNullish(left) && !isNullish(right)) {
      throw untranslatable(node, scope, `'${node.getOperatorToken().getText()}'`, "use === or !== (JavaScript's loose equality converts types)");
    }
  }
  const eq = kind === SyntaxKind.EqualsEqualsEqualsToken || kind === SyntaxKind.EqualsEqualsToken;
  const ne = kind === SyntaxKind.ExclamationEqualsEqualsToken || kind === SyntaxKind.ExclamationEqualsToken;
  if ((eq || ne) && (isNullish(left) || isNullish(right))) {
    const operand = isNullish(right) ? left : right;
    return `{kind:"IsNull",operand:${translateExpr(operand, scope)},negated:${ne}}`;
  }
  const logical = LOGICAL[kind];
  if (logical) return `{kind:"Logical",op:${j(logical)},left:${translateExpr(left, scope)},right:${translateExpr(right, scope)}}`;
  const op = BINARY[kind];
  if (!op) throw untranslatable(node, scope, `the operator '${node.getOperatorToken().getText()}'`, "use + - * / % === !== < <= > >= && || ??");
  return `{kind:"Binary",op:${j(op)},left:${coerced(left, right, scope, op)},right:${coerced(right, left, scope, op)}}`;
}

function template(node: import("ts-morph").TemplateExpression, scope: LambdaScope): string {
  let acc = `{kind:"Literal",value:${j(node.getHead().getLiteralText())},type:"utf8"}`;
  for (const span of node.getTemplateSpans()) {
    const e = span.getExpression();
    let ir = translateExpr(e, scope);
    if (isDateType(e.getType())) ir = `{kind:"Cast",operand:${ir},to:"utf8"}`;
    acc = `{kind:"Binary",op:"+",left:${acc},right:${ir}}`;
    const text = span.getLiteral().getLiteralText();
    if (text !== "") acc = `{kind:"Binary",op:"+",left:${acc},right:{kind:"Literal",value:${j(text)},type:"utf8"}}`;
  }
  return acc;
}

function call(node: import("ts-morph").CallExpression, scope: LambdaScope): string {
  const name = scope.isStdlibFunction(node);
  const callee = node.getExpression().getText();
  if (!name) {
    const hint = /^Math\.(abs|floor|ceil|sqrt|round)$/.test(callee)
      ? `use ${callee.slice(5)}() from tsdf (Spark's meaning${callee === "Math.round" ? ": HALF_UP" : ""})`
      : /\.(toUpperCase|toLowerCase|trim)$/.test(callee)
        ? "use upper(), lower() or trim() from tsdf"
        : "use a tsdf function (upper, round, toDate, coalesce, ...) or compute the value outside the lambda";
    throw untranslatable(node, scope, `a call to '${callee}()'`, hint);
  }
  const args = node.getArguments();
  const agg = AGGREGATES[name];
  if (agg) {
    if (!scope.allowAggregates) {
      throw new TsdfError("TSDF2005", `${name}() is an aggregate: use it inside agg()`, scope.location(node));
    }
    const arg = args[0];
    return arg ? `{kind:"Agg",fn:${j(agg)},arg:${translateExpr(arg, scope)}}` : `{kind:"Agg",fn:${j(agg)}}`;
  }
  const fn = SCALARS[name];
  if (!fn) {
    throw untranslatable(node, scope, `${name}() here`, name === "desc" || name === "asc" ? "asc()/desc() belong at the top of an orderBy() lambda" : "see the list of tsdf functions in the README");
  }
  const translated = args.map((a) => {
    const ir = translateExpr(a, scope);
    // Date functions take dates: a string argument (a literal date) is cast.
    const wantsDate = ["datediff", "date_add", "year", "month", "dayofmonth"].includes(fn);
    return wantsDate && isStringType(a.getType()) && !isDateType(a.getType()) ? `{kind:"Cast",operand:${ir},to:"date32"}` : ir;
  });
  return `{kind:"Call",fn:${j(fn)},args:[${translated.join(",")}]}`;
}

export const STDLIB_FUNCTION_NAMES: ReadonlySet<string> = new Set([...Object.keys(SCALARS), ...Object.keys(AGGREGATES), "asc", "desc"]);
export { ts };
