// FinalizeBlock in steps (ShroudApp.beginFinalizeBlock, what the embedded engine drives with a turn of its event
// loop between txs) is the synchronous FinalizeBlock cut at tx boundaries: twin apps over the same enclave keys
// take the same blocks — contract calls with sub-messages and replies, failing txs (contract error, out of gas,
// missing contract), bank sends —, one finalizing at once, the other a step at a time with an event-loop turn and
// a CheckTx of the next block's txs between steps; every result, event, gas figure and app hash must be equal.
// The same under a block gas limit the block runs into, and an enclave death in a stepped block halts it with
// nothing applied (the block then runs again from scratch to the twin's answer).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as turn } from "node:timers/promises";
import { MsgExecuteContract, MsgInstantiateContract, MsgSend, MsgStoreCode } from "secretjs";
import {
  CheckTxType,
  type RequestFinalizeBlock,
  type ResponseCheckTx,
  type ResponseFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import {
  EnclaveHost,
  EnclaveUnavailableError,
  type EcallName,
  type EcallOptions,
} from "../../src/enclave/api.js";
import { EnclaveHaltError, ShroudApp, type AppEnclave } from "../../src/chain/app.js";
import { toBase64, utf8 } from "../../src/util/bytes.js";
import {
  devSigners,
  enclaveGenesis,
  signedSend,
  tempStore,
  testGenesis,
  type TempStore,
} from "./fixtures.js";
import { atHeight1, finalizeRequest } from "./lifecycle.js";
import {
  appSigners,
  counterGz,
  counterHash,
  instantiatedAddress,
  MIXED_BLOCK_OK,
  mixedCounterBlock,
} from "./twinApps.js";

// contracts/build/callbacks.wasm(.gz): provenance in contracts/testdata/README.md.
const callbacksWasm = new Uint8Array(
  readFileSync(new URL("../../contracts/build/callbacks.wasm", import.meta.url)),
);
const callbacksGz = new Uint8Array(
  readFileSync(new URL("../../contracts/build/callbacks.wasm.gz", import.meta.url)),
);
const callbacksHash = createHash("sha256").update(callbacksWasm).digest("hex");

let dir: string;
let hosts: EnclaveHost[] = [];
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const temps: TempStore[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-finalize-steps-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  const first = await EnclaveHost.start(opts);
  keys = first.initBootstrap();
  hosts = [first, await EnclaveHost.start(opts)]; // the same sealed keys, opened by a second enclave
});
after(async () => {
  for (const h of hosts) await h.stop();
  for (const t of temps) t.close();
  rmSync(dir, { recursive: true, force: true });
});

function newApp(enclave?: AppEnclave): ShroudApp {
  const t = tempStore();
  temps.push(t);
  return new ShroudApp({ store: t.store, ...(enclave === undefined ? {} : { enclave }) });
}

/**
 * FinalizeBlock a step at a time, with a turn of the event loop and `between(k)` after step k. Returns the answer
 * and the number of steps.
 */
async function stepped(
  app: ShroudApp,
  req: RequestFinalizeBlock,
  between: (k: number) => void = () => undefined,
): Promise<{ res: ResponseFinalizeBlock; steps: number }> {
  const s = app.beginFinalizeBlock(req);
  let steps = 1;
  while (s.step()) {
    await turn();
    between(steps);
    steps++;
  }
  assert.ok(s.result !== undefined);
  assert.equal(s.step(), false, "a finished block has no more steps");
  return { res: s.result, steps };
}

/** An enclave that answers through `h` until `kill()`: then every door throws as a dead worker's does. */
function killable(h: EnclaveHost): { enclave: AppEnclave; kill(): void; revive(): void } {
  let dead = false;
  const gate = <T>(f: () => T): T => {
    if (dead) throw new EnclaveUnavailableError("enclave stopped");
    return f();
  };
  return {
    enclave: {
      ecall: (name: EcallName, payload: Uint8Array, opts?: EcallOptions) =>
        gate(() => h.ecall(name, payload, opts)),
      authenticateNewNode: (e, p, n) => gate(() => h.authenticateNewNode(e, p, n)),
      generateBlockRandom: (b) => gate(() => h.generateBlockRandom(b)),
      verifyBlockRandom: (b, e, p) => gate(() => h.verifyBlockRandom(b, e, p)),
    },
    kill: () => (dead = true),
    revive: () => (dead = false),
  };
}

test(
  "stepped FinalizeBlock = synchronous FinalizeBlock: sub-messages, failing txs, CheckTx between steps; a halt applies nothing",
  { timeout: 240_000 },
  async () => {
    const g = enclaveGenesis(hosts[0]!, keys);
    const k = killable(hosts[1]!);
    const sync = atHeight1(newApp(hosts[0]), g);
    const step = atHeight1(newApp(k.enclave), g);
    const signer = appSigners(sync, g.chain_id, ["a", "b", "c"]);
    const { clients, sign } = signer;
    const addr = (i: number): string => clients[i]!.wallet.address;
    let stepsTaken = 0;

    /** Height h on both apps: the same proposal (sync's, with its block random); `next` CheckTx'd mid-block. */
    const height = async (h: bigint, txs: Uint8Array[], next: Uint8Array[] = [], checked = false) => {
      if (!checked)
        for (const app of [sync, step])
          for (const tx of txs) assert.equal(app.checkTx({ tx, type: CheckTxType.NEW }).code, 0);
      const base = finalizeRequest(g, h, []);
      const proposed = sync.prepareProposal({
        ...base,
        txs,
        maxTxBytes: 8n << 20n,
        localLastCommit: { round: 0, votes: [] },
      }).txs;
      const req = { ...base, txs: proposed };
      const a = sync.finalizeBlock(req);
      const checkedSync: ResponseCheckTx[] = next.map((tx) => sync.checkTx({ tx, type: CheckTxType.NEW }));
      const checkedStep: ResponseCheckTx[] = [];
      const b = await stepped(step, req, () => {
        const tx = next[checkedStep.length];
        if (tx !== undefined) checkedStep.push(step.checkTx({ tx, type: CheckTxType.NEW }));
      });
      while (checkedStep.length < next.length)
        checkedStep.push(step.checkTx({ tx: next[checkedStep.length]!, type: CheckTxType.NEW }));
      assert.equal(
        b.steps,
        proposed.length + (proposed.length > 0 ? 1 : 0),
        "one step per tx, then EndBlock",
      );
      stepsTaken += b.steps;
      assert.deepEqual(b.res, a, `height ${h}: results, events, gas and app hash`);
      assert.deepEqual(checkedStep, checkedSync, `height ${h}: CheckTx between the steps`);
      sync.commit();
      step.commit();
      return { res: a, req };
    };

    const storeMsg = (i: number, wasm: Uint8Array) =>
      new MsgStoreCode({ sender: addr(i), wasm_byte_code: wasm, source: "", builder: "" });
    await height(2n, [await sign(0, storeMsg(0, counterGz)), await sign(1, storeMsg(1, callbacksGz))]);
    const init = (i: number, code: number, hash: string, msg: object, label: string) =>
      sign(
        i,
        new MsgInstantiateContract({ sender: addr(i), code_id: code, code_hash: hash, label, init_msg: msg }),
      );
    const h3 = await height(3n, [
      await init(0, 1, counterHash, { count: 1 }, "counter"),
      await init(1, 2, callbacksHash, { count: 0 }, "callbacks"),
    ]);
    const addresses = h3.res.txResults
      .slice(1)
      .map((r) => instantiatedAddress({ ...h3.res, txResults: [r] }));
    const [counter, callbacks] = addresses as [string, string];
    assert.notEqual(counter, callbacks);

    const callbacksExec = (i: number, msg: object) =>
      sign(
        i,
        new MsgExecuteContract({
          sender: addr(i),
          contract_address: callbacks,
          code_hash: callbacksHash,
          msg,
          sent_funds: [],
        }),
      );
    const callCounter = (i: number, replyOn: string, id: number) =>
      callbacksExec(i, {
        call_contract: {
          contract: counter,
          code_hash: counterHash,
          msg: toBase64(utf8.encode(JSON.stringify({ increment: {} }))),
          id,
          reply_on: replyOn,
        },
      });
    const mixed = await mixedCounterBlock(signer, counter);
    const withSubs = [
      ...mixed.slice(0, 4),
      await callCounter(1, "always", 7), // a wasm sub-message and its reply
      ...mixed.slice(4),
      // A bank sub-message the contract cannot fund (it holds nothing): the tx fails in dispatch.
      await callbacksExec(2, { send_funds: { to: addr(0), amount: [{ denom: "uscrt", amount: "3" }] } }),
      await callbacksExec(1, { increment_then_fail: {} }), // a contract error after a write: rolled back
      await callCounter(1, "success", 8),
    ];
    // The next block's txs, CheckTx'd between the steps (the pipeline's queue) and after the block on the twin.
    const next = [
      await sign(
        2,
        new MsgSend({
          from_address: addr(2),
          to_address: addr(1),
          amount: [{ denom: "uscrt", amount: "9" }],
        }),
      ),
      await callCounter(0, "always", 9),
      await sign(
        2,
        new MsgSend({
          from_address: addr(2),
          to_address: addr(0),
          amount: [{ denom: "uscrt", amount: "4" }],
        }),
      ), // its sequence follows the first send's, checked two steps before
    ];
    const h4 = await height(4n, withSubs, next);
    const ok = h4.res.txResults.slice(1).map((r) => r.code === 0);
    assert.deepEqual(ok, [
      ...MIXED_BLOCK_OK.slice(0, 4),
      true,
      ...MIXED_BLOCK_OK.slice(4),
      false,
      false,
      true,
    ]);
    assert.ok(
      h4.res.txResults[5]!.events.some(
        (e) => e.type === "wasm" && e.attributes.some((a) => a.value === counter),
      ),
      "the sub-message ran the counter",
    );
    const h5 = await height(5n, next, [], true); // checked during height 4
    assert.ok(h5.res.txResults.slice(1).every((r) => r.code === 0));
    assert.ok(stepsTaken >= 20);

    // A stepped block whose enclave dies after its second step: EnclaveHaltError, nothing applied.
    const last = [
      await callCounter(0, "always", 10),
      await callCounter(1, "always", 11),
      await callCounter(2, "always", 12),
    ];
    for (const app of [sync, step])
      for (const tx of last) assert.equal(app.checkTx({ tx, type: CheckTxType.NEW }).code, 0);
    const base = finalizeRequest(g, 6n, []);
    const req = {
      ...base,
      txs: sync.prepareProposal({
        ...base,
        txs: last,
        maxTxBytes: 8n << 20n,
        localLastCommit: { round: 0, votes: [] },
      }).txs,
    };
    const expected = sync.finalizeBlock(req);
    const before = step.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    await assert.rejects(
      stepped(step, req, (n) => {
        if (n === 2) k.kill();
      }),
      (e: unknown) => e instanceof EnclaveHaltError && e.during === "FinalizeBlock",
    );
    assert.throws(() => step.commit(), /Commit without FinalizeBlock/);
    const after = step.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.deepEqual(after, before, "nothing of the halted block was applied");
    // The same block from scratch (the test's enclave comes back; a real one is restarted) gives the twin's answer.
    k.revive();
    const again = await stepped(step, req);
    assert.deepEqual(again.res, expected);
    sync.commit();
    step.commit();
  },
);

test("stepped FinalizeBlock under a block gas limit the block runs into = synchronous", async () => {
  const G = testGenesis();
  const { a, b } = devSigners();
  const accountNumber = (app: ShroudApp): number => {
    const r = app.query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: a.address }).finish(),
      height: 0n,
      prove: false,
    });
    return Number(BaseAccount.decode(QueryAccountResponse.decode(r.value).account!.value).accountNumber);
  };
  const free = atHeight1(newApp(), G);
  const num = accountNumber(free);
  const txs = await Promise.all(
    [1, 2, 3, 4, 5].map((amt, i) => signedSend(a, b.address, String(amt), num, i, G.chain_id)),
  );
  const used = free.finalizeBlock(finalizeRequest(G, 2n, txs)).txResults.map((r) => r.gasUsed);
  const limit = used[0]! + used[1]! + used[2]! - 1n; // the third send goes over, the last two are not run
  const cp = ConsensusParams.fromPartial({
    block: { maxBytes: 22_020_096n, maxGas: limit },
    validator: { pubKeyTypes: ["ed25519"] },
  });
  const sync = atHeight1(newApp(), G, cp);
  const step = atHeight1(newApp(), G, cp);
  const want = sync.finalizeBlock(finalizeRequest(G, 2n, txs));
  const got = await stepped(step, finalizeRequest(G, 2n, txs));
  assert.deepEqual(
    want.txResults.map((r) => `${r.codespace}/${r.code}`),
    ["/0", "/0", "sdk/11", "sdk/11", "sdk/11"],
  );
  assert.equal(got.steps, 6);
  assert.deepEqual(got.res, want);
  sync.commit();
  step.commit();
});
