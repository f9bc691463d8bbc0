// db-benchmark groupby q10: sum v3 count by id1:id6.
import { count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q10", (p) => {
  const ans = p.read
    .csv("x.csv", GroupbyX, { header: true })
    .groupBy("id1", "id2", "id3", "id4", "id5", "id6")
    .agg((g) => ({ v3: sum(g.v3), count: count() }));
  p.output("check", ans.agg((g) => ({ rows: count(), v3: sum(g.v3), count: sum(g.count) })));
});
