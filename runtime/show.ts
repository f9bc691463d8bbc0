import type { Schema } from "../plan/schema.ts";

const MAX_CELL = 20;

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  return String(v);
}

/** Spark's cell truncation: strings longer than 20 characters keep 17 and end in "...". */
function truncate(s: string): string {
  const cps = Array.from(s);
  return cps.length > MAX_CELL ? `${cps.slice(0, MAX_CELL - 3).join("")}...` : s;
}

const width = (s: string): number => Array.from(s).length;

/**
 * Formats rows (row values) as Spark's `show()` does: a bordered table with the cells
 * right-aligned and truncated to 20 characters, then "only showing top N rows" when the
 * data had more rows than shown.
 *
 * @example
 * formatShow(schema, [{ id: 1, name: "a" }], 20, false).join("\n")
 * // +---+----+
 * // | id|name|
 * // +---+----+
 * // |  1|   a|
 * // +---+----+
 */
export function formatShow(schema: Schema, rows: readonly Record<string, unknown>[], n: number, hasMore: boolean): string[] {
  const header = schema.fields.map((f) => truncate(f.name));
  const cells = rows.map((r) => schema.fields.map((f) => truncate(cellText(r[f.name]))));
  const widths = header.map((h, c) => Math.max(3, width(h), ...cells.map((row) => width(row[c] as string))));
  const border = `+${widths.map((w) => "-".repeat(w)).join("+")}+`;
  const line = (row: readonly string[]) => `|${row.map((s, c) => " ".repeat((widths[c] as number) - width(s)) + s).join("|")}|`;
  const lines = [border, line(header), border, ...cells.map(line), border];
  if (hasMore) lines.push(`only showing top ${n} ${n === 1 ? "row" : "rows"}`);
  return lines;
}
