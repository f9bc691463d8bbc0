/**
 * Fault injection for tests and failure drills: `TSDF_FAULTS` is a comma-separated list of
 * `<kind>@<stage>:<partition>` with an optional `x<N>` (the fault fires on the first N chances,
 * default 1). Stage numbers are the ones progress lines and `--metrics` show.
 */
import { TsdfError } from "../plan/errors.ts";

export const FAULT_KINDS = ["kill-worker", "fail-task", "lose-block", "corrupt-block"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly kind: FaultKind;
  readonly stage: number;
  readonly partition: number;
  readonly times: number;
}

const FAULT = /^([a-z-]+)@(\d+):(\d+)(?:x(\d+))?$/;

export function parseFaults(spec: string | undefined): Fault[] {
  if (spec === undefined || spec.trim() === "") return [];
  return spec.split(",").map((raw) => {
    const item = raw.trim();
    const m = FAULT.exec(item);
    const kind = m?.[1] as FaultKind | undefined;
    if (!m || kind === undefined || !FAULT_KINDS.includes(kind)) {
      throw new TsdfError("TSDF4010", `TSDF_FAULTS: cannot read '${item}'; expected <kind>@<stage>:<partition>[x<times>] with kind one of ${FAULT_KINDS.join(", ")}`);
    }
    return { kind, stage: Number(m[2]), partition: Number(m[3]), times: m[4] === undefined ? 1 : Number(m[4]) };
  });
}

/** The faults of one run; each fires on its first `times` chances. */
export class FaultPlan {
  private readonly left: Map<string, number>;

  constructor(faults: readonly Fault[]) {
    this.left = new Map(faults.map((f) => [`${f.kind}@${f.stage}:${f.partition}`, f.times]));
  }

  /** Whether `kind` fires now for this task (and uses one of its chances). */
  take(kind: FaultKind, stage: number, partition: number): boolean {
    const key = `${kind}@${stage}:${partition}`;
    const n = this.left.get(key) ?? 0;
    if (n <= 0) return false;
    this.left.set(key, n - 1);
    return true;
  }
}
