// db-benchmark groupby q5: sum v1:v3 by id6.
import { count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q5", (p) => {
  const ans = p.read
    .csv("x.csv", GroupbyX, { header: true })
    .groupBy("id6")
    .agg((g) => ({ v1: sum(g.v1), v2: sum(g.v2), v3: sum(g.v3) }));
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1), v2: sum(g.v2), v3: sum(g.v3) })));
});
