(module
  ;; CRC-32/ISO-HDLC (reflected, polynomial 0xEDB88320), the IGVM header checksum, slicing by 8.
  ;; Memory: [0, 8192) eight tables of 256 u32, built by $init at instantiation: table 0 is the
  ;; CRC of each byte value, table k that of the byte followed by k zero bytes; from 8192 the data.
  (memory (export "memory") 1)
  (func $init
    (local $n i32) (local $c i32) (local $k i32)
    (loop $byte
      (local.set $c (local.get $n))
      (local.set $k (i32.const 8))
      (loop $bit
        (local.set $c
          (i32.xor
            (i32.shr_u (local.get $c) (i32.const 1))
            (i32.and (i32.const 0xedb88320) (i32.sub (i32.const 0) (i32.and (local.get $c) (i32.const 1))))))
        (local.tee $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $bit))
      (i32.store (i32.shl (local.get $n) (i32.const 2)) (local.get $c))
      (local.tee $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $byte (i32.lt_u (i32.const 256))))
    ;; Tables 1..7: T[k][n] = (T[k-1][n] >> 8) ^ T[0][T[k-1][n] & 0xff], entry at 4 (256 k + n).
    (local.set $n (i32.const 1024))
    (loop $entry
      (local.set $c (i32.load (i32.sub (local.get $n) (i32.const 1024))))
      (i32.store (local.get $n)
        (i32.xor
          (i32.shr_u (local.get $c) (i32.const 8))
          (i32.load (i32.shl (i32.and (local.get $c) (i32.const 0xff)) (i32.const 2)))))
      (local.tee $n (i32.add (local.get $n) (i32.const 4)))
      (br_if $entry (i32.lt_u (i32.const 8192)))))
  (start $init)
  ;; Continues the CRC `crc` over the `len` bytes at 8192. T[k][x], for a byte value x, is the
  ;; load at offset 1024 k of 4 (x & 0xff), written out in place: the first calls run in the
  ;; baseline compiler (Liftoff), which does not inline a call.
  (func (export "crc32") (param $len i32) (param $crc i32) (result i32)
    (local $p i32) (local $end i32) (local $end8 i32) (local $c i32) (local $hi i32)
    (local.set $c (i32.xor (local.get $crc) (i32.const -1)))
    (local.set $p (i32.const 8192))
    (local.set $end (i32.add (i32.const 8192) (local.get $len)))
    (local.set $end8 (i32.sub (local.get $end) (i32.and (local.get $len) (i32.const 7))))
    (block $done8
      (loop $eight
        (br_if $done8 (i32.ge_u (local.get $p) (local.get $end8)))
        (local.set $c (i32.xor (local.get $c) (i32.load (local.get $p))))
        (local.set $hi (i32.load offset=4 (local.get $p)))
        (local.set $c
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.shl (i32.and (local.get $c) (i32.const 0xff)) (i32.const 2)))
                       (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $c) (i32.const 8)) (i32.const 0xff)) (i32.const 2))))
              (i32.xor (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $c) (i32.const 16)) (i32.const 0xff)) (i32.const 2)))
                       (i32.load offset=4096 (i32.shl (i32.and (i32.shr_u (local.get $c) (i32.const 24)) (i32.const 0xff)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.shl (i32.and (local.get $hi) (i32.const 0xff)) (i32.const 2)))
                       (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 8)) (i32.const 0xff)) (i32.const 2))))
              (i32.xor (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 16)) (i32.const 0xff)) (i32.const 2)))
                       (i32.load (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 24)) (i32.const 0xff)) (i32.const 2)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $eight)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c
          (i32.xor
            (i32.load (i32.shl (i32.and (i32.xor (local.get $c) (i32.load8_u (local.get $p))) (i32.const 0xff)) (i32.const 2)))
            (i32.shr_u (local.get $c) (i32.const 8))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.xor (local.get $c) (i32.const -1))))
