// db-benchmark groupby q4: mean v1:v3 by id4.
import { avg, count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q4", (p) => {
  const ans = p.read
    .csv("x.csv", GroupbyX, { header: true })
    .groupBy("id4")
    .agg((g) => ({ v1: avg(g.v1), v2: avg(g.v2), v3: avg(g.v3) }));
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1), v2: sum(g.v2), v3: sum(g.v3) })));
});
