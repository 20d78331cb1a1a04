(module
  ;; SHA-384 of the 112-byte SEV-SNP PAGE_INFO at [0, 112), written back over its first 48 bytes
  ;; (the next PAGE_INFO's DIGEST_CUR). FIPS 180-4 SHA-512 compression with the SHA-384 IV.
  ;; Memory: [0,112) PAGE_INFO; [112,128) padding 0x80 0...; [128,256) second block (zeros, length
  ;; 896 bits); [256,320) H; [320,960) W; [1024,1664) K.
  (memory (export "memory") 1)
  (data (i32.const 112) "\80")
  (data (i32.const 254) "\03\80")
  (data (i32.const 1024) "\22\ae\28\d7\98\2f\8a\42\cd\65\ef\23\91\44\37\71\2f\3b\4d\ec\cf\fb\c0\b5\bc\db\89\81\a5\db\b5\e9\38\b5\48\f3\5b\c2\56\39\19\d0\05\b6\f1\11\f1\59\9b\4f\19\af\a4\82\3f\92\18\81\6d\da\d5\5e\1c\ab\42\02\03\a3\98\aa\07\d8\be\6f\70\45\01\5b\83\12\8c\b2\e4\4e\be\85\31\24\e2\b4\ff\d5\c3\7d\0c\55\6f\89\7b\f2\74\5d\be\72\b1\96\16\3b\fe\b1\de\80\35\12\c7\25\a7\06\dc\9b\94\26\69\cf\74\f1\9b\c1\d2\4a\f1\9e\c1\69\9b\e4\e3\25\4f\38\86\47\be\ef\b5\d5\8c\8b\c6\9d\c1\0f\65\9c\ac\77\cc\a1\0c\24\75\02\2b\59\6f\2c\e9\2d\83\e4\a6\6e\aa\84\74\4a\d4\fb\41\bd\dc\a9\b0\5c\b5\53\11\83\da\88\f9\76\ab\df\66\ee\52\51\3e\98\10\32\b4\2d\6d\c6\31\a8\3f\21\fb\98\c8\27\03\b0\e4\0e\ef\be\c7\7f\59\bf\c2\8f\a8\3d\f3\0b\e0\c6\25\a7\0a\93\47\91\a7\d5\6f\82\03\e0\51\63\ca\06\70\6e\0e\0a\67\29\29\14\fc\2f\d2\46\85\0a\b7\27\26\c9\26\5c\38\21\1b\2e\ed\2a\c4\5a\fc\6d\2c\4d\df\b3\95\9d\13\0d\38\53\de\63\af\8b\54\73\0a\65\a8\b2\77\3c\bb\0a\6a\76\e6\ae\ed\47\2e\c9\c2\81\3b\35\82\14\85\2c\72\92\64\03\f1\4c\a1\e8\bf\a2\01\30\42\bc\4b\66\1a\a8\91\97\f8\d0\70\8b\4b\c2\30\be\54\06\a3\51\6c\c7\18\52\ef\d6\19\e8\92\d1\10\a9\65\55\24\06\99\d6\2a\20\71\57\85\35\0e\f4\b8\d1\bb\32\70\a0\6a\10\c8\d0\d2\b8\16\c1\a4\19\53\ab\41\51\08\6c\37\1e\99\eb\8e\df\4c\77\48\27\a8\48\9b\e1\b5\bc\b0\34\63\5a\c9\c5\b3\0c\1c\39\cb\8a\41\e3\4a\aa\d8\4e\73\e3\63\77\4f\ca\9c\5b\a3\b8\b2\d6\f3\6f\2e\68\fc\b2\ef\5d\ee\82\8f\74\60\2f\17\43\6f\63\a5\78\72\ab\f0\a1\14\78\c8\84\ec\39\64\1a\08\02\c7\8c\28\1e\63\23\fa\ff\be\90\e9\bd\82\de\eb\6c\50\a4\15\79\c6\b2\f7\a3\f9\be\2b\53\72\e3\f2\78\71\c6\9c\61\26\ea\ce\3e\27\ca\07\c2\c0\21\c7\b8\86\d1\1e\eb\e0\cd\d6\7d\da\ea\78\d1\6e\ee\7f\4f\7d\f5\ba\6f\17\72\aa\67\f0\06\a6\98\c8\a2\c5\7d\63\0a\ae\0d\f9\be\04\98\3f\11\1b\47\1c\13\35\0b\71\1b\84\7d\04\23\f5\77\db\28\93\24\c7\40\7b\ab\ca\32\bc\be\c9\15\0a\be\9e\3c\4c\0d\10\9c\c4\67\1d\43\b6\42\3e\cb\be\d4\c5\4c\2a\7e\65\fc\9c\29\7f\59\ec\fa\d6\3a\ab\6f\cb\5f\17\58\47\4a\8c\19\44\6c")
  (func $bswap (param $x i64) (result i64)
    (i64.or
      (i64.or
        (i64.or (i64.shl (local.get $x) (i64.const 56))
                (i64.and (i64.shl (local.get $x) (i64.const 40)) (i64.const 0x00FF000000000000)))
        (i64.or (i64.and (i64.shl (local.get $x) (i64.const 24)) (i64.const 0x0000FF0000000000))
                (i64.and (i64.shl (local.get $x) (i64.const 8)) (i64.const 0x000000FF00000000))))
      (i64.or
        (i64.or (i64.and (i64.shr_u (local.get $x) (i64.const 8)) (i64.const 0xFF000000))
                (i64.and (i64.shr_u (local.get $x) (i64.const 24)) (i64.const 0xFF0000)))
        (i64.or (i64.and (i64.shr_u (local.get $x) (i64.const 40)) (i64.const 0xFF00))
                (i64.shr_u (local.get $x) (i64.const 56))))))
  (func $compress (param $blk i32)
    (local $t i32) (local $w i64) (local $x i64) (local $y i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local $e i64) (local $f i64) (local $g i64) (local $h i64) (local $t1 i64) (local $t2 i64)
    ;; W[0..16) = big-endian words of the block
    (local.set $t (i32.const 0))
    (block $done0 (loop $l0
      (br_if $done0 (i32.ge_u (local.get $t) (i32.const 16)))
      (i64.store (i32.add (i32.const 320) (i32.shl (local.get $t) (i32.const 3)))
        (call $bswap (i64.load (i32.add (local.get $blk) (i32.shl (local.get $t) (i32.const 3))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l0)))
    ;; W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $t) (i32.const 80)))
      (local.set $x (i64.load (i32.add (i32.const 320) (i32.shl (i32.sub (local.get $t) (i32.const 2)) (i32.const 3)))))
      (local.set $y (i64.load (i32.add (i32.const 320) (i32.shl (i32.sub (local.get $t) (i32.const 15)) (i32.const 3)))))
      (i64.store (i32.add (i32.const 320) (i32.shl (local.get $t) (i32.const 3)))
        (i64.add
          (i64.add
            (i64.xor (i64.xor (i64.rotr (local.get $x) (i64.const 19)) (i64.rotr (local.get $x) (i64.const 61)))
                     (i64.shr_u (local.get $x) (i64.const 6)))
            (i64.load (i32.add (i32.const 320) (i32.shl (i32.sub (local.get $t) (i32.const 7)) (i32.const 3)))))
          (i64.add
            (i64.xor (i64.xor (i64.rotr (local.get $y) (i64.const 1)) (i64.rotr (local.get $y) (i64.const 8)))
                     (i64.shr_u (local.get $y) (i64.const 7)))
            (i64.load (i32.add (i32.const 320) (i32.shl (i32.sub (local.get $t) (i32.const 16)) (i32.const 3)))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l1)))
    (local.set $a (i64.load (i32.const 256)))
    (local.set $b (i64.load (i32.const 264)))
    (local.set $c (i64.load (i32.const 272)))
    (local.set $d (i64.load (i32.const 280)))
    (local.set $e (i64.load (i32.const 288)))
    (local.set $f (i64.load (i32.const 296)))
    (local.set $g (i64.load (i32.const 304)))
    (local.set $h (i64.load (i32.const 312)))
    (local.set $t (i32.const 0))
    (block $done2 (loop $l2
      (br_if $done2 (i32.ge_u (local.get $t) (i32.const 80)))
      ;; T1 = h + S1(e) + Ch(e,f,g) + K[t] + W[t]
      (local.set $t1
        (i64.add
          (i64.add
            (i64.add (local.get $h)
              (i64.xor (i64.xor (i64.rotr (local.get $e) (i64.const 14)) (i64.rotr (local.get $e) (i64.const 18)))
                       (i64.rotr (local.get $e) (i64.const 41))))
            (i64.xor (i64.and (local.get $e) (local.get $f))
                     (i64.and (i64.xor (local.get $e) (i64.const -1)) (local.get $g))))
          (i64.add
            (i64.load (i32.add (i32.const 1024) (i32.shl (local.get $t) (i32.const 3))))
            (i64.load (i32.add (i32.const 320) (i32.shl (local.get $t) (i32.const 3)))))))
      ;; T2 = S0(a) + Maj(a,b,c)
      (local.set $t2
        (i64.add
          (i64.xor (i64.xor (i64.rotr (local.get $a) (i64.const 28)) (i64.rotr (local.get $a) (i64.const 34)))
                   (i64.rotr (local.get $a) (i64.const 39)))
          (i64.xor (i64.xor (i64.and (local.get $a) (local.get $b)) (i64.and (local.get $a) (local.get $c)))
                   (i64.and (local.get $b) (local.get $c)))))
      (local.set $h (local.get $g))
      (local.set $g (local.get $f))
      (local.set $f (local.get $e))
      (local.set $e (i64.add (local.get $d) (local.get $t1)))
      (local.set $d (local.get $c))
      (local.set $c (local.get $b))
      (local.set $b (local.get $a))
      (local.set $a (i64.add (local.get $t1) (local.get $t2)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l2)))
    (i64.store (i32.const 256) (i64.add (i64.load (i32.const 256)) (local.get $a)))
    (i64.store (i32.const 264) (i64.add (i64.load (i32.const 264)) (local.get $b)))
    (i64.store (i32.const 272) (i64.add (i64.load (i32.const 272)) (local.get $c)))
    (i64.store (i32.const 280) (i64.add (i64.load (i32.const 280)) (local.get $d)))
    (i64.store (i32.const 288) (i64.add (i64.load (i32.const 288)) (local.get $e)))
    (i64.store (i32.const 296) (i64.add (i64.load (i32.const 296)) (local.get $f)))
    (i64.store (i32.const 304) (i64.add (i64.load (i32.const 304)) (local.get $g)))
    (i64.store (i32.const 312) (i64.add (i64.load (i32.const 312)) (local.get $h))))
  (func (export "chain")
    (i64.store (i32.const 256) (i64.const -3766243637369397544)) (i64.store (i32.const 264) (i64.const 7105036623409894663)) (i64.store (i32.const 272) (i64.const -7973340178411365097)) (i64.store (i32.const 280) (i64.const 1526699215303891257)) (i64.store (i32.const 288) (i64.const 7436329637833083697)) (i64.store (i32.const 296) (i64.const -8163818279084223215)) (i64.store (i32.const 304) (i64.const -2662702644619276377)) (i64.store (i32.const 312) (i64.const 5167115440072839076))
    (call $compress (i32.const 0))
    (call $compress (i32.const 128))
    (i64.store (i32.const 0) (call $bswap (i64.load (i32.const 256)))) (i64.store (i32.const 8) (call $bswap (i64.load (i32.const 264)))) (i64.store (i32.const 16) (call $bswap (i64.load (i32.const 272)))) (i64.store (i32.const 24) (call $bswap (i64.load (i32.const 280)))) (i64.store (i32.const 32) (call $bswap (i64.load (i32.const 288)))) (i64.store (i32.const 40) (call $bswap (i64.load (i32.const 296))))))
