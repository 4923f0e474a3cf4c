;; Hand-written CosmWasm v0.10 test contract (cosmwasm_vm_version_3) for the VM tests.
;; init/handle(env,msg) store env under "env" and msg under "msg" and echo msg as the result;
;; query(msg) returns the value stored under key = msg, or msg itself. Wrappers test the v0.10
;; address imports.
(module
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (import "env" "db_write" (func $db_write (param i32 i32)))
  (import "env" "canonicalize_address" (func $canon (param i32 i32) (result i32)))
  (import "env" "humanize_address" (func $human (param i32 i32) (result i32)))
  (import "env" "query_chain" (func $query_chain (param i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (data (i32.const 1024) "env")
  (data (i32.const 1040) "msg")
  (data (i32.const 2048) "\00\04\00\00\03\00\00\00\03\00\00\00")
  (data (i32.const 2064) "\10\04\00\00\03\00\00\00\03\00\00\00")
  (func (export "allocate") (param $size i32) (result i32)
    (local $r i32)
    global.get $heap
    local.set $r
    local.get $r
    local.get $r
    i32.const 12
    i32.add
    i32.store
    local.get $r
    local.get $size
    i32.store offset=4
    local.get $r
    i32.const 0
    i32.store offset=8
    global.get $heap
    i32.const 12
    i32.add
    local.get $size
    i32.add
    global.set $heap
    local.get $r)
  (func (export "deallocate") (param i32))
  (func (export "cosmwasm_vm_version_3"))
  (func $store (param $env i32) (param $msg i32) (result i32)
    i32.const 2048
    local.get $env
    call $db_write
    i32.const 2064
    local.get $msg
    call $db_write
    local.get $msg)
  (func (export "init") (param i32 i32) (result i32) local.get 0 local.get 1 call $store)
  (func (export "handle") (param i32 i32) (result i32) local.get 0 local.get 1 call $store)
  (func (export "migrate") (param i32 i32) (result i32) local.get 0 local.get 1 call $store)
  (func (export "query") (param $msg i32) (result i32)
    (local $v i32)
    local.get $msg
    call $db_read
    local.tee $v
    i32.eqz
    if (result i32)
      local.get $msg
    else
      local.get $v
    end)
  (func (export "t_canonicalize_address") (param i32 i32) (result i32) local.get 0 local.get 1 call $canon)
  (func (export "t_humanize_address") (param i32 i32) (result i32) local.get 0 local.get 1 call $human)
  (func (export "t_query_chain") (param i32) (result i32) local.get 0 call $query_chain)
)
