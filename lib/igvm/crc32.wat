(module
  ;; CRC-32/ISO-HDLC (reflected, polynomial 0xEDB88320), the IGVM header checksum.
  ;; Memory: [0, 1024) the byte table (built by $init at instantiation), from 1024 the data.
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
      (br_if $byte (i32.lt_u (i32.const 256)))))
  (start $init)
  ;; Continues the CRC `crc` over the `len` bytes at 1024.
  (func (export "crc32") (param $len i32) (param $crc i32) (result i32)
    (local $p i32) (local $end i32) (local $c i32)
    (local.set $c (i32.xor (local.get $crc) (i32.const -1)))
    (local.set $p (i32.const 1024))
    (local.set $end (i32.add (i32.const 1024) (local.get $len)))
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
