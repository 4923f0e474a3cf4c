// SIGN_MODE_LEGACY_AMINO_JSON: txs signed by secretjs' AminoWallet verify (bank and compute messages, with
// secretjs' amino quirks: canonical addresses as base64, omitted empty fields); tampering fails with sdk 4.
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import assert from "node:assert/strict";
import {
  MsgSend,
  MsgMultiSend,
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgStoreCode,
  MsgMigrateContract,
  MsgUpdateAdmin,
  MsgClearAdmin,
} from "secretjs";
import { MemoryOverlay } from "../store/memory.js";
import { fromBech32 } from "../address.js";
import { sortedJson } from "./amino.js";
import { makeAminoSigner } from "./testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";

const a = makeAminoSigner(MNEMONIC_A);
const B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const sd = (sequence: number) => ({ accountNumber: 0, sequence, chainId: TEST_CHAIN_ID });

test("sortedJson sorts keys at every level and drops undefined", () => {
  assert.equal(
    sortedJson({ b: 1, a: [{ d: "x", c: undefined }], e: null }),
    '{"a":[{"d":"x"}],"b":1,"e":null}',
  );
});

test("amino-signed MsgSend and MsgMultiSend from secretjs' AminoWallet are accepted", async () => {
  const c = makeTestChain({ [a.address]: 1_000_000n });
  const send = new MsgSend({
    from_address: a.address,
    to_address: B,
    amount: [{ denom: "uscrt", amount: "3" }],
  });
  const r = c.run(await a.sign([send], sd(0), { memo: "<amino & co>" }));
  assert.equal(r.code, 0, r.log);
  const multi = new MsgMultiSend({
    inputs: [{ address: a.address, coins: [{ denom: "uscrt", amount: "2" }] }],
    outputs: [{ address: B, coins: [{ denom: "uscrt", amount: "2" }] }],
  });
  const r2 = c.run(await a.sign([multi], sd(1)));
  assert.equal(r2.code, 0, r2.log);
  assert.equal(c.bank.keeper.getBalance(c.ctx(), fromBech32(B), "uscrt").amount, 5n);
});

test("amino-signed compute messages pass ante (secretjs amino quirks reproduced)", async () => {
  const c = makeTestChain({ [a.address]: 1_000_000n });
  const msgs = [
    new MsgExecuteContract({
      sender: a.address,
      contract_address: B,
      code_hash: "ab".repeat(32),
      msg: { a: 1 },
      sent_funds: [],
    }),
    new MsgInstantiateContract({
      sender: a.address,
      code_id: 7,
      label: "l",
      init_msg: { b: 2 },
      code_hash: "cd".repeat(32),
    }),
    new MsgInstantiateContract({
      sender: a.address,
      code_id: 7,
      label: "l2",
      init_msg: {},
      code_hash: "cd".repeat(32),
      admin: B,
      init_funds: [{ denom: "uscrt", amount: "1" }],
    }),
    // Already-gzipped wasm: secretjs' un-awaited gzipWasm() would otherwise change the bytes between its
    // toAmino() and toProto() calls, a secretjs race that a real Secret node rejects the same way (sdk 4).
    new MsgStoreCode({
      sender: a.address,
      wasm_byte_code: gzipSync(new Uint8Array([0, 97, 115, 109])),
      source: "",
      builder: "b",
    }),
    new MsgMigrateContract({
      sender: a.address,
      contract_address: B,
      code_id: 9,
      msg: { m: 1 },
      code_hash: "ef".repeat(32),
    }),
    new MsgUpdateAdmin({ sender: a.address, contract_address: B, new_admin: a.address }),
    new MsgClearAdmin({ sender: a.address, contract_address: B }),
  ];
  for (const [i, m] of msgs.entries()) {
    const s = new MemoryOverlay(c.state);
    const r = c.run(await a.sign([m], sd(0)), "deliver", s);
    // No compute handler in this harness: a verified signature shows as "unknown request" (6), not 4.
    assert.equal(r.code, 6, `msg ${i}: ${r.log}`);
  }
});

test("tampering with an amino-signed tx breaks the signature (4)", async () => {
  const c = makeTestChain({ [a.address]: 1_000_000n });
  const send = new MsgSend({
    from_address: a.address,
    to_address: B,
    amount: [{ denom: "uscrt", amount: "3" }],
  });
  const raw = await a.sign([send], sd(0));
  const i = Buffer.from(raw).indexOf(Buffer.from("uscrt\x12\x013"));
  assert.ok(i > 0);
  const bad = Uint8Array.from(raw);
  bad[i + 7] = "4".charCodeAt(0);
  assert.equal(c.run(bad, "deliver", new MemoryOverlay(c.state)).code, 4);
  assert.equal(
    c.run(await a.sign([send], { ...sd(0), chainId: "x" }), "deliver", new MemoryOverlay(c.state)).code,
    4,
  );
});
