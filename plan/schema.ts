/** Logical column types. Each has one JavaScript representation inside lambdas and row objects. */
export type DataType = "utf8" | "int32" | "int64" | "float64" | "boolean" | "date32" | "timestamp_us";

export const DATA_TYPES: readonly DataType[] = ["utf8", "int32", "int64", "float64", "boolean", "date32", "timestamp_us"];

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

export interface Schema {
  readonly fields: readonly Field[];
}

export function schemaOf(fields: readonly Field[]): Schema {
  return { fields };
}

export function fieldIndex(schema: Schema, name: string): number {
  return schema.fields.findIndex((f) => f.name === name);
}

export function findField(schema: Schema, name: string): Field | undefined {
  return schema.fields.find((f) => f.name === name);
}

export function columnNames(schema: Schema): string[] {
  return schema.fields.map((f) => f.name);
}

/** `[a:int32, b:utf8;N]`, the form explain prints. */
export function formatSchema(schema: Schema): string {
  return `[${schema.fields.map((f) => `${f.name}:${f.type}${f.nullable ? ";N" : ""}`).join(", ")}]`;
}

export function sameSchema(a: Schema, b: Schema): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return g !== undefined && g.name === f.name && g.type === f.type && g.nullable === f.nullable;
    })
  );
}

export function isNumeric(t: DataType): boolean {
  return t === "int32" || t === "int64" || t === "float64";
}

/** Levenshtein distance, for "did you mean" hints on misspelt column names. */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
