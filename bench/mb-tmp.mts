import { readParquet } from "../runtime/io/parquet.ts";
import { batchesToColumns } from "../runtime/exec/columns.ts";
const f = "bench/data/db-benchmark/G1_1e6_1e2_0_0_seed108/x.parquet";
const schema = { fields: [{ name: "id1", type: "utf8", nullable: false }, { name: "id3", type: "utf8", nullable: false }, { name: "v1", type: "int32", nullable: false }, { name: "v3", type: "float64", nullable: false }] } as const;
const { batches } = await readParquet(f, f, { fields: [...schema.fields] } as never);
console.log(batches.length, "batches", batches[0]?.numRows, batches[0]?.schema.fields.map((x) => String(x.type)).join(","));
for (const fld of schema.fields) {
  const s = { fields: [fld] };
  for (let r = 0; r < 3; r++) { const t = performance.now(); const c = batchesToColumns(batches, s as never); console.log(fld.name, (performance.now() - t).toFixed(1), "ms", c.columns[0]?.constructor.name); }
}
{
const chunks = batches.map((b) => b.getChild("id1")!.data[0]!);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); let hsum = 0;
  for (const data of chunks) { const offsets = data.valueOffsets as Int32Array; const bytes = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) { let h = 0x811c9dc5; for (let b = offsets[i]!; b < offsets[i+1]!; b++) h = Math.imul(h ^ bytes[b]!, 0x01000193); hsum ^= h; } }
  const th = performance.now() - t;
  t = performance.now(); const out = new Array(1e6); for (let i = 0; i < 1e6; i++) out[i] = "x"; const ta = performance.now() - t;
  console.log("hash only", th.toFixed(1), "array fill", ta.toFixed(1), hsum);
}
}
