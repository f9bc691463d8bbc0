/**
 * Seeded randomness for the benchmark data: every run of a given size and seed produces the
 * same bytes, so timings of different runs (and different machines) compare the same data.
 */

/** mulberry32: a 32-bit state PRNG, uniform in [0, 1). Small, fast and good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Independent streams per column: column `k` of a table draws from its own generator, so
 * columns can be produced row by row (constant memory) and still not correlate.
 */
export function columnRandom(seed: number, column: number): () => number {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(column + 1, 0xc2b2ae35));
}

/** Uniform integer in 1..n (R's `sample(n, 1)`). */
export function uniformInt(rand: () => number, n: number): number {
  return 1 + Math.floor(rand() * n);
}

/** In-place Fisher–Yates shuffle. */
export function shuffle(values: Int32Array, rand: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = values[i] as number;
    values[i] = values[j] as number;
    values[j] = t;
  }
  return values;
}

/** A random permutation of 1..n (R's `sample.int(n)`). */
export function permutation(n: number, rand: () => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i + 1;
  return shuffle(out, rand);
}

/**
 * `size` draws from `keys` in which every key occurs at least once: all keys, then random
 * picks with replacement, shuffled (what db-benchmark's join data uses so each key joins).
 */
export function sampleAll(keys: Int32Array, size: number, rand: () => number): Int32Array {
  if (keys.length > size) throw new Error(`sampleAll: ${keys.length} keys do not fit in ${size} rows`);
  const out = new Int32Array(size);
  out.set(keys);
  for (let i = keys.length; i < size; i++) out[i] = keys[Math.floor(rand() * keys.length)] as number;
  return shuffle(out, rand);
}
