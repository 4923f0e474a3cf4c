// The contract operations end to end over the WAT echo contract: secretjs-encrypted inputs, encrypted
// state, encrypted outputs the client decrypts, key checks, sub-messages, callbacks and replies, gas.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concatBytes, fromBase64, toBase64, utf8 } from "../../util/bytes.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { EncryptedStorage } from "../encryptedStorage.js";
import { TxCrypto, validateBasicMsg } from "../io.js";
import { canonical, canonicalCacheSize, runContract, OperationError } from "./operations.js";
import { Bech32Api } from "../vm/addressApi.js";
import { humanize } from "../vm/testing/mockApi.js";
import { NO_PERMISSION } from "./output.js";
import { deriveEnvRandom } from "./random.js";
import {
  CONTRACT,
  CONTRACT_B,
  MemStore,
  SENDER,
  baseEnv,
  client,
  keys,
  loadWat,
  noQuery,
} from "./testing/harness.js";
import type { ContractCallInput } from "./types.js";

const code = await loadWat("harness.wat");
const v010 = await loadWat("v010.wat");
const USER_SEED = new Uint8Array(32).fill(9);
const USER_PK = x25519PublicKey(USER_SEED);
const NONCE = new Uint8Array(32).fill(3);
const GAS = 50_000_000n;
const EMPTY = '{"ok":{"messages":[],"attributes":[],"events":[],"data":null}}';

/** nonce ‖ pk ‖ SIV(hash_hex ‖ raw) — what secretjs sends, for raw (non-JSON) test payloads. */
function sealRaw(hex: string, raw: string, nonce = NONCE): Uint8Array {
  const tx = new TxCrypto(keys, nonce, USER_PK);
  return tx.seal(utf8.encode(hex + raw)).message;
}
function userTx(nonce = NONCE): TxCrypto {
  return new TxCrypto(keys, nonce, USER_PK);
}
const svc = (store: MemStore) => ({ keys, store, query: noQuery, verifyTxSignatures: false });

function instantiate(store: MemStore, msg: Uint8Array, extra: Partial<ContractCallInput> = {}) {
  return runContract(svc(store), {
    op: "instantiate",
    module: code.module,
    codeHash: code.codeHash,
    env: baseEnv(),
    msg,
    msgCounter: 0n,
    queryDepth: 0,
    gasLimit: GAS,
    ...extra,
  });
}

describe("instantiate / execute / query", () => {
  test("secretjs input; encrypted data, attributes and state; query answer decrypts in secretjs", async () => {
    const store = new MemStore();
    const sjs = client(USER_SEED);
    const response = {
      ok: { messages: [], attributes: [{ key: "k", value: "v", encrypted: true }], events: [], data: "aGk=" },
    };
    const enc = await sjs.encrypt(code.hex, response);
    const init = instantiate(store, enc, { admin: new Uint8Array(20).fill(5) });
    assert.equal(init.contractKey?.length, 64);
    assert.equal(init.adminProof?.length, 32);
    const ok = init.output.ok as { data: string; attributes: { key: string; value: string }[] };
    const nonce = enc.slice(0, 32);
    assert.equal(utf8.decode(await sjs.decrypt(fromBase64(ok.data), nonce)), "aGk=");
    assert.equal(utf8.decode(await sjs.decrypt(fromBase64(ok.attributes[0]!.key), nonce)), "k");
    // State is encrypted: no plaintext "env"/"info"/"init" keys or the msg in the store.
    assert.ok(store.map.size >= 3);
    for (const [k, v] of store.map) {
      assert.ok(!k.includes(Buffer.from("init").toString("hex")));
      assert.ok(!Buffer.from(v).toString().includes('"messages"'));
    }
    const contractKey = { ogContractKey: init.contractKey ?? new Uint8Array() };
    const exec = runContract(svc(store), {
      op: "execute",
      module: code.module,
      codeHash: code.codeHash,
      env: baseEnv(),
      msg: sealRaw(code.hex, '!{"ok":"eyJjb3VudCI6NX0="}'),
      contractKey,
      msgCounter: 1n,
      queryDepth: 0,
      gasLimit: GAS,
    });
    assert.deepEqual(exec.output.ok, JSON.parse(EMPTY).ok);
    const qNonce = new Uint8Array(32).fill(4);
    const q = runContract(svc(store), {
      op: "query",
      module: code.module,
      codeHash: code.codeHash,
      env: baseEnv(),
      msg: sealRaw(code.hex, "last", qNonce),
      contractKey,
      msgCounter: 0n,
      queryDepth: 0,
      gasLimit: GAS,
    });
    const plain = utf8.decode(await sjs.decrypt(fromBase64(q.output.ok as string), qNonce));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(plain))), { count: 5 });
  });

  test("wrong code hash → failed to validate transaction; wrong contract key → failed to authenticate", () => {
    const store = new MemStore();
    const wrong = "00".repeat(32);
    assert.throws(
      () => instantiate(store, sealRaw(wrong, EMPTY)),
      (e) => e instanceof OperationError && e.error.code === "ValidationFailure",
    );
    const init = instantiate(store, sealRaw(code.hex, EMPTY));
    const bad = init.contractKey!.slice();
    bad[40]! ^= 1;
    assert.throws(
      () =>
        runContract(svc(store), {
          op: "execute",
          module: code.module,
          codeHash: code.codeHash,
          env: baseEnv(),
          msg: sealRaw(code.hex, "!"),
          contractKey: { ogContractKey: bad },
          msgCounter: 0n,
          queryDepth: 0,
          gasLimit: GAS,
        }),
      (e) => e instanceof OperationError && e.error.code === "FailedContractAuthentication",
    );
  });

  test("a contract error is encrypted as {generic_err:{msg:b64}} and decrypts to the error string", async () => {
    const store = new MemStore();
    const sjs = client(USER_SEED);
    const enc = await sjs.encrypt(code.hex, { error: "boom" });
    const r = instantiate(store, enc);
    const msg = (r.output.err as { generic_err: { msg: string } }).generic_err.msg;
    assert.equal(utf8.decode(await sjs.decrypt(fromBase64(msg), enc.slice(0, 32))), "boom");
    assert.equal(store.map.size, 0, "a failed call writes nothing");
  });

  test("same call twice → same gas; out of gas reports the whole limit", () => {
    const a = instantiate(new MemStore(), sealRaw(code.hex, EMPTY));
    const b = instantiate(new MemStore(), sealRaw(code.hex, EMPTY));
    assert.equal(a.gasUsed, b.gasUsed);
    assert.throws(
      () => instantiate(new MemStore(), sealRaw(code.hex, EMPTY), { gasLimit: 1_000n }),
      (e) => e instanceof OperationError && e.error.code === "OutOfGas" && e.gasUsed === 1_000n,
    );
  });

  test("env.block.random: HKDF(block random, height ‖ contract key ‖ counter) for requires_random", () => {
    const store = new MemStore();
    const blockRandom = new Uint8Array(32).fill(0xab);
    const init = instantiate(store, sealRaw(code.hex, EMPTY), { blockRandom, msgCounter: 3n });
    const storage = new EncryptedStorage(store, {
      keys,
      ogContractKey: init.contractKey!,
      blockTimeNs: 0n,
      msgCounter: { height: 0n, counter: 0n },
      writable: false,
    });
    const env = JSON.parse(utf8.decode(storage.get(utf8.encode("env")).value!)) as {
      block: { random: string };
    };
    const expected = deriveEnvRandom(blockRandom, 100n, init.contractKey!, 3n);
    assert.equal(env.block.random, toBase64(expected));
  });
});

describe("sub-messages, callbacks and replies", () => {
  test("v1 wasm sub-message is sealed with the caller's nonce, reply header and callback_sig; the callee accepts it", async () => {
    const store = new MemStore();
    const sjs = client(USER_SEED);
    const inner = toBase64(utf8.encode(EMPTY));
    const response = {
      ok: {
        messages: [
          {
            id: 7,
            msg: {
              wasm: {
                execute: {
                  contract_addr: CONTRACT_B,
                  code_hash: code.hex,
                  msg: inner,
                  funds: [{ denom: "uscrt", amount: "5" }],
                },
              },
            },
            gas_limit: null,
            reply_on: "always",
          },
          {
            id: 0,
            msg: { bank: { send: { to_address: SENDER, amount: [{ denom: "uscrt", amount: "1" }] } } },
            gas_limit: null,
            reply_on: "never",
          },
        ],
        attributes: [],
        events: [],
        data: null,
      },
    };
    const enc = await sjs.encrypt(code.hex, response);
    const init = instantiate(store, enc);
    const out = init.output.ok as {
      messages: {
        id: number;
        msg: { wasm?: { execute: { msg: string; callback_sig: number[] } }; bank?: unknown };
      }[];
    };
    const sub = out.messages[0]!;
    assert.equal(sub.id, 0, "visible id is zeroed");
    assert.deepEqual(out.messages[1]!.msg.bank, response.ok.messages[1]!.msg.bank, "bank stays plaintext");
    const sealed = fromBase64(sub.msg.wasm!.execute.msg);
    assert.deepEqual(sealed.slice(0, 32), enc.slice(0, 32), "same nonce as the user's message");
    const pt = userTx(enc.slice(0, 32)).decrypt(sealed.slice(64));
    const v = validateBasicMsg(pt, code.codeHash);
    assert.equal(v.replyParams?.[0]?.subMsgId, 7n);
    assert.equal(utf8.decode(v.msg), EMPTY);
    // The callee (contract B, same code) accepts it with the callback signature instead of a tx signature.
    const storeB = new MemStore();
    const calleeInput: ContractCallInput = {
      op: "instantiate",
      module: code.module,
      codeHash: code.codeHash,
      env: baseEnv({ sender: CONTRACT, contract: CONTRACT_B, funds: [{ denom: "uscrt", amount: "5" }] }),
      msg: sealed,
      callbackSig: Uint8Array.from(sub.msg.wasm!.execute.callback_sig),
      msgCounter: 1n,
      queryDepth: 0,
      gasLimit: GAS,
    };
    const callee = runContract(svc(storeB), calleeInput);
    assert.ok(
      callee.output.internalMsgId !== undefined && callee.output.internalReplyEnclaveSig !== undefined,
    );
    // Funds differ from what was signed → refused.
    assert.throws(
      () =>
        runContract(svc(new MemStore()), {
          ...calleeInput,
          env: baseEnv({ sender: CONTRACT, contract: CONTRACT_B }),
        }),
      (e) => e instanceof OperationError && e.error.code === "FailedTxVerification",
    );
    // The reply goes back to the caller: signature checked, id chain decrypted, Reply{id: 7} delivered.
    const replyWire = {
      id: toBase64(callee.output.internalMsgId),
      result: { ok: { events: [], data: null } },
      was_orig_msg_encrypted: true,
      is_encrypted: true,
    };
    const reply = runContract(svc(store), {
      op: "reply",
      module: code.module,
      codeHash: code.codeHash,
      env: baseEnv(),
      msg: concatBytes(enc.slice(0, 64), utf8.encode(JSON.stringify(replyWire))),
      callbackSig: callee.output.internalReplyEnclaveSig,
      contractKey: { ogContractKey: init.contractKey! },
      msgCounter: 2n,
      queryDepth: 0,
      gasLimit: GAS,
    });
    assert.ok(reply.output.ok !== undefined);
    const storage = new EncryptedStorage(store, {
      keys,
      ogContractKey: init.contractKey!,
      blockTimeNs: 0n,
      msgCounter: { height: 0n, counter: 0n },
      writable: false,
    });
    assert.deepEqual(JSON.parse(utf8.decode(storage.get(utf8.encode("reply")).value!)), {
      id: 7,
      result: { ok: { events: [], data: null } },
    });
  });
});

describe("v0.10", () => {
  test("handle: wasm execute sealed with callback_code_hash; BankMsg::Send from another address refused", () => {
    const store = new MemStore();
    const msgOk = JSON.stringify({
      Ok: {
        messages: [
          {
            wasm: {
              execute: {
                contract_addr: CONTRACT_B,
                callback_code_hash: v010.hex,
                msg: toBase64(utf8.encode("{}")),
                send: [],
              },
            },
          },
        ],
        log: [{ key: "a", value: "b" }],
        data: null,
      },
    });
    const r = runContract(svc(store), {
      op: "instantiate",
      module: v010.module,
      codeHash: v010.codeHash,
      env: baseEnv(),
      msg: sealRaw(v010.hex, msgOk),
      msgCounter: 0n,
      queryDepth: 0,
      gasLimit: GAS,
    });
    const ok = r.output.ok as {
      messages: { wasm: { execute: { msg: string; callback_sig: number[] } } }[];
      log: { key: string }[];
    };
    const sealed = fromBase64(ok.messages[0]!.wasm.execute.msg);
    assert.equal(utf8.decode(userTx().decrypt(sealed.slice(64))), `${v010.hex}{}`);
    assert.equal(ok.messages[0]!.wasm.execute.callback_sig.length, 32);
    assert.equal(utf8.decode(userTx().decrypt(fromBase64(ok.log[0]!.key))), "a");
    const steal = JSON.stringify({
      Ok: {
        messages: [{ bank: { send: { from_address: SENDER, to_address: SENDER, amount: [] } } }],
        log: [],
        data: null,
      },
    });
    const badStore = new MemStore();
    const bad = runContract(svc(badStore), {
      op: "instantiate",
      module: v010.module,
      codeHash: v010.codeHash,
      env: baseEnv(),
      msg: sealRaw(v010.hex, steal),
      msgCounter: 0n,
      queryDepth: 0,
      gasLimit: GAS,
    });
    assert.deepEqual(bad.output.err, { generic_err: { msg: NO_PERMISSION } });
    assert.equal(badStore.map.size, 0, "a refused output writes no state");
  });
});

describe("address decoding memory", () => {
  test("same bytes as decoding afresh, a copy each time, failures never kept, bounded", () => {
    const api = new Bech32Api();
    const addr = humanize(new Uint8Array(20).fill(44));
    const first = canonical(addr);
    assert.deepEqual(first, api.addrCanonicalize(addr).canonical);
    first.fill(0);
    assert.deepEqual(canonical(addr), api.addrCanonicalize(addr).canonical, "callers get copies");
    const bad = addr.slice(0, -1) + (addr.endsWith("q") ? "p" : "q");
    assert.throws(() => canonical(bad), /invalid input/);
    assert.throws(() => canonical(bad), /invalid input/);
    for (let i = 0; i < 5000; i++) {
      const raw = new Uint8Array(20);
      new DataView(raw.buffer).setUint32(0, i);
      assert.deepEqual(canonical(humanize(raw)), raw);
    }
    assert.ok(canonicalCacheSize() <= 4096, `${canonicalCacheSize()} addresses kept`);
    assert.deepEqual(canonical(addr), api.addrCanonicalize(addr).canonical);
  });
});
