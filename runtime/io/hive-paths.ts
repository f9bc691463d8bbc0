/** Hive-style partition folder names (`col=value`), escaped the way Spark escapes them. */

/** The folder value Spark writes for a null (or empty string) partition value. */
export const HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

const ESCAPED = new Set(['"', "#", "%", "'", "*", "/", ":", "=", "?", "\\", "\x7f", "{", "[", "]", "^"]);

/** A path segment's text for a value: characters that are unsafe in paths become `%XX`. */
export function escapePathValue(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out += ESCAPED.has(ch) || code < 0x20 ? `%${code.toString(16).toUpperCase().padStart(2, "0")}` : ch;
  }
  return out;
}

/** Inverse of `escapePathValue`. */
export function unescapePathValue(segment: string): string {
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** `col=value` for a partition value (null → the Hive default partition). */
export function partitionSegment(column: string, value: string | null): string {
  return `${escapePathValue(column)}=${value === null || value === "" ? HIVE_NULL : escapePathValue(value)}`;
}

/** The column and value a `col=value` folder name stands for, or undefined for other names. */
export function parseSegment(segment: string): { column: string; value: string | null } | undefined {
  const eq = segment.indexOf("=");
  if (eq <= 0) return undefined;
  const raw = segment.slice(eq + 1);
  return { column: unescapePathValue(segment.slice(0, eq)), value: raw === HIVE_NULL ? null : unescapePathValue(raw) };
}
