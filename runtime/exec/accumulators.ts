import type { PhysicalAggregate } from "../../plan/physical.ts";
import { compareValues, normalizeKey } from "./keys.ts";

/**
 * One group's running state of one aggregate. States merge exactly and in input order
 * (partition 0's state first), so a partial/final aggregate gives the same result as a
 * single one for any partition count: float sums are exact (rounded once at the end),
 * first/last keep the earliest/latest row, min/max keep the first of equal values.
 */
export interface Accumulator {
  update(v: unknown): void;
  merge(state: readonly unknown[]): void;
  state(): unknown[];
  result(): unknown;
}

/** Exact sum of doubles (Shewchuk's partials, as Python's math.fsum): independent of order. */
export class ExactSum {
  partials: number[] = [];
  private special = 0;
  private hasSpecial = false;

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.special += x;
      this.hasSpecial = true;
      return;
    }
    const p = this.partials;
    let i = 0;
    for (let k = 0; k < p.length; k++) {
      let y = p[k] as number;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      if (!Number.isFinite(hi)) {
        this.special += hi;
        this.hasSpecial = true;
        p.length = 0;
        return;
      }
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  value(): number {
    if (this.hasSpecial) return this.special;
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n] as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }

  /** Partials, with an infinity or NaN carried as a single element. */
  state(): number[] {
    return this.hasSpecial ? [this.special] : [...this.partials];
  }
}

class CountAcc implements Accumulator {
  n = 0;
  constructor(private readonly star: boolean) {}
  update(v: unknown): void {
    if (this.star || v !== null) this.n++;
  }
  merge(s: readonly unknown[]): void {
    this.n += (s[0] as number | null) ?? 0;
  }
  state(): unknown[] {
    return [this.n];
  }
  result(): unknown {
    return BigInt(this.n);
  }
}

class CountDistinctAcc implements Accumulator {
  readonly seen = new Map<unknown, unknown>();
  update(v: unknown): void {
    if (v === null) return;
    const k = normalizeKey(v);
    if (!this.seen.has(k)) this.seen.set(k, v);
  }
  merge(s: readonly unknown[]): void {
    for (const v of (s[0] as unknown[] | null) ?? []) this.update(v);
  }
  state(): unknown[] {
    return [[...this.seen.values()]];
  }
  result(): unknown {
    return BigInt(this.seen.size);
  }
}

/** sum and avg: int64 → bigint, int32 → number (exact below 2^53), float64 → exact sum. */
class SumAcc implements Accumulator {
  count = 0;
  private big = 0n;
  private num = 0;
  private readonly exact = new ExactSum();
  constructor(
    private readonly argType: string,
    private readonly avg: boolean,
  ) {}
  update(v: unknown): void {
    if (v === null) return;
    this.count++;
    if (this.argType === "int64") this.big += v as bigint;
    else if (this.argType === "int32") this.num += v as number;
    else this.exact.add(v as number);
  }
  merge(s: readonly unknown[]): void {
    const n = (this.avg ? (s[1] as number | null) : s[0] === null ? 0 : 1) ?? 0;
    if (s[0] === null || n === 0) return;
    this.count += this.avg ? n : 1;
    if (this.argType === "int64") this.big += s[0] as bigint;
    else if (this.argType === "int32") this.num += s[0] as number;
    else for (const p of s[0] as number[]) this.exact.add(p);
  }
  private sumValue(): number | bigint {
    return this.argType === "int64" ? this.big : this.argType === "int32" ? this.num : this.exact.value();
  }
  state(): unknown[] {
    const sum = this.count === 0 ? null : this.argType === "int64" ? this.big : this.argType === "int32" ? this.num : this.exact.state();
    return this.avg ? [sum, this.count] : [sum];
  }
  result(): unknown {
    if (this.count === 0) return null;
    const s = this.sumValue();
    return this.avg ? Number(s) / this.count : s;
  }
}

class MinMaxAcc implements Accumulator {
  private v: unknown = null;
  constructor(private readonly sign: 1 | -1) {}
  update(v: unknown): void {
    if (v !== null && (this.v === null || this.sign * compareValues(v, this.v) < 0)) this.v = v;
  }
  merge(s: readonly unknown[]): void {
    this.update(s[0] ?? null);
  }
  state(): unknown[] {
    return [this.v];
  }
  result(): unknown {
    return this.v;
  }
}

/** first/last row's value in input order, null included (Spark's default ignoreNulls = false). */
class FirstLastAcc implements Accumulator {
  private v: unknown = null;
  private has = false;
  constructor(private readonly last: boolean) {}
  update(v: unknown): void {
    if (this.last || !this.has) {
      this.v = v;
      this.has = true;
    }
  }
  merge(s: readonly unknown[]): void {
    if (s[1] === true) this.update(s[0] ?? null);
  }
  state(): unknown[] {
    return [this.v, this.has];
  }
  result(): unknown {
    return this.v;
  }
}

/** Sample standard deviation; keeps the values so the result does not depend on their order. */
class StddevAcc implements Accumulator {
  readonly values: number[] = [];
  update(v: unknown): void {
    if (v !== null) this.values.push(Number(v));
  }
  merge(s: readonly unknown[]): void {
    for (const v of (s[0] as number[] | null) ?? []) this.values.push(v);
  }
  state(): unknown[] {
    return [this.values];
  }
  result(): unknown {
    const n = this.values.length;
    if (n < 2) return null;
    const sum = new ExactSum();
    for (const v of this.values) sum.add(v);
    const mean = sum.value() / n;
    const sq = new ExactSum();
    for (const v of this.values) sq.add((v - mean) * (v - mean));
    return Math.sqrt(sq.value() / (n - 1));
  }
}

export function createAccumulator(a: PhysicalAggregate): Accumulator {
  switch (a.fn) {
    case "count":
      return new CountAcc(a.arg === undefined);
    case "count_distinct":
      return new CountDistinctAcc();
    case "sum":
      return new SumAcc(a.argType, false);
    case "avg":
      return new SumAcc(a.argType, true);
    case "min":
      return new MinMaxAcc(1);
    case "max":
      return new MinMaxAcc(-1);
    case "first":
      return new FirstLastAcc(false);
    case "last":
      return new FirstLastAcc(true);
    case "stddev":
      return new StddevAcc();
  }
}
