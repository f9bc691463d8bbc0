/**
 * Spark's order of two non-null values of one column type: numbers with NaN above every
 * number and -0 equal to 0, bigints, false before true, and strings in code point order
 * (UTF-8 byte order, as Spark compares them), which is not JS's UTF-16 `<` for characters
 * above U+FFFF.
 */
export function compareSortValues(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  throw new Error(`reference evaluator: cannot order ${typeof a} against ${typeof b}`);
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) < (y[i] as number) ? -1 : 1;
  }
  return x.length - y.length === 0 ? 0 : x.length < y.length ? -1 : 1;
}

/** One sort key as `orderBy` sees it: ascending puts nulls first, descending puts them last. */
export interface SortKeyValue {
  readonly descending: boolean;
  readonly value: unknown;
}

/** Compares two rows' sort keys, key by key. */
export function compareSortKeys(a: readonly SortKeyValue[], b: readonly SortKeyValue[]): number {
  for (let k = 0; k < a.length; k++) {
    const ka = a[k] as SortKeyValue;
    const x = ka.value;
    const y = (b[k] as SortKeyValue).value;
    if (x === null || y === null) {
      if (x === y) continue;
      const nullFirst = !ka.descending;
      return (x === null) === nullFirst ? -1 : 1;
    }
    const c = compareSortValues(x, y);
    if (c !== 0) return ka.descending ? -c : c;
  }
  return 0;
}
