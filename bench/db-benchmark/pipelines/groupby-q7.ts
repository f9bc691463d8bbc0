// db-benchmark groupby q7: max v1 - min v2 by id3.
import { count, max, min, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q7", (p) => {
  const ans = p.read
    .csv("x.csv", GroupbyX, { header: true })
    .groupBy("id3")
    .agg((g) => ({ range_v1_v2: (max(g.v1) ?? 0) - (min(g.v2) ?? 0) }));
  p.output("check", ans.agg((g) => ({ rows: count(), range_v1_v2: sum(g.range_v1_v2) })));
});
