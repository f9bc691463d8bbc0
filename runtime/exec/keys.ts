/**
 * Keys for grouping, distinct, joins and hash partitioning. Two values are the same key when
 * they are `===`, except that nulls group together, NaN groups with NaN and -0 with 0 (Spark's
 * normalization of floating keys).
 */

/** A value usable as a `Map` key with the grouping semantics above (Map uses SameValueZero). */
export function normalizeKey(v: unknown): unknown {
  return v === undefined ? null : v;
}

function encodeOne(v: unknown): string {
  if (v === null || v === undefined) return "\u0001";
  switch (typeof v) {
    case "string":
      return `s${v.length}:${v}`;
    case "number":
      return v === 0 ? "n0" : `n${v}`;
    case "bigint":
      return `b${v}`;
    case "boolean":
      return v ? "T" : "F";
    default:
      return `?${String(v)}`;
  }
}

/** The key of row `i` over `columns`: the value itself for one column, else an unambiguous string. */
export function rowKey(columns: readonly (readonly unknown[])[], i: number): unknown {
  if (columns.length === 1) return normalizeKey((columns[0] as readonly unknown[])[i]);
  let s = "";
  for (const c of columns) s += `${encodeOne(c[i])}|`;
  return s;
}

export function hasNull(columns: readonly (readonly unknown[])[], i: number): boolean {
  for (const c of columns) if (c[i] === null || c[i] === undefined) return true;
  return false;
}

/** FNV-1a over the key's string form: the same key gives the same partition on both sides of a join. */
export function hashRow(columns: readonly (readonly unknown[])[], i: number): number {
  let h = 0x811c9dc5;
  for (const c of columns) {
    const s = encodeOne(c[i]);
    for (let k = 0; k < s.length; k++) {
      h ^= s.charCodeAt(k);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x7c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Strings in code point order (UTF-8 byte order, as Spark compares), not UTF-16 unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    let x = a.charCodeAt(k);
    let y = b.charCodeAt(k);
    if (x !== y) {
      // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Spark's order of non-null values: NaN above every number, -0 equal to 0, false before true. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "string") return compareStrings(a, b as string);
  if (typeof a === "number") {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b as number);
    if (an || bn) return an && bn ? 0 : an ? 1 : -1;
    return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  }
  if (typeof a === "bigint") return a < (b as bigint) ? -1 : a > (b as bigint) ? 1 : 0;
  if (typeof a === "boolean") return a === b ? 0 : a ? 1 : -1;
  return 0;
}
