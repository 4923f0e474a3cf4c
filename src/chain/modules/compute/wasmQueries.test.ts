// A contract's wasm chain queries as SN's WasmQuerier answers them (query_plugins.go): `contract_info` in
// go-cosmwasm's ContractInfoResponse JSON (admin always omitted on Secret), `raw` as keeper.go QueryRaw's
// `[]types.Model` JSON. Through the callbacks contract's `chain_query` (contracts/build callbacks.wasm: it sends the
// request bytes to the querier and answers the raw answer bytes), a real enclave and secretjs-encrypted queries.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgInstantiateContract } from "secretjs";
import { fromBase64, toBase64, toHex, utf8 } from "../../../util/bytes.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { TxResult } from "../../tx/runTx.js";
import { contract, startHarness, storeCode, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
let codeId = 0;
let codeHash = "";
let addr = "";
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const ctx = () => h.chain.ctx();

/** callbacks `chain_query`: the answer bytes of `request` as the chain's querier gave them, as text. */
async function chainQuery(request: object): Promise<string> {
  const msg = await h.utils.encrypt(codeHash, {
    chain_query: { request: toBase64(utf8.encode(JSON.stringify(request))) },
  });
  const r = h.compute.query.querySecretContract(ctx(), addr, msg);
  const b64 = utf8.decode(await h.utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
  return utf8.decode(fromBase64(b64));
}

before(async () => {
  h = await startHarness();
  ({ codeId } = await storeCode(h, contract("callbacks.wasm.gz")));
  codeHash = createHash("sha256").update(contract("callbacks.wasm")).digest("hex");
  const init = await h.deliver(h.a, [
    new MsgInstantiateContract({
      sender: h.a.address,
      code_id: codeId,
      code_hash: codeHash,
      label: "wq",
      init_msg: { count: 4 },
      admin: h.a.address, // set, yet SN's answer never shows it
    }),
  ]);
  ok(init.res);
  addr = init.res.events.find((e) => e.type === "instantiate")?.attributes[0]?.value ?? "";
});
after(async () => {
  await h.stop();
});

describe("wasm chain queries (SN WasmQuerier)", () => {
  test("contract_info: {code_id, creator, pinned} exactly (admin omitted, no ibc_port)", async () => {
    const answer = await chainQuery({ wasm: { contract_info: { contract_addr: addr } } });
    assert.equal(answer, JSON.stringify({ code_id: codeId, creator: h.a.address, pinned: false }));
  });

  test("raw: the stored (encrypted) value as [{Key: HEX, Value: b64}], [] for a key that is not stored", async () => {
    assert.equal(
      await chainQuery({ wasm: { raw: { contract_addr: addr, key: toBase64(utf8.encode("count")) } } }),
      "[]",
    );
    // State keys are the enclave's ciphertext: take one as stored and ask for it.
    const entries = [
      ...h.compute.keeper.contractState(ctx(), fromBech32(addr)).iterate(undefined, undefined),
    ];
    assert.ok(entries.length > 0);
    const [key, value] = entries[0]!;
    const answer = await chainQuery({ wasm: { raw: { contract_addr: addr, key: toBase64(key) } } });
    assert.equal(answer, JSON.stringify([{ Key: toHex(key).toUpperCase(), Value: toBase64(value) }]));
  });

  test("an unknown contract: the query fails with SN's `<addr>: invalid address`", async () => {
    const nobody = toBech32(new Uint8Array(20).fill(9));
    const msg = await h.utils.encrypt(codeHash, {
      chain_query: {
        request: toBase64(
          utf8.encode(JSON.stringify({ wasm: { contract_info: { contract_addr: nobody } } })),
        ),
      },
    });
    let text = "";
    try {
      h.compute.query.querySecretContract(ctx(), addr, msg);
    } catch (e) {
      text = e instanceof Error ? e.message : "";
    }
    const b64 = /encrypted: ([A-Za-z0-9+/=]+)/.exec(text)?.[1] ?? "";
    const plain = utf8.decode(await h.utils.decrypt(fromBase64(b64), msg.slice(0, 32)));
    // callbacks wraps the querier's error text as `query failed: …` in a generic_err.
    assert.ok(plain.includes(`query failed: ${nobody}: invalid address`), plain);
  });
});
