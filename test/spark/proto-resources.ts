import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The `.proto` files inside the installed server's spark-connect jar, parsed just enough to
 * compare field numbers, types and enum values with targets/spark/proto/messages.ts.
 */

export interface ProtoField {
  readonly no: number;
  /** Scalars as written; messages and enums fully qualified (`spark.connect.Relation`). */
  readonly type: string;
  readonly repeated: boolean;
}

export interface ProtoResources {
  readonly messages: ReadonlyMap<string, ReadonlyMap<string, ProtoField>>;
  readonly enums: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

const REPO = resolve(import.meta.dirname, "../..");

/** pyspark's jars folder: `$TSDF_TEST_SPARK_HOME/jars`, or the venv scripts/spark-cluster.mjs installs. */
export function connectJar(): string {
  const home = process.env.TSDF_TEST_SPARK_HOME ?? join(REPO, ".cache/spark-venv/lib/python3.11/site-packages/pyspark");
  const jar = readdirSync(join(home, "jars")).find((f) => /^spark-connect_2\.13-4\.0\.\d+\.jar$/.test(f));
  if (jar === undefined) throw new Error(`no spark-connect_2.13-4.0.x jar in ${home}/jars`);
  return join(home, "jars", jar);
}

/** The jar's `spark/connect/*.proto` texts, read with Python's zipfile (Python comes with pyspark). */
export function readJarProtos(jar: string): Record<string, string> {
  const script =
    "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist() if n.startswith('spark/connect/') and n.endswith('.proto')}))";
  return JSON.parse(execFileSync("python3", ["-c", script, jar], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })) as Record<string, string>;
}

const SCALARS = new Set(["string", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "double", "float", "bytes", "fixed32", "fixed64"]);

export function parseProtos(files: Record<string, string>): ProtoResources {
  const rawMessages = new Map<string, Map<string, { no: number; type: string; repeated: boolean; scope: string }>>();
  const enums = new Map<string, Map<string, number>>();
  for (const text of Object.values(files)) {
    const source = text.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
    const pkg = /package\s+([\w.]+)\s*;/.exec(source)?.[1] ?? "";
    const tokens = source.match(/map\s*<[^>]+>|[\w.]+|[{};=<>[\],]/g) ?? [];
    const scopes: { kind: "message" | "enum" | "oneof" | "other"; name: string }[] = [];
    const fullName = () => [pkg, ...scopes.filter((s) => s.kind === "message" || s.kind === "enum").map((s) => s.name)].join(".");
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i] as string;
      const next = tokens[i + 1];
      if ((tok === "message" || tok === "enum" || tok === "oneof") && next !== undefined && tokens[i + 2] === "{") {
        scopes.push({ kind: tok, name: next });
        if (tok === "message") rawMessages.set(fullName(), new Map());
        if (tok === "enum") enums.set(fullName(), new Map());
        i += 2;
      } else if (tok === "{") {
        scopes.push({ kind: "other", name: "" });
      } else if (tok === "}") {
        scopes.pop();
      } else if (scopes.at(-1)?.kind === "enum" && next === "=" && /^-?\d+$/.test(tokens[i + 2] ?? "")) {
        enums.get(fullName())?.set(tok, Number(tokens[i + 2]));
        i += 2;
      } else if (scopes.length > 0 && scopes.at(-1)?.kind !== "enum" && scopes.at(-1)?.kind !== "other") {
        // [repeated|optional] type name = number
        const repeated = tok === "repeated";
        const at = tok === "repeated" || tok === "optional" ? i + 1 : i;
        const type = tokens[at];
        const name = tokens[at + 1];
        if (tokens[at + 2] === "=" && type !== undefined && name !== undefined && /^\d+$/.test(tokens[at + 3] ?? "") && type !== "option") {
          const messageScope = [pkg, ...scopes.filter((s) => s.kind === "message").map((s) => s.name)].join(".");
          rawMessages.get(messageScope)?.set(name, { no: Number(tokens[at + 3]), type: type.replace(/\s+/g, ""), repeated, scope: messageScope });
          i = at + 3;
        }
      }
    }
  }
  // Resolve a type name as protoc does: from the innermost scope outwards.
  const known = new Set([...rawMessages.keys(), ...enums.keys()]);
  const resolveType = (type: string, scope: string): string => {
    if (SCALARS.has(type) || type.startsWith("map<") || type.startsWith("google.")) return type;
    const parts = scope.split(".");
    for (let n = parts.length; n >= 0; n--) {
      const candidate = [...parts.slice(0, n), type].join(".");
      if (known.has(candidate)) return candidate;
    }
    return type;
  };
  const messages = new Map<string, Map<string, ProtoField>>();
  for (const [name, fields] of rawMessages) {
    messages.set(name, new Map([...fields].map(([f, v]) => [f, { no: v.no, type: resolveType(v.type, v.scope), repeated: v.repeated }])));
  }
  return { messages, enums };
}
