// db-benchmark groupby q3: sum v1 mean v3 by id3.
import { avg, count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q3", (p) => {
  const ans = p.read.csv("x.csv", GroupbyX, { header: true }).groupBy("id3").agg((g) => ({ v1: sum(g.v1), v3: avg(g.v3) }));
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1), v3: sum(g.v3) })));
});
