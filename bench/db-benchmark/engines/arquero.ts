import * as path from "node:path";
import * as aq from "arquero";
import type { Dataset } from "../datagen.ts";
import type { Answer, Question } from "../questions.ts";
import { type Engine, toNumber } from "./engine.ts";

type Table = aq.ColumnTable;
const { op } = aq;

/** Each question's answer over the tables `t` gives (Arquero runs on one thread). */
const QUERIES: Readonly<Record<string, (t: (table: string) => Table) => Table>> = {
  "groupby-q1": (t) => t("x").groupby("id1").rollup({ v1: op.sum("v1") }),
  "groupby-q2": (t) => t("x").groupby("id1", "id2").rollup({ v1: op.sum("v1") }),
  "groupby-q3": (t) => t("x").groupby("id3").rollup({ v1: op.sum("v1"), v3: op.mean("v3") }),
  "groupby-q4": (t) => t("x").groupby("id4").rollup({ v1: op.mean("v1"), v2: op.mean("v2"), v3: op.mean("v3") }),
  "groupby-q5": (t) => t("x").groupby("id6").rollup({ v1: op.sum("v1"), v2: op.sum("v2"), v3: op.sum("v3") }),
  "groupby-q6": (t) => t("x").groupby("id4", "id5").rollup({ median_v3: op.median("v3"), sd_v3: op.stdev("v3") }),
  "groupby-q7": (t) => t("x").groupby("id3").rollup({ range_v1_v2: (d: { v1: number; v2: number }) => op.max(d.v1) - op.min(d.v2) }),
  "groupby-q8": (t) =>
    t("x")
      .groupby("id6")
      .orderby(aq.desc("v3"))
      .filter(() => op.row_number() <= 2)
      .ungroup()
      .select({ id6: "id6", v3: "largest2_v3" }),
  "groupby-q9": (t) => t("x").groupby("id2", "id4").rollup({ r2: (d: { v1: number; v2: number }) => op.corr(d.v1, d.v2) ** 2 }),
  "groupby-q10": (t) => t("x").groupby("id1", "id2", "id3", "id4", "id5", "id6").rollup({ v3: op.sum("v3"), count: op.count() }),
  "join-q1": (t) => t("x").join(t("small").select("id1", "v2"), "id1"),
  "join-q2": (t) => t("x").join(t("medium").select("id2", "v2"), "id2"),
  "join-q3": (t) => t("x").join_left(t("medium").select("id2", "v2"), "id2"),
  "join-q4": (t) => t("x").join(t("medium").select("id5", "v2"), "id5"),
  "join-q5": (t) => t("x").join(t("big").select("id3", "v2"), "id3"),
};

const load = (data: Dataset, table: string) => aq.loadCSV(path.join(data.dir, `${table}.csv`));

/** Arquero: tables parsed from CSV once (in memory), or per question (end to end). */
export async function arqueroEngine(version: string): Promise<Engine> {
  let tables = new Map<string, Table>();
  const answer = (q: Question, t: (table: string) => Table): Answer => {
    const query = QUERIES[q.id];
    if (!query) throw new Error(`arquero: no query for ${q.id}`);
    const ans = query(t);
    const sums = ans.rollup(Object.fromEntries(q.check.map((c) => [c, op.sum(c)]))).object() as Record<string, unknown>;
    return Object.fromEntries([["rows", ans.numRows()], ...q.check.map((c) => [c, toNumber(sums[c])])]);
  };
  const lookup = (from: ReadonlyMap<string, Table>) => (table: string) => {
    const t = from.get(table);
    if (!t) throw new Error(`arquero: table ${table} is not loaded`);
    return t;
  };
  return {
    name: "Arquero",
    version,
    answers: (q) => QUERIES[q.id] !== undefined,
    async load(data) {
      tables = new Map();
      for (const spec of data.tables) tables.set(spec.name, await load(data, spec.name));
      return undefined;
    },
    async unload() {
      tables = new Map();
    },
    async inMemory(q) {
      return answer(q, lookup(tables));
    },
    async fromFile(q, data) {
      const read = new Map<string, Table>();
      for (const table of q.tables) read.set(table, await load(data, table));
      return answer(q, lookup(read));
    },
    async close() {},
  };
}
