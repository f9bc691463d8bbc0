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

  ;; Adds float64 values[i] to group ids[i]'s fixed-point window, for i < n. A window is four
  ;; float64s per group: [scale, lo, mid, hi], where value * scale is the value's count of units
  ;; and lo, mid, hi count units in 32-bit chunks (see FloatSumAcc). A value whose count is not
  ;; an integer below 2^96 (a NaN scale: no window yet) is left to the caller: its row index goes
  ;; to `rest`. Returns how many rows went there.
  (func (export "addToWindows") (param $ids i32) (param $values i32) (param $n i32) (param $windows i32) (param $rest i32) (result i32)
    (local $i i32) (local $p i32) (local $left i32)
    (local $t f64) (local $h f64) (local $r f64) (local $m f64)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $windows)
          (i32.shl (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 5))))
        (local.set $t (f64.mul
          (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3))))
          (f64.load (local.get $p))))
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
)
