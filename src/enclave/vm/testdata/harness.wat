;; Hand-written CosmWasm v1 test contract for the VM tests (no provenance outside this repo).
;; - allocate/deallocate: a bump allocator; regions are 12-byte structs followed by their data.
;; - t_* exports: thin wrappers around each import, called directly by the tests.
;; - instantiate/execute/migrate/reply: store env/info/msg under fixed keys and echo msg as the result,
;;   unless msg starts with "!" (then the fixed empty Response is returned). query(env,msg) returns the
;;   value stored under key = msg with its first byte dropped, or msg itself if the key is absent.
;; - gas: Secret-style exported i64 globals `gas_limit` / `gas_limit_exhausted`; t_burn(n) charges
;;   n times 10 gas the way the injected metering does.
(module
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (import "env" "db_write" (func $db_write (param i32 i32)))
  (import "env" "db_remove" (func $db_remove (param i32)))
  (import "env" "addr_validate" (func $addr_validate (param i32) (result i32)))
  (import "env" "addr_canonicalize" (func $addr_canonicalize (param i32 i32) (result i32)))
  (import "env" "addr_humanize" (func $addr_humanize (param i32 i32) (result i32)))
  (import "env" "secp256k1_verify" (func $secp256k1_verify (param i32 i32 i32) (result i32)))
  (import "env" "secp256k1_recover_pubkey" (func $secp256k1_recover_pubkey (param i32 i32 i32) (result i64)))
  (import "env" "secp256k1_sign" (func $secp256k1_sign (param i32 i32) (result i64)))
  (import "env" "ed25519_verify" (func $ed25519_verify (param i32 i32 i32) (result i32)))
  (import "env" "ed25519_batch_verify" (func $ed25519_batch_verify (param i32 i32 i32) (result i32)))
  (import "env" "ed25519_sign" (func $ed25519_sign (param i32 i32) (result i64)))
  (import "env" "debug" (func $debug (param i32)))
  (import "env" "query_chain" (func $query_chain (param i32) (result i32)))
  (import "env" "abort" (func $abort (param i32)))
  (import "env" "gas_evaporate" (func $gas_evaporate (param i32) (result i32)))
  (import "env" "check_gas" (func $check_gas (result i64)))
  (import "env" "dcap_quote_verify" (func $dcap_quote_verify (param i32 i32) (result i64)))

  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $gas (export "gas_limit") (mut i64) (i64.const 0))
  (global $exhausted (export "gas_limit_exhausted") (mut i64) (i64.const 0))

  ;; keys: "env" @1024, "info" @1040, "msg" @1056, "last" @1072, "reply" @1088, "migrate" @1104
  (data (i32.const 1024) "env")
  (data (i32.const 1040) "info")
  (data (i32.const 1056) "init")
  (data (i32.const 1072) "last")
  (data (i32.const 1088) "reply")
  (data (i32.const 1104) "migrate")
  ;; region structs (offset, capacity, length as u32 LE) @2048 + 16*i
  (data (i32.const 2048) "\00\04\00\00\03\00\00\00\03\00\00\00")
  (data (i32.const 2064) "\10\04\00\00\04\00\00\00\04\00\00\00")
  (data (i32.const 2080) "\20\04\00\00\04\00\00\00\04\00\00\00")
  (data (i32.const 2096) "\30\04\00\00\04\00\00\00\04\00\00\00")
  (data (i32.const 2112) "\40\04\00\00\05\00\00\00\05\00\00\00")
  (data (i32.const 2128) "\50\04\00\00\07\00\00\00\07\00\00\00")
  ;; the fixed empty Response @3072 (62 bytes), its region @3000
  (data (i32.const 3072) "{\22ok\22:{\22messages\22:[],\22attributes\22:[],\22events\22:[],\22data\22:null}}")
  (data (i32.const 3000) "\00\0c\00\00\3e\00\00\00\3e\00\00\00")

  (func $allocate (export "allocate") (param $size i32) (result i32)
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
    (block $done
      (loop $grow
        global.get $heap
        memory.size
        i32.const 65536
        i32.mul
        i32.le_u
        br_if $done
        i32.const 1
        memory.grow
        drop
        br $grow))
    local.get $r)
  (func (export "deallocate") (param i32))
  (func (export "interface_version_8"))
  (func (export "requires_random"))

  ;; first byte of a region's data, or -1 when empty
  (func $first_byte (param $r i32) (result i32)
    local.get $r
    i32.load offset=8
    i32.eqz
    if (result i32)
      i32.const -1
    else
      local.get $r
      i32.load
      i32.load8_u
    end)

  ;; echo msg unless it starts with "!" (0x21)
  (func $result (param $msg i32) (result i32)
    local.get $msg
    call $first_byte
    i32.const 0x21
    i32.eq
    if (result i32)
      i32.const 3000
    else
      local.get $msg
    end)

  (func (export "instantiate") (param $env i32) (param $info i32) (param $msg i32) (result i32)
    i32.const 2048
    local.get $env
    call $db_write
    i32.const 2064
    local.get $info
    call $db_write
    i32.const 2080
    local.get $msg
    call $db_write
    local.get $msg
    call $result)

  (func (export "execute") (param $env i32) (param $info i32) (param $msg i32) (result i32)
    i32.const 2048
    local.get $env
    call $db_write
    i32.const 2064
    local.get $info
    call $db_write
    i32.const 2096
    local.get $msg
    call $db_write
    local.get $msg
    call $result)

  (func (export "migrate") (param $env i32) (param $msg i32) (result i32)
    i32.const 2048
    local.get $env
    call $db_write
    i32.const 2128
    local.get $msg
    call $db_write
    local.get $msg
    call $result)

  (func (export "reply") (param $env i32) (param $msg i32) (result i32)
    i32.const 2112
    local.get $msg
    call $db_write
    i32.const 3000)

  (func (export "query") (param $env i32) (param $msg i32) (result i32)
    (local $v i32)
    local.get $msg
    call $db_read
    local.tee $v
    i32.eqz
    if (result i32)
      local.get $msg
    else
      ;; drop the first byte: offset += 1, capacity -= 1, length -= 1
      local.get $v
      local.get $v
      i32.load
      i32.const 1
      i32.add
      i32.store
      local.get $v
      local.get $v
      i32.load offset=4
      i32.const 1
      i32.sub
      i32.store offset=4
      local.get $v
      local.get $v
      i32.load offset=8
      i32.const 1
      i32.sub
      i32.store offset=8
      local.get $v
    end)

  ;; Secret-style metering: charge n * 10 gas, trapping like the injected code on shortfall.
  (func (export "t_burn") (param $n i32)
    (block $done
      (loop $l
        local.get $n
        i32.eqz
        br_if $done
        global.get $gas
        i64.const 10
        i64.lt_u
        if
          i64.const 10
          global.set $exhausted
          unreachable
        end
        global.get $gas
        i64.const 10
        i64.sub
        global.set $gas
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $l)))

  (func (export "t_db_read") (param i32) (result i32) local.get 0 call $db_read)
  (func (export "t_db_write") (param i32 i32) local.get 0 local.get 1 call $db_write)
  (func (export "t_db_remove") (param i32) local.get 0 call $db_remove)
  (func (export "t_addr_validate") (param i32) (result i32) local.get 0 call $addr_validate)
  (func (export "t_addr_canonicalize") (param i32 i32) (result i32) local.get 0 local.get 1 call $addr_canonicalize)
  (func (export "t_addr_humanize") (param i32 i32) (result i32) local.get 0 local.get 1 call $addr_humanize)
  (func (export "t_secp256k1_verify") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 call $secp256k1_verify)
  (func (export "t_secp256k1_recover_pubkey") (param i32 i32 i32) (result i64)
    local.get 0 local.get 1 local.get 2 call $secp256k1_recover_pubkey)
  (func (export "t_secp256k1_sign") (param i32 i32) (result i64) local.get 0 local.get 1 call $secp256k1_sign)
  (func (export "t_ed25519_verify") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 call $ed25519_verify)
  (func (export "t_ed25519_batch_verify") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 call $ed25519_batch_verify)
  (func (export "t_ed25519_sign") (param i32 i32) (result i64) local.get 0 local.get 1 call $ed25519_sign)
  (func (export "t_debug") (param i32) local.get 0 call $debug)
  (func (export "t_query_chain") (param i32) (result i32) local.get 0 call $query_chain)
  (func (export "t_abort") (param i32) local.get 0 call $abort)
  (func (export "t_gas_evaporate") (param i32) (result i32) local.get 0 call $gas_evaporate)
  (func (export "t_check_gas") (result i64) call $check_gas)
  (func (export "t_dcap_quote_verify") (param i32 i32) (result i64) local.get 0 local.get 1 call $dcap_quote_verify)
  (func (export "t_trap") unreachable)
)
