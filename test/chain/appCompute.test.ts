// A Secret Contract through the whole app with a real enclave: secretjs (Wallet + EncryptionUtilsImpl with the
// tx key read from the app's own TxKey query) stores, instantiates and executes the counter contract in blocks
// that start with the block random; the encrypted query answers the new count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode, type Msg } from "secretjs";
import { ShroudApp } from "../../src/chain/app.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import { fromBase64, utf8 } from "../../src/util/bytes.js";
import { enclaveFixture } from "./fixtures.js";
import { runHeight, timeOf } from "./lifecycle.js";
import { appSigners, bootApp, eventAttr, counterGz, counterHash } from "./twinApps.js";

const fx = enclaveFixture("shroud-app-compute-");

test(
  "store, instantiate, execute and query the counter contract through ShroudApp",
  { timeout: 60_000 },
  async () => {
    const { app, g } = await bootApp(fx.enclave, fx.t.store);
    const { clients, sign } = appSigners(app, g.chain_id, ["a"]);
    const { wallet, utils } = clients[0]!;
    let height = 2n;
    const deliver = async (msg: Msg) => {
      const h = await runHeight(app, height, timeOf(g, height), [await sign(0, msg)]);
      height++;
      const r = h.finalize.txResults[1]!;
      assert.equal(r.code, 0, r.log);
      return r;
    };

    const stored = await deliver(
      new MsgStoreCode({ sender: wallet.address, wasm_byte_code: counterGz, source: "", builder: "" }),
    );
    const codeId = Number(eventAttr(stored.events, "message", "code_id"));
    assert.equal(codeId, 1);
    const inst = await deliver(
      new MsgInstantiateContract({
        sender: wallet.address,
        code_id: codeId,
        code_hash: counterHash,
        label: "counter",
        init_msg: { count: 5 },
      }),
    );
    const address = eventAttr(inst.events, "message", "contract_address")!;
    assert.match(address, /^secret1/);
    const incrementMsg = () =>
      new MsgExecuteContract({
        sender: wallet.address,
        contract_address: address,
        code_hash: counterHash,
        msg: { increment: {} },
        sent_funds: [],
      });
    const increment = () => deliver(incrementMsg());
    await increment();
    const msg = await utils.encrypt(counterHash, { get_count: {} });
    const ctx = appContext(new MemoryOverlay(fx.t.store.committed), g.chain_id, height, 0n);
    const r = app.modules.compute.query.querySecretContract(ctx, address, msg);
    const b64 = utf8.decode(await utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(b64))), { count: 6 });

    // Gas is consensus: a restarted enclave (cold code cache, so it asks for the wasm again) must charge exactly
    // what a warm one charges for the same call, and leave the same state behind.
    const warm = (await increment()).gasUsed;
    const restarted = new ShroudApp({ store: fx.t.store, enclave: await fx.restart() });
    const cold = await runHeight(restarted, height, timeOf(g, height), [await sign(0, incrementMsg())]);
    const coldResult = cold.finalize.txResults[1]!;
    assert.equal(coldResult.code, 0, coldResult.log);
    assert.equal(coldResult.gasUsed, warm, "a cold code cache charges what a warm one does");
  },
);
