;; Key coding and grouped folds over Arrow-shaped buffers in linear memory (runtime/exec/wasm/heap.ts
;; owns the memory and its allocator). Every pointer is a byte offset; `ids` are the dense group
;; ids of a batch's rows (int32), states are float64 arrays indexed by group id. Built into
;; folds-binary.ts by `npm run build:wasm`.
(module
  (memory (export "memory") 1)

  ;; counts[ids[i]] += 1 for i < n.
  (func (export "countRows") (param $ids i32) (param $n i32) (param $counts i32)
    (local $end i32) (local $p i32)
    (local.set $end (i32.add (local.get $ids) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $ids) (local.get $end)))
        (local.set $p (i32.add (local.get $counts) (i32.shl (i32.load (local.get $ids)) (i32.const 3))))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.const 1)))
        (local.set $ids (i32.add (local.get $ids) (i32.const 4)))
        (br $row))))

  ;; sums[ids[i]] += values[i] for i < n: int32 values into float64 sums (exact below 2^53).
  (func (export "sumInt32") (param $ids i32) (param $values i32) (param $n i32) (param $sums i32)
    (local $end i32) (local $p i32)
    (local.set $end (i32.add (local.get $ids) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $ids) (local.get $end)))
        (local.set $p (i32.add (local.get $sums) (i32.shl (i32.load (local.get $ids)) (i32.const 3))))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.convert_i32_s (i32.load (local.get $values)))))
        (local.set $ids (i32.add (local.get $ids) (i32.const 4)))
        (local.set $values (i32.add (local.get $values) (i32.const 4)))
        (br $row))))

  ;; Folds values[i] (int32 when `ints`, else float64) into group ids[i]'s minimum (`max` 0) or
  ;; maximum (`max` 1) best[g], a float64, for i < n, in Spark's order of doubles: NaN above every
  ;; number; of equal values (-0 and 0 among them) the first stays. seen[g], a byte, is set once
  ;; group g has a value.
  (func (export "minMax") (param $ids i32) (param $values i32) (param $ints i32) (param $n i32) (param $best i32) (param $seen i32) (param $max i32)
    (local $i i32) (local $g i32) (local $v f64) (local $cur f64) (local $p i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $g (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $v
          (if (result f64) (local.get $ints)
            (then (f64.convert_i32_s (i32.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 2))))))
            (else (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $p (i32.add (local.get $best) (i32.shl (local.get $g) (i32.const 3))))
        (if (i32.eqz (i32.load8_u (i32.add (local.get $seen) (local.get $g))))
          (then
            (i32.store8 (i32.add (local.get $seen) (local.get $g)) (i32.const 1))
            (f64.store (local.get $p) (local.get $v)))
          (else
            (local.set $cur (f64.load (local.get $p)))
            (if (if (result i32) (local.get $max)
                  (then (i32.or (f64.gt (local.get $v) (local.get $cur))
                                (i32.and (f64.ne (local.get $v) (local.get $v)) (f64.eq (local.get $cur) (local.get $cur)))))
                  (else (i32.or (f64.lt (local.get $v) (local.get $cur))
                                (i32.and (f64.ne (local.get $cur) (local.get $cur)) (f64.eq (local.get $v) (local.get $v))))))
              (then (f64.store (local.get $p) (local.get $v))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; Adds float64 values[i] that are integers of magnitude at most 2^31 to sums[ids[i]], for i
  ;; from 0 on, up to the first value that is not one: returns how many it added. Each sum stays
  ;; exact while it takes fewer than 2^22 values (FloatSumAcc settles them sooner).
  (func (export "addWhole") (param $ids i32) (param $values i32) (param $n i32) (param $sums i32) (result i32)
    (local $i i32) (local $v f64) (local $p i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
        (br_if $done (i32.or (f64.ne (f64.trunc (local.get $v)) (local.get $v))
                             (f64.gt (f64.abs (local.get $v)) (f64.const 0x1p31))))
        (local.set $p (i32.add (local.get $sums) (i32.shl (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3))))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $v)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (local.get $i))

  ;; The scale of a window opened at v: 2^-base, its unit 2^base the 32-bit chunk boundary at or
  ;; below v's last mantissa bit (base = floor((e - 53) / 32) * 32, 2^e <= |v| < 2^(e+1) for a
  ;; normal v); NaN (no window) for v's exponent beyond ±900.
  (func $windowScale (param $v f64) (result f64)
    (local $e i32) (local $base i32)
    (local.set $e (i32.sub (i32.wrap_i64 (i64.and (i64.shr_u (i64.reinterpret_f64 (local.get $v)) (i64.const 52)) (i64.const 0x7ff))) (i32.const 1023)))
    (if (result f64) (i32.and (i32.ge_s (local.get $e) (i32.const -900)) (i32.lt_s (local.get $e) (i32.const 900)))
      (then
        (local.set $base (i32.shl (i32.shr_s (i32.sub (local.get $e) (i32.const 53)) (i32.const 5)) (i32.const 5)))
        (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s (i32.sub (i32.const 1023) (local.get $base))) (i64.const 52))))
      (else (f64.const nan))))

  ;; Adds float64 values[i] to group ids[i]'s fixed-point window, for i < n. A window is four
  ;; float64s per group: [scale, lo, mid, hi], where value * scale is the value's count of units
  ;; and lo, mid, hi count units in 32-bit chunks (see FloatSumAcc). A group without a window (a
  ;; NaN scale) opens one at its value when that is a normal number of magnitude 2^-900 to 2^900:
  ;; its unit is the 32-bit chunk boundary at or below the value's last mantissa bit. A value
  ;; whose count is not an integer below 2^96 (or that opens no window) is left to the caller:
  ;; its row index goes to `rest`. Returns how many rows went there.
  (func (export "addToWindows") (param $ids i32) (param $values i32) (param $n i32) (param $windows i32) (param $rest i32) (result i32)
    (local $i i32) (local $p i32) (local $left i32)
    (local $v f64) (local $scale f64) (local $t f64) (local $h f64) (local $r f64) (local $m f64)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $windows)
          (i32.shl (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 5))))
        (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $scale (f64.load (local.get $p)))
        (if (f64.ne (local.get $scale) (local.get $scale))
          (then
            (local.set $scale (call $windowScale (local.get $v)))
            (f64.store (local.get $p) (local.get $scale))))
        (local.set $t (f64.mul (local.get $v) (local.get $scale)))
        (if (i32.or (f64.ne (local.get $t) (f64.trunc (local.get $t)))
                    (f64.ge (f64.abs (local.get $t)) (f64.const 0x1p96)))
          (then
            (i32.store (i32.add (local.get $rest) (i32.shl (local.get $left) (i32.const 2))) (local.get $i))
            (local.set $left (i32.add (local.get $left) (i32.const 1))))
          (else
            ;; Split exactly at 2^64 and 2^32 (multiplying by 2^-64 and 2^-32 is exact).
            (local.set $h (f64.trunc (f64.mul (local.get $t) (f64.const 0x1p-64))))
            (local.set $r (f64.sub (local.get $t) (f64.mul (local.get $h) (f64.const 0x1p64))))
            (local.set $m (f64.trunc (f64.mul (local.get $r) (f64.const 0x1p-32))))
            (f64.store offset=24 (local.get $p) (f64.add (f64.load offset=24 (local.get $p)) (local.get $h)))
            (f64.store offset=16 (local.get $p) (f64.add (f64.load offset=16 (local.get $p)) (local.get $m)))
            (f64.store offset=8 (local.get $p)
              (f64.add (f64.load offset=8 (local.get $p)) (f64.sub (local.get $r) (f64.mul (local.get $m) (f64.const 0x1p32)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (local.get $left))
;; addToWindows for rows that are all of one group (a global sum), whose window is at `window`:
  ;; its chunks' sums are kept in locals and added to the window once, after the last row, so no
  ;; row waits on the previous row's stores. The same sums, exactly: they are integers below 2^53.
  (func (export "addToWindow") (param $values i32) (param $n i32) (param $window i32) (param $rest i32) (result i32)
    (local $i i32) (local $left i32)
    (local $v f64) (local $scale f64) (local $t f64) (local $h f64) (local $r f64) (local $m f64)
    (local $hs f64) (local $ms f64) (local $ls f64)
    (local.set $scale (f64.load (local.get $window)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
        (if (f64.ne (local.get $scale) (local.get $scale))
          (then
            (local.set $scale (call $windowScale (local.get $v)))
            (f64.store (local.get $window) (local.get $scale))))
        (local.set $t (f64.mul (local.get $v) (local.get $scale)))
        (if (i32.or (f64.ne (local.get $t) (f64.trunc (local.get $t)))
                    (f64.ge (f64.abs (local.get $t)) (f64.const 0x1p96)))
          (then
            (i32.store (i32.add (local.get $rest) (i32.shl (local.get $left) (i32.const 2))) (local.get $i))
            (local.set $left (i32.add (local.get $left) (i32.const 1))))
          (else
            (local.set $h (f64.trunc (f64.mul (local.get $t) (f64.const 0x1p-64))))
            (local.set $r (f64.sub (local.get $t) (f64.mul (local.get $h) (f64.const 0x1p64))))
            (local.set $m (f64.trunc (f64.mul (local.get $r) (f64.const 0x1p-32))))
            (local.set $hs (f64.add (local.get $hs) (local.get $h)))
            (local.set $ms (f64.add (local.get $ms) (local.get $m)))
            (local.set $ls (f64.add (local.get $ls) (f64.sub (local.get $r) (f64.mul (local.get $m) (f64.const 0x1p32)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (f64.store offset=24 (local.get $window) (f64.add (f64.load offset=24 (local.get $window)) (local.get $hs)))
    (f64.store offset=16 (local.get $window) (f64.add (f64.load offset=16 (local.get $window)) (local.get $ms)))
    (f64.store offset=8 (local.get $window) (f64.add (f64.load offset=8 (local.get $window)) (local.get $ls)))
    (local.get $left))

  ;; The codes of int32 values[i] for from <= i < n through a table of codes by value - base
  ;; (`size` int32s; a negative entry: not coded yet), into out[i]. Stops at the first value outside
  ;; the table or not coded yet, for the caller to code: returns its row, or n.
  (func (export "codeInts") (param $values i32) (param $from i32) (param $n i32) (param $table i32) (param $base i32) (param $size i32) (param $out i32) (result i32)
    (local $i i32) (local $at i64) (local $c i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; In 64 bits, so that no difference of two int32s wraps into the table.
        (local.set $at (i64.sub (i64.extend_i32_s (i32.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 2)))))
                                (i64.extend_i32_s (local.get $base))))
        (br_if $done (i64.ge_u (local.get $at) (i64.extend_i32_u (local.get $size))))
        (local.set $c (i32.load (i32.add (local.get $table) (i32.shl (i32.wrap_i64 (local.get $at)) (i32.const 2)))))
        (br_if $done (i32.lt_s (local.get $c) (i32.const 0)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (local.get $i))

  ;; The same lookup for every row without stopping: -1 for a value outside the table or not coded.
  (func (export "findInts") (param $values i32) (param $n i32) (param $table i32) (param $base i32) (param $size i32) (param $out i32)
    (local $i i32) (local $at i64) (local $c i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i64.sub (i64.extend_i32_s (i32.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 2)))))
                                (i64.extend_i32_s (local.get $base))))
        (local.set $c (i32.const -1))
        (if (i64.lt_u (local.get $at) (i64.extend_i32_u (local.get $size)))
          (then
            (local.set $c (i32.load (i32.add (local.get $table) (i32.shl (i32.wrap_i64 (local.get $at)) (i32.const 2)))))
            (if (i32.lt_s (local.get $c) (i32.const 0)) (then (local.set $c (i32.const -1))))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))
;; The hash of `len` bytes at p: utf8-dictionary.ts's hashBytes, bit for bit (four bytes at a
  ;; time, little-endian, murmur-style mixing, then a final avalanche).
  (func $hashBytes (param $p i32) (param $len i32) (result i32)
    (local $h i32) (local $end i32) (local $end4 i32)
    (local.set $h (i32.xor (i32.const 0x811c9dc5) (local.get $len)))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $end4 (i32.sub (local.get $end) (i32.and (local.get $len) (i32.const 3))))
    (block $words
      (loop $word
        (br_if $words (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.mul (i32.load (local.get $p)) (i32.const 0xcc9e2d51))) (i32.const 0x1b873593)))
        (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $word)))
    (block $bytes
      (loop $byte
        (br_if $bytes (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $p))) (i32.const 0x01000193)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $byte)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))

  ;; Whether the `len` bytes at a and b are equal.
  (func $sameBytes (param $a i32) (param $b i32) (param $len i32) (result i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $a) (local.get $len)))
    (block $words
      (loop $word
        (br_if $words (i32.gt_u (i32.add (local.get $a) (i32.const 8)) (local.get $end)))
        (if (i64.ne (i64.load (local.get $a)) (i64.load (local.get $b))) (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $word)))
    (block $bytes
      (loop $byte
        (br_if $bytes (i32.ge_u (local.get $a) (local.get $end)))
        (if (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))) (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $byte)))
    (i32.const 1))

  ;; Looks up rows from <= r < to of a utf8 chunk in a Utf8Decoder's table: row r's bytes are
  ;; bytes + offsets[r] - base … bytes + offsets[r + 1] - base. `slots` is the table's mask + 1
  ;; slots of four int32s (entry, hash, start in `pool`, length; entry -1: empty). Writes each
  ;; row's entry to codes[r], up to the first row whose value is not in the table, for the caller
  ;; to add: returns that row, or `to`.
  (func (export "lookupUtf8") (param $offsets i32) (param $bytes i32) (param $base i32) (param $from i32) (param $to i32)
                              (param $slots i32) (param $mask i32) (param $pool i32) (param $codes i32) (result i32)
    (local $r i32) (local $p i32) (local $len i32) (local $h i32) (local $s i32) (local $slot i32) (local $e i32)
    (local.set $r (local.get $from))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $to)))
        (local.set $p (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $len (i32.sub (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))) (local.get $p)))
        (local.set $p (i32.add (local.get $bytes) (i32.sub (local.get $p) (local.get $base))))
        (local.set $h (call $hashBytes (local.get $p) (local.get $len)))
        (local.set $s (i32.and (local.get $h) (local.get $mask)))
        (block $found
          (loop $probe
            (local.set $slot (i32.add (local.get $slots) (i32.shl (local.get $s) (i32.const 4))))
            (local.set $e (i32.load (local.get $slot)))
            (br_if $done (i32.lt_s (local.get $e) (i32.const 0)))
            (if (i32.and (i32.eq (i32.load offset=4 (local.get $slot)) (local.get $h))
                         (i32.eq (i32.load offset=12 (local.get $slot)) (local.get $len)))
              (then
                (br_if $found (call $sameBytes (i32.add (local.get $pool) (i32.load offset=8 (local.get $slot))) (local.get $p) (local.get $len)))))
            (local.set $s (i32.and (i32.add (local.get $s) (i32.const 1)) (local.get $mask)))
            (br $probe)))
        (i32.store (i32.add (local.get $codes) (i32.shl (local.get $r) (i32.const 2))) (local.get $e))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (local.get $r))
;; Ids of rows from <= i < n of a key of `w` columns of codes (cols: w pointers to int32 arrays)
  ;; into out[i] (which may be the first column): keys.ts's TupleIndex. Its open-addressing table
  ;; has mask + 1 slots (an id, -1: empty); id's tuple is tuples[id·w … id·w + w-1] and its hash
  ;; hashes[id]; state[0] is how many ids there are. A row with a negative code gets -1, as does
  ;; a tuple not in the table unless `adding`; then it gets the next id, unless that would fill
  ;; the table past half: it stops there for the caller to grow it, returning the row (else n).
  (func (export "tupleRows") (param $cols i32) (param $w i32) (param $from i32) (param $n i32) (param $adding i32)
                             (param $slots i32) (param $mask i32) (param $tuples i32) (param $hashes i32) (param $state i32) (param $out i32) (result i32)
    (local $i i32) (local $k i32) (local $c i32) (local $h i32) (local $missing i32) (local $s i32) (local $id i32) (local $size i32) (local $at i32)
    (local.set $i (local.get $from))
    (local.set $size (i32.load (local.get $state)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $h (i32.const 0x811c9dc5))
        (local.set $missing (i32.const 0))
        (local.set $k (i32.const 0))
        (block $hashed
          (loop $column
            (br_if $hashed (i32.ge_u (local.get $k) (local.get $w)))
            (local.set $c (i32.load (i32.add (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $missing (i32.or (local.get $missing) (i32.lt_s (local.get $c) (i32.const 0))))
            (local.set $h (i32.mul (i32.xor (local.get $h) (local.get $c)) (i32.const 0x9e3779b1)))
            (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $column)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))) (i32.const 0x2c1b3c6d)))
        (local.set $id (i32.const -1))
        (if (i32.eqz (local.get $missing))
          (then
            (local.set $s (i32.and (local.get $h) (local.get $mask)))
            (block $placed
              (loop $probe
                (local.set $id (i32.load (i32.add (local.get $slots) (i32.shl (local.get $s) (i32.const 2)))))
                (if (i32.lt_s (local.get $id) (i32.const 0))
                  (then
                    (br_if $placed (i32.eqz (local.get $adding)))
                    ;; At half full the caller doubles the slots first.
                    (if (i32.gt_u (i32.shl (i32.add (local.get $size) (i32.const 1)) (i32.const 1)) (local.get $mask))
                      (then
                        (i32.store (local.get $state) (local.get $size))
                        (return (local.get $i))))
                    (local.set $id (local.get $size))
                    (local.set $size (i32.add (local.get $size) (i32.const 1)))
                    (local.set $at (i32.add (local.get $tuples) (i32.shl (i32.mul (local.get $id) (local.get $w)) (i32.const 2))))
                    (local.set $k (i32.const 0))
                    (block $copied
                      (loop $copy
                        (br_if $copied (i32.ge_u (local.get $k) (local.get $w)))
                        (i32.store (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2)))
                          (i32.load (i32.add (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))) (i32.shl (local.get $i) (i32.const 2)))))
                        (local.set $k (i32.add (local.get $k) (i32.const 1)))
                        (br $copy)))
                    (i32.store (i32.add (local.get $hashes) (i32.shl (local.get $id) (i32.const 2))) (local.get $h))
                    (i32.store (i32.add (local.get $slots) (i32.shl (local.get $s) (i32.const 2))) (local.get $id))
                    (br $placed)))
                (if (i32.eq (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $id) (i32.const 2)))) (local.get $h))
                  (then
                    (local.set $at (i32.add (local.get $tuples) (i32.shl (i32.mul (local.get $id) (local.get $w)) (i32.const 2))))
                    (local.set $k (i32.const 0))
                    (block $differs
                      (loop $compare
                        (br_if $placed (i32.ge_u (local.get $k) (local.get $w)))
                        (br_if $differs (i32.ne (i32.load (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2))))
                          (i32.load (i32.add (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))) (i32.shl (local.get $i) (i32.const 2))))))
                        (local.set $k (i32.add (local.get $k) (i32.const 1)))
                        (br $compare)))))
                (local.set $s (i32.and (i32.add (local.get $s) (i32.const 1)) (local.get $mask)))
                (br $probe)))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $id))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (i32.store (local.get $state) (local.get $size))
    (local.get $n))
;; Places ids 0 … n-1 in an empty open-addressing table of mask + 1 slots (-1: empty), each at
  ;; the first empty slot from hashes[id] & mask on (TupleIndex's table, laid out again as it grows).
  (func (export "placeIds") (param $hashes i32) (param $n i32) (param $slots i32) (param $mask i32)
    (local $k i32) (local $t i32)
    (block $done
      (loop $id
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $t (i32.and (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $k) (i32.const 2)))) (local.get $mask)))
        (block $empty
          (loop $probe
            (br_if $empty (i32.lt_s (i32.load (i32.add (local.get $slots) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 0)))
            (local.set $t (i32.and (i32.add (local.get $t) (i32.const 1)) (local.get $mask)))
            (br $probe)))
        (i32.store (i32.add (local.get $slots) (i32.shl (local.get $t) (i32.const 2))) (local.get $k))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $id))))

  ;; The ids of pairs of int32 codes (a[i], b[i]) for i < n through a direct table: slot
  ;; (a << shift) | b holds the pair's id (-1: none yet); a row with a negative code gets -1.
  ;; When `adding`, a pair not there takes the next id (state[0], then incremented) and is kept
  ;; as firsts[id], seconds[id]. The caller sizes the table for the codes and makes room for the
  ;; new pairs; out may be a.
  (func (export "pairRows") (param $a i32) (param $b i32) (param $n i32) (param $adding i32) (param $slots i32) (param $shift i32)
                            (param $firsts i32) (param $seconds i32) (param $state i32) (param $out i32)
    (local $i i32) (local $ca i32) (local $cb i32) (local $s i32) (local $id i32) (local $size i32)
    (local.set $size (i32.load (local.get $state)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $ca (i32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $cb (i32.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $id (i32.const -1))
        (if (i32.ge_s (i32.or (local.get $ca) (local.get $cb)) (i32.const 0))
          (then
            (local.set $s (i32.add (local.get $slots) (i32.shl (i32.or (i32.shl (local.get $ca) (local.get $shift)) (local.get $cb)) (i32.const 2))))
            (local.set $id (i32.load (local.get $s)))
            (if (i32.and (i32.lt_s (local.get $id) (i32.const 0)) (local.get $adding))
              (then
                (local.set $id (local.get $size))
                (local.set $size (i32.add (local.get $size) (i32.const 1)))
                (i32.store (local.get $s) (local.get $id))
                (i32.store (i32.add (local.get $firsts) (i32.shl (local.get $id) (i32.const 2))) (local.get $ca))
                (i32.store (i32.add (local.get $seconds) (i32.shl (local.get $id) (i32.const 2))) (local.get $cb))))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $id))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (i32.store (local.get $state) (local.get $size)))
  ;; A hash join's probe (hash-join.ts): left rows 0 <= i < n have key ids found[i] (-1: none);
  ;; key k's right rows are head[k] - 1 (head 0: none), then next[j] after row j (-1: the last).
  ;; Writes matched pairs (left row li[m], right row ri[m]) in left order, each left row's
  ;; matches in right order. kind 0: inner; 1: an unmatched left row too, with right row -1;
  ;; 2: semi and 3: anti (li only: the left rows with, or without, a match). With `mark`, each
  ;; right row matched gets a 1 in matched[j]. Returns the number of pairs, or -1 when they
  ;; need more than `room` slots.
  (func (export "joinPairs") (param $found i32) (param $n i32) (param $head i32) (param $next i32) (param $kind i32)
                             (param $mark i32) (param $matched i32) (param $li i32) (param $ri i32) (param $room i32) (result i32)
    (local $i i32) (local $k i32) (local $j i32) (local $m i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (i32.load (i32.add (local.get $found) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $j (i32.const -1))
        (if (i32.ge_s (local.get $k) (i32.const 0))
          (then (local.set $j (i32.sub (i32.load (i32.add (local.get $head) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 1)))))
        (block $next_row
          (if (i32.ge_u (local.get $kind) (i32.const 2))
            (then
              (br_if $next_row (i32.ne (i32.ge_s (local.get $j) (i32.const 0)) (i32.eq (local.get $kind) (i32.const 2))))
              (if (i32.ge_u (local.get $m) (local.get $room)) (then (return (i32.const -1))))
              (i32.store (i32.add (local.get $li) (i32.shl (local.get $m) (i32.const 2))) (local.get $i))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))
              (br $next_row)))
          (if (i32.lt_s (local.get $j) (i32.const 0))
            (then
              (br_if $next_row (i32.eqz (local.get $kind)))
              (if (i32.ge_u (local.get $m) (local.get $room)) (then (return (i32.const -1))))
              (i32.store (i32.add (local.get $li) (i32.shl (local.get $m) (i32.const 2))) (local.get $i))
              (i32.store (i32.add (local.get $ri) (i32.shl (local.get $m) (i32.const 2))) (i32.const -1))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))
              (br $next_row)))
          (loop $match
            (if (i32.ge_u (local.get $m) (local.get $room)) (then (return (i32.const -1))))
            (i32.store (i32.add (local.get $li) (i32.shl (local.get $m) (i32.const 2))) (local.get $i))
            (i32.store (i32.add (local.get $ri) (i32.shl (local.get $m) (i32.const 2))) (local.get $j))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (if (local.get $mark) (then (i32.store8 (i32.add (local.get $matched) (local.get $j)) (i32.const 1))))
            (local.set $j (i32.load (i32.add (local.get $next) (i32.shl (local.get $j) (i32.const 2)))))
            (br_if $match (i32.ge_s (local.get $j) (i32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (local.get $m))

  ;; CSV records of bytes[0, n) from 0 (csv-scanner.ts's fast path): per record, its field count,
  ;; the end of each field (the delimiter's or line break's offset, less a CR before the line
  ;; break of a non-empty last field) and the offset after its line break, as int32s at `out`.
  ;; Stops before a record it leaves to the JavaScript scanner: a blank line, a field that starts
  ;; with a quote, more than 64 fields, no line break before n, or fewer than 66 ints of room left
  ;; of `room`. Returns how many ints it wrote.
  (func (export "scanCsv") (param $bytes i32) (param $n i32) (param $delim i32) (param $out i32) (param $room i32) (result i32)
    (local $pos i32) (local $w i32) (local $fields i32) (local $c i32) (local $start i32) (local $end i32)
    (block $done
      (loop $record
        (br_if $done (i32.ge_u (local.get $pos) (local.get $n)))
        (br_if $done (i32.gt_u (i32.add (local.get $w) (i32.const 66)) (local.get $room)))
        (local.set $c (i32.load8_u (i32.add (local.get $bytes) (local.get $pos))))
        (br_if $done (i32.eq (local.get $c) (i32.const 10)))
        (if (i32.eq (local.get $c) (i32.const 13))
          (then
            (br_if $done (i32.ge_u (i32.add (local.get $pos) (i32.const 1)) (local.get $n)))
            (br_if $done (i32.eq (i32.load8_u (i32.add (local.get $bytes) (i32.add (local.get $pos) (i32.const 1)))) (i32.const 10)))))
        (local.set $fields (i32.const 0))
        (loop $field
          (local.set $start (local.get $pos))
          (if (i32.lt_u (local.get $pos) (local.get $n))
            (then (br_if $done (i32.eq (i32.load8_u (i32.add (local.get $bytes) (local.get $pos))) (i32.const 34)))))
          (block $ended
            (loop $byte
              (br_if $done (i32.ge_u (local.get $pos) (local.get $n)))
              (local.set $c (i32.load8_u (i32.add (local.get $bytes) (local.get $pos))))
              (br_if $ended (i32.or (i32.eq (local.get $c) (local.get $delim)) (i32.eq (local.get $c) (i32.const 10))))
              (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
              (br $byte)))
          (br_if $done (i32.ge_u (local.get $fields) (i32.const 64)))
          (local.set $end (local.get $pos))
          (if (i32.eq (local.get $c) (i32.const 10))
            (then
              (if (i32.gt_u (local.get $end) (local.get $start))
                (then
                  (if (i32.eq (i32.load8_u (i32.add (local.get $bytes) (i32.sub (local.get $end) (i32.const 1)))) (i32.const 13))
                    (then (local.set $end (i32.sub (local.get $end) (i32.const 1)))))))))
          (local.set $fields (i32.add (local.get $fields) (i32.const 1)))
          (i32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $w) (local.get $fields)) (i32.const 2))) (local.get $end))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          (br_if $field (i32.ne (local.get $c) (i32.const 10))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $w) (i32.const 2))) (local.get $fields))
        (i32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $w) (i32.add (local.get $fields) (i32.const 1))) (i32.const 2))) (local.get $pos))
        (local.set $w (i32.add (local.get $w) (i32.add (local.get $fields) (i32.const 2))))
        (br $record)))
    (local.get $w))
)
