;; Hand-written CosmWasm v1 contract that would see leftovers of an earlier call in its instance (pool test,
;; ../pool.test.ts). `execute` returns 8 observation bytes, then changes what it observed:
;;   [0] calls so far (a mutable, unexported global), [1] byte @1024 (data segment "hello": 'h'),
;;   [2] byte @60000 (zero in a fresh memory), [3] memory.size in pages, [4..7] the bump pointer at entry,
;;   [8] byte @100 (zero in a fresh memory; below every other write, so only its own write may dirty it).
;; The first byte of msg picks an extra action after observing:
;;   'g' grow memory by 1 page; 'o' load just past the visible end; 'f' memory.fill across the end;
;;   'c' memory.copy from past the end; 'r' return a result region lying past the end; 'x' grow 3 and
;;   store into the new pages (so a later call's reused pages are dirty until reset); 'b' grow 20 pages;
;;   'F' memory.fill @100, 'C' memory.copy to @100, 'S' i32.store8 @100 (the reset's low-water mark must see each).
(module
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 1024) "hello")

  (func $allocate (export "allocate") (param $size i32) (result i32)
    (local $r i32)
    (local.set $r (global.get $heap))
    (i32.store (local.get $r) (i32.add (local.get $r) (i32.const 12)))
    (i32.store offset=4 (local.get $r) (local.get $size))
    (i32.store offset=8 (local.get $r) (i32.const 0))
    (global.set $heap (i32.add (local.get $r) (i32.add (i32.const 12) (local.get $size))))
    (local.get $r))
  (func (export "deallocate") (param i32))
  (func (export "interface_version_8"))

  (func $empty (result i32)
    (local $r i32)
    (local.set $r (call $allocate (i32.const 0)))
    (local.get $r))
  (func (export "instantiate") (param i32 i32 i32) (result i32) (call $empty))

  (func (export "execute") (param $env i32) (param $info i32) (param $msg i32) (result i32)
    (local $out i32) (local $data i32) (local $heap0 i32) (local $op i32) (local $end i32)
    (local.set $heap0 (global.get $heap))
    (local.set $op (i32.load8_u (i32.load (local.get $msg))))
    (local.set $out (call $allocate (i32.const 9)))
    (local.set $data (i32.load (local.get $out)))
    (i32.store8 (local.get $data) (global.get $calls))
    (i32.store8 offset=1 (local.get $data) (i32.load8_u (i32.const 1024)))
    (i32.store8 offset=2 (local.get $data) (i32.load8_u (i32.const 60000)))
    (i32.store8 offset=3 (local.get $data) (memory.size))
    (i32.store offset=4 (local.get $data) (local.get $heap0))
    (i32.store8 offset=8 (local.get $data) (i32.load8_u (i32.const 100)))
    (i32.store offset=8 (local.get $out) (i32.const 9))
    ;; leave traces for the next call
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 1024) (i32.const 88))
    (i32.store8 (i32.const 60000) (i32.const 119))
    (local.set $end (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.eq (local.get $op) (i32.const 103)) ;; 'g'
      (then (drop (memory.grow (i32.const 1)))))
    (if (i32.eq (local.get $op) (i32.const 111)) ;; 'o'
      (then (drop (i32.load (local.get $end)))))
    (if (i32.eq (local.get $op) (i32.const 102)) ;; 'f'
      (then (memory.fill (i32.sub (local.get $end) (i32.const 4)) (i32.const 1) (i32.const 8))))
    (if (i32.eq (local.get $op) (i32.const 99)) ;; 'c'
      (then (memory.copy (i32.const 0) (i32.sub (local.get $end) (i32.const 4)) (i32.const 8))))
    (if (i32.eq (local.get $op) (i32.const 114)) ;; 'r': a result region whose data lies past the end
      (then
        (i32.store (local.get $out) (local.get $end))
        (return (local.get $out))))
    (if (i32.eq (local.get $op) (i32.const 70)) ;; 'F'
      (then (memory.fill (i32.const 100) (i32.const 7) (i32.const 1))))
    (if (i32.eq (local.get $op) (i32.const 67)) ;; 'C'
      (then (memory.copy (i32.const 100) (i32.const 1024) (i32.const 1))))
    (if (i32.eq (local.get $op) (i32.const 83)) ;; 'S'
      (then (i32.store8 (i32.const 100) (i32.const 5))))
    (if (i32.eq (local.get $op) (i32.const 98)) ;; 'b'
      (then (drop (memory.grow (i32.const 20)))))
    (if (i32.eq (local.get $op) (i32.const 120)) ;; 'x'
      (then
        (drop (memory.grow (i32.const 3)))
        (i32.store (i32.add (local.get $end) (i32.const 100)) (i32.const 0x01020304))
        (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (i32.const -1))))
    (local.get $out))
)
