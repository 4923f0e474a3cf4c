// x/compute end to end: secretjs-built, signed txs through runTx (real ante, auth, bank) into the compute
// module and a real enclave worker; outputs decrypted with secretjs' EncryptionUtilsImpl. Contracts from
// contracts/build (counter, callbacks, snip20; provenance contracts/testdata/README.md).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  MsgClearAdmin,
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgStoreCode,
  MsgUpdateAdmin,
  type Wallet,
} from "secretjs";
import { fromBase64, toBase64, utf8 } from "../../../util/bytes.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { GrpcCode, QueryError } from "../../errors.js";
import { computeQueryTable } from "./queryServer.js";
import { contractAddress } from "./runner.js";
import { contract, fork, startHarness, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
const hashes: Record<string, string> = {};
const ids: Record<string, number> = {};

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
const ctx = () => h.chain.ctx();

async function store(name: string, w: Wallet = h.a) {
  const { res } = await h.deliver(
    w,
    [new MsgStoreCode({ sender: w.address, wasm_byte_code: contract(name), source: "", builder: "" })],
    5_000_000,
  );
  ok(res);
  return Number(attr(res.events, "message", "code_id")[0]);
}

async function instantiate(name: string, label: string, initMsg: object, admin?: string, w: Wallet = h.a) {
  const msg = new MsgInstantiateContract({
    sender: w.address,
    code_id: ids[name]!,
    code_hash: hashes[name]!,
    label,
    init_msg: initMsg,
    ...(admin === undefined ? {} : { admin }),
  });
  const r = await h.deliver(w, [msg]);
  return { ...r, address: attr(r.res.events, "message", "contract_address")[0] ?? "" };
}

function execute(
  contractAddr: string,
  name: string,
  m: object,
  w: Wallet = h.a,
  funds: { denom: string; amount: string }[] = [],
) {
  return h.deliver(w, [
    new MsgExecuteContract({
      sender: w.address,
      contract_address: contractAddr,
      code_hash: hashes[name]!,
      msg: m,
      sent_funds: funds,
    }),
  ]);
}

async function query(contractAddr: string, name: string, q: object): Promise<unknown> {
  const msg = await h.utils.encrypt(hashes[name]!, q);
  const r = h.compute.query.querySecretContract(ctx(), contractAddr, msg);
  const b64 = utf8.decode(await h.utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
  return JSON.parse(utf8.decode(fromBase64(b64)));
}

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

describe("x/compute through runTx and a real enclave", () => {
  test("store code raw and gzip: ids, lowercase hex hash of the raw wasm, code_id event, code queries", async () => {
    ids.counter = await store("counter.wasm");
    ids.counterGz = await store("counter.wasm.gz");
    ids.callbacks = await store("callbacks.wasm.gz");
    ids.snip20 = await store("snip20.wasm.gz");
    assert.deepEqual([ids.counter, ids.counterGz, ids.callbacks, ids.snip20], [1, 2, 3, 4]);
    hashes.counter = sha(contract("counter.wasm"));
    hashes.callbacks = sha(contract("callbacks.wasm"));
    hashes.snip20 = sha(contract("snip20.wasm"));
    const q = h.compute.query;
    assert.equal(q.codeHashByCodeId(ctx(), 1n).code_hash, hashes.counter);
    assert.equal(q.codeHashByCodeId(ctx(), 2n).code_hash, hashes.counter);
    assert.equal(q.codeHashByCodeId(ctx(), 3n).code_hash, hashes.callbacks);
    const code = q.code(ctx(), 2n) as { code_info: { creator: string }; wasm: string };
    assert.equal(sha(fromBase64(code.wasm)), hashes.counter, "code query returns the raw wasm");
    assert.equal(code.code_info.creator, h.a.address);
    assert.equal((q.codes(ctx()) as { code_infos: unknown[] }).code_infos.length, 4);
  });

  test("store code: a rejected upload (float op) fails with create contract failed", async () => {
    const { res } = await h.deliver(
      h.a,
      [
        new MsgStoreCode({
          sender: h.a.address,
          wasm_byte_code: contract("hostile_float_op.wasm"),
          source: "",
          builder: "",
        }),
      ],
      5_000_000,
    );
    assert.equal(res.codespace, "compute");
    assert.equal(res.code, 15);
  });

  test("instantiate: address derivation, events, encrypted data/attributes, info/label/history queries", async () => {
    const { res, tx, address } = await instantiate("counter", "counter-1", { count: 5 }, h.a.address);
    ok(res);
    const expected = toBech32(contractAddress(1n, 1n, fromBech32(h.a.address)));
    assert.equal(address, expected);
    const wasm = res.events.find((e) => e.type === "wasm");
    assert.ok(wasm);
    assert.equal(wasm.attributes[0]?.key, "contract_address");
    assert.equal(wasm.attributes[0].value, expected);
    assert.ok(wasm.attributes.some((a) => a.key === "msg_index"));
    // SN keeper.go: a v1 instantiate emits `instantiate` {contract_address, code_id} before the contract's events.
    const inst = res.events.find((e) => e.type === "instantiate");
    assert.deepEqual(
      inst?.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value]),
      [
        ["contract_address", expected],
        ["code_id", "1"],
      ],
    );
    assert.ok(res.events.indexOf(inst) < res.events.indexOf(wasm));
    const plain: Record<string, string> = {};
    for (const a of wasm.attributes.slice(1)) {
      if (a.key === "msg_index") continue;
      let k = a.key;
      let v = a.value;
      try {
        k = (await h.decryptWith(tx, 0, a.key)).trim();
        v = (await h.decryptWith(tx, 0, a.value)).trim();
      } catch {
        // plaintext attribute (add_attribute_plaintext)
      }
      plain[k] = v;
    }
    assert.deepEqual(plain, { action: "instantiate", owner: h.a.address, count: "5" });
    const q = h.compute.query;
    const info = q.contractInfo(ctx(), address) as { contract_info: Record<string, unknown> };
    assert.equal(info.contract_info.label, "counter-1");
    assert.equal(info.contract_info.admin, h.a.address);
    assert.notEqual(info.contract_info.admin_proof, "");
    assert.equal(q.addressByLabel(ctx(), "counter-1").contract_address, address);
    assert.equal(q.labelByAddress(ctx(), address).label, "counter-1");
    assert.equal(q.codeHashByContractAddress(ctx(), address).code_hash, hashes.counter);
    const hist = q.contractHistory(ctx(), address) as { entries: { operation: string; msg: string }[] };
    assert.equal(hist.entries[0]!.operation, "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT");
    const sentMsg = (tx.messages[0]?.value as { initMsg: Uint8Array }).initMsg;
    assert.equal(hist.entries[0]!.msg, toBase64(sentMsg), "history keeps the encrypted msg as sent");
    const byCode = q.contractsByCodeId(ctx(), 1n) as { contract_infos: { contract_address: string }[] };
    assert.deepEqual(
      byCode.contract_infos.map((c) => c.contract_address),
      [address],
    );
  });

  test("instantiate without admin; the same label again is refused", async () => {
    const r = await instantiate("counter", "counter-noadmin", { count: 1 });
    ok(r.res);
    const info = h.compute.query.contractInfo(ctx(), r.address) as { contract_info: Record<string, unknown> };
    assert.equal(info.contract_info.admin, "");
    const dup = await instantiate("counter", "counter-noadmin", { count: 1 });
    assert.equal(dup.res.codespace, "compute");
    assert.equal(dup.res.code, 6);
    assert.match(dup.res.log, /counter-noadmin: contract account already exists$/);
  });

  test("execute: decrypted data, smart query, contract error decrypts from raw_log; same tx twice → same gas", async () => {
    const addr = h.compute.query.addressByLabel(ctx(), "counter-1").contract_address;
    const r = await execute(addr, "counter", { increment: {} });
    ok(r.res);
    assert.deepEqual(JSON.parse(await h.decryptData(r.res, r.tx, 0)), { count: 6 });
    assert.deepEqual(attr(r.res.events, "execute", "contract_address"), [addr], "SN's v1 `execute` event");
    assert.equal(r.res.events.filter((e) => e.type === "instantiate").length, 0);
    assert.deepEqual(await query(addr, "counter", { get_count: {} }), { count: 6 });

    const bad = await execute(addr, "counter", { reset: { count: 0 } }, h.b);
    assert.equal(bad.res.code, 3);
    const m =
      /; message index: (\d+):(?: dispatch: submessages:)* encrypted: (.+?): (?:instantiate|execute|query|reply to|migrate) contract failed/.exec(
        bad.res.log,
      );
    assert.ok(m, bad.res.log);
    assert.match(await h.decryptWith(bad.tx, 0, m[2]!), /unauthorized: only the owner may reset/);
    assert.deepEqual(
      await query(addr, "counter", { get_count: {} }),
      { count: 6 },
      "failed execute wrote nothing",
    );

    const raw = await h.sign(h.a, [
      new MsgExecuteContract({
        sender: h.a.address,
        contract_address: addr,
        code_hash: hashes.counter!,
        msg: { increment: {} },
      }),
    ]);
    const one = h.run(raw, fork(h.chain.state)).res;
    const two = h.run(raw, fork(h.chain.state)).res;
    ok(one);
    assert.equal(one.gasUsed, two.gasUsed);
    assert.ok(one.gasUsed > 20_000n, `gas ${one.gasUsed}`);
  });

  test("smart query errors come back as `encrypted: <b64>: query contract failed`", async () => {
    const r = await instantiate("callbacks", "cb-query", { count: 0 });
    ok(r.res);
    const msg = await h.utils.encrypt(hashes.callbacks!, { fail: { message: "nope" } });
    assert.throws(
      () => h.compute.query.querySecretContract(ctx(), r.address, msg),
      (e: Error) => /^encrypted: .+: query contract failed$/.test(e.message),
    );
  });

  test("update admin then clear admin; a non-admin is refused", async () => {
    const addr = h.compute.query.addressByLabel(ctx(), "counter-1").contract_address;
    const notAdmin = await h.deliver(h.b, [
      new MsgUpdateAdmin({ sender: h.b.address, contract_address: addr, new_admin: h.b.address }),
    ]);
    assert.notEqual(notAdmin.res.code, 0);
    const up = await h.deliver(h.a, [
      new MsgUpdateAdmin({ sender: h.a.address, contract_address: addr, new_admin: h.b.address }),
    ]);
    ok(up.res);
    assert.deepEqual(attr(up.res.events, "update_contract_admin", "new_admin_address"), [h.b.address]);
    assert.deepEqual(attr(up.res.events, "update_contract_admin", "contract_address"), [addr]);
    const info = () =>
      (h.compute.query.contractInfo(ctx(), addr) as { contract_info: Record<string, string> }).contract_info;
    assert.equal(info().admin, h.b.address);
    const clear = await h.deliver(h.b, [new MsgClearAdmin({ sender: h.b.address, contract_address: addr })]);
    ok(clear.res);
    assert.deepEqual(attr(clear.res.events, "update_contract_admin", "new_admin_address"), [""]);
    assert.equal(info().admin, "");
    assert.equal(info().admin_proof, "");
  });
  test("the gRPC-name query table answers with the REST argument names; unknown ids are NotFound", () => {
    const table = computeQueryTable(h.compute.query);
    const args = (v: Record<string, string | bigint | Uint8Array>) => ({
      str: (n: string) => v[n] as string,
      u64: (n: string) => v[n] as bigint,
      bytes: (n: string) => v[n] as Uint8Array,
    });
    const addr = h.compute.query.addressByLabel(ctx(), "counter-1").contract_address;
    const get = (m: string) => table[`/secret.compute.v1beta1.Query/${m}`]!;
    assert.deepEqual(get("CodeHashByContractAddress")(ctx(), args({ contract_address: addr })), {
      code_hash: hashes.counter,
    });
    assert.deepEqual(get("AddressByLabel")(ctx(), args({ label: "counter-1" })), { contract_address: addr });
    assert.equal(Object.keys(table).length, 11);
    assert.throws(
      () => get("Code")(ctx(), args({ code_id: 99n })),
      (e: unknown) => e instanceof QueryError && e.grpcCode === GrpcCode.NotFound,
    );
  });
  test("queryChain OCALL answers: bank balance in Secret's Ok/Ok form; unsupported kinds; invalid JSON", () => {
    const ask = (q: unknown) => {
      const r = h.compute.engine.queryChain(ctx(), utf8.encode(JSON.stringify(q)), 1_000_000n, 1);
      return JSON.parse(utf8.decode(r.result)) as { Ok?: { Ok?: string; Err?: string }; Err?: unknown };
    };
    const bal = ask({ bank: { balance: { address: h.a.address, denom: "uscrt" } } });
    const want = h.chain.bank.keeper.getBalance(ctx(), fromBech32(h.a.address), "uscrt").amount.toString();
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(bal.Ok!.Ok!))), {
      amount: { denom: "uscrt", amount: want },
    });
    assert.deepEqual(ask({ staking: { bonded_denom: {} } }), {
      Err: { unsupported_request: { kind: "staking" } },
    });
    const bad = h.compute.engine.queryChain(ctx(), utf8.encode("{"), 1n, 1);
    assert.ok("invalid_request" in (JSON.parse(utf8.decode(bad.result)) as { Err: object }).Err);
  });
});
