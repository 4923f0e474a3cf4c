// Runs the built snip20.wasm in Node's WebAssembly through the test host: transfers, send + Receive callback,
// allowances, viewing keys, history, padding, and SNIP-24 permits signed here with a real secp256k1 key.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { Wallet, newPermit } from "secretjs";
import { TestContract, addr, fromB64Json, humanize, loadModule } from "./host.js";

type Ok<T> = { Ok: T };
type Resp = { messages: { msg: unknown }[]; data: string | null };
const BLOCK = 256;
const ALICE = addr("alice");
const BOB = addr("bob");

function deploy(): TestContract {
  const c = new TestContract(loadModule("snip20.wasm"), addr("snip20"));
  const res = c.instantiate({
    name: "Shroud Token",
    symbol: "SHRD",
    decimals: 6,
    initial_balances: [{ address: ALICE, amount: "1000" }],
    prng_seed: Buffer.from("seed").toString("base64"),
  });
  assert.ok((res as Ok<unknown>).Ok, JSON.stringify(res));
  return c;
}

/** Executes and decodes the padded answer in `data` (also checks the padding). */
function exec(c: TestContract, msg: unknown, sender = ALICE): { answer: unknown; res: Resp } {
  const out = c.execute(msg, { sender }) as Ok<Resp> | { Err: string };
  if ("Err" in out) throw new Error(out.Err);
  const raw = Buffer.from(out.Ok.data ?? "", "base64");
  assert.equal(raw.length % BLOCK, 0, "data padded to 256-byte blocks");
  return { answer: JSON.parse(raw.toString()), res: out.Ok };
}

function query(c: TestContract, msg: unknown): unknown {
  const out = c.query(msg) as Ok<string> | { Err: string };
  if ("Err" in out) throw new Error(out.Err);
  const raw = Buffer.from(out.Ok, "base64");
  assert.equal(raw.length % BLOCK, 0, "query answer padded to 256-byte blocks");
  return JSON.parse(raw.toString());
}

describe("snip20.wasm (SNIP-20 / SNIP-24)", () => {
  test("transfer + viewing key balance; wrong key is a viewing_key_error", () => {
    const c = deploy();
    assert.deepEqual(exec(c, { transfer: { recipient: BOB, amount: "250", padding: "xxxx" } }).answer, {
      transfer: { status: "success" },
    });
    exec(c, { set_viewing_key: { key: "bob-key" } }, BOB);
    assert.deepEqual(query(c, { balance: { address: BOB, key: "bob-key" } }), { balance: { amount: "250" } });
    assert.deepEqual(query(c, { balance: { address: BOB, key: "wrong" } }), {
      viewing_key_error: { msg: "Wrong viewing key for this address or viewing key not set" },
    });
    assert.throws(
      () => exec(c, { transfer: { recipient: BOB, amount: "751" } }),
      /insufficient funds: balance=750, required=751/,
    );
  });

  test("create_viewing_key returns a working api_key_ and history lists newest first", () => {
    const c = deploy();
    const { answer } = exec(c, { create_viewing_key: { entropy: "e" } });
    const key = (answer as { create_viewing_key: { key: string } }).create_viewing_key.key;
    assert.match(key, /^api_key_[A-Za-z0-9+/]{43}=$/);
    exec(c, { transfer: { recipient: BOB, amount: "1", memo: "first" } });
    exec(c, { transfer: { recipient: BOB, amount: "2" } });
    const h = query(c, { transfer_history: { address: ALICE, key, page_size: 10 } }) as {
      transfer_history: { txs: { id: number; coins: unknown; memo: string | null }[]; total: number };
    };
    assert.equal(h.transfer_history.total, 2);
    assert.deepEqual(
      h.transfer_history.txs.map((t) => [t.id, t.memo]),
      [
        [2, null],
        [1, "first"],
      ],
    );
    assert.deepEqual(h.transfer_history.txs[1]?.coins, { denom: "SHRD", amount: "1" });
    assert.deepEqual(query(c, { token_info: {} }), {
      token_info: { name: "Shroud Token", symbol: "SHRD", decimals: 6, total_supply: "1000" },
    });
  });

  test("allowances: increase, transfer_from, decrease, expiry", () => {
    const c = deploy();
    assert.deepEqual(exec(c, { increase_allowance: { spender: BOB, amount: "100" } }).answer, {
      increase_allowance: { spender: BOB, owner: ALICE, allowance: "100" },
    });
    exec(c, { transfer_from: { owner: ALICE, recipient: addr("carol"), amount: "60" } }, BOB);
    assert.throws(
      () => exec(c, { transfer_from: { owner: ALICE, recipient: BOB, amount: "41" } }, BOB),
      /insufficient allowance/,
    );
    assert.deepEqual(exec(c, { decrease_allowance: { spender: BOB, amount: "1000" } }).answer, {
      decrease_allowance: { spender: BOB, owner: ALICE, allowance: "0" },
    });
    exec(c, { increase_allowance: { spender: BOB, amount: "5", expiration: 1 } });
    assert.throws(
      () => exec(c, { transfer_from: { owner: ALICE, recipient: BOB, amount: "1" } }, BOB),
      /expired/,
    );
    exec(c, { set_viewing_key: { key: "k" } });
    assert.deepEqual(query(c, { allowance: { owner: ALICE, spender: BOB, key: "k" } }), {
      allowance: { spender: BOB, owner: ALICE, allowance: "5", expiration: 1 },
    });
  });

  test("send to a contract emits a Receive sub-message with its code hash (named or registered)", () => {
    const c = deploy();
    const receiver = addr("receiver");
    const hash = "ef".repeat(32);
    const msg = Buffer.from("hello").toString("base64");
    const none = exec(c, { send: { recipient: receiver, amount: "1" } });
    assert.deepEqual(none.res.messages, []);
    exec(c, { register_receive: { code_hash: hash } }, receiver);
    const sent = exec(c, { send: { recipient: receiver, amount: "3", msg, memo: "m" } });
    const wasm = (
      sent.res.messages[0]?.msg as {
        wasm: { execute: { contract_addr: string; code_hash: string; msg: string } };
      }
    ).wasm.execute;
    assert.equal(wasm.contract_addr, receiver);
    assert.equal(wasm.code_hash, hash);
    assert.deepEqual(fromB64Json(wasm.msg), {
      receive: { sender: ALICE, from: ALICE, amount: "3", memo: "m", msg },
    });
    exec(c, { increase_allowance: { spender: BOB, amount: "2" } });
    const from = exec(
      c,
      { send_from: { owner: ALICE, recipient: receiver, recipient_code_hash: "aa".repeat(32), amount: "2" } },
      BOB,
    );
    const wasm2 = (from.res.messages[0]?.msg as { wasm: { execute: { code_hash: string; msg: string } } })
      .wasm.execute;
    assert.equal(wasm2.code_hash, "aa".repeat(32));
    assert.deepEqual(fromB64Json(wasm2.msg), {
      receive: { sender: BOB, from: ALICE, amount: "2", memo: null, msg: null },
    });
  });
});

// --- SNIP-24 permits ------------------------------------------------------------------------------------------

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Signs like secretjs `newPermit` (sign doc from secretjs dist/extensions/access_control/permit/index.js). */
function signPermit(
  priv: Uint8Array,
  params: { permit_name: string; allowed_tokens: string[]; chain_id: string; permissions: string[] },
) {
  const doc = {
    chain_id: params.chain_id,
    account_number: "0",
    sequence: "0",
    fee: { amount: [{ denom: "uscrt", amount: "0" }], gas: "1" },
    msgs: [
      {
        type: "query_permit",
        value: {
          permit_name: params.permit_name,
          allowed_tokens: params.allowed_tokens,
          permissions: params.permissions,
        },
      },
    ],
    memo: "",
  };
  const escaped = sortedJson(doc).replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  const hash = createHash("sha256").update(escaped).digest();
  const sig = secp256k1.sign(hash, priv, { prehash: false, lowS: true, format: "compact" });
  const pub = secp256k1.getPublicKey(priv, true);
  return {
    params,
    signature: {
      pub_key: { type: "tendermint/PubKeySecp256k1", value: Buffer.from(pub).toString("base64") },
      signature: Buffer.from(sig).toString("base64"),
    },
  };
}

describe("snip20.wasm SNIP-24 permits", () => {
  const priv = createHash("sha256").update("permit signer").digest();
  const signer = humanize(
    ripemd160(createHash("sha256").update(secp256k1.getPublicKey(priv, true)).digest()),
  );

  test("a valid permit reads the signer's balance; revocation, wrong token, missing permission and tampering fail", () => {
    const c = deploy();
    exec(c, { transfer: { recipient: signer, amount: "42" } });
    const params = {
      permit_name: "p<&>",
      allowed_tokens: [c.address],
      chain_id: "shroud-1",
      permissions: ["balance"],
    };
    const permit = signPermit(priv, params);
    assert.deepEqual(query(c, { with_permit: { permit, query: { balance: {} } } }), {
      balance: { amount: "42" },
    });

    const noHistory = c.query({ with_permit: { permit, query: { transfer_history: { page_size: 1 } } } }) as {
      Err: string;
    };
    assert.match(noHistory.Err, /No permission to query/);
    const otherToken = signPermit(priv, { ...params, allowed_tokens: [addr("elsewhere")] });
    assert.match(
      (c.query({ with_permit: { permit: otherToken, query: { balance: {} } } }) as { Err: string }).Err,
      /doesn't apply to token/,
    );
    const otherChain = signPermit(priv, { ...params, chain_id: "other-1" });
    assert.match(
      (c.query({ with_permit: { permit: otherChain, query: { balance: {} } } }) as { Err: string }).Err,
      /another chain/,
    );
    const tampered = { ...permit, params: { ...params, permit_name: "q" } };
    assert.match(
      (c.query({ with_permit: { permit: tampered, query: { balance: {} } } }) as { Err: string }).Err,
      /Failed to verify/,
    );

    exec(c, { revoke_permit: { permit_name: "p<&>" } }, signer);
    assert.match(
      (c.query({ with_permit: { permit, query: { balance: {} } } }) as { Err: string }).Err,
      /revoked/,
    );
  });

  test("a permit signed by the real secretjs client (Wallet + newPermit) is accepted", async () => {
    // Fixed, public test mnemonic (BIP-39 "abandon … about"); never holds funds.
    const wallet = new Wallet("abandon ".repeat(11) + "about");
    const c = deploy();
    exec(c, { transfer: { recipient: wallet.address, amount: "9" } });
    const permit = await newPermit(
      wallet,
      wallet.address,
      "shroud-1",
      "sjs",
      [c.address],
      ["balance", "history"],
      false,
    );
    assert.deepEqual(query(c, { with_permit: { permit, query: { balance: {} } } }), {
      balance: { amount: "9" },
    });
    const history = query(c, { with_permit: { permit, query: { transfer_history: { page_size: 5 } } } }) as {
      transfer_history: { total: number };
    };
    assert.equal(history.transfer_history.total, 1);
  });
});
