// Verify-ahead is speed only: two apps over the same enclave keys — one enclave with a verify lane, one without —
// finalize the same blocks (counter contract: store, instantiate, then executes from three signers and a bank
// send in one block) and must agree on every tx result and app hash; the lane's tokens are actually used.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EncryptionUtilsImpl,
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgSend,
  MsgStoreCode,
  SecretNetworkClient,
  Wallet,
  type Msg,
} from "secretjs";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { CheckTxType, type ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { devAuthorityPublicKey, EnclaveHost } from "../../src/enclave/api.js";
import { ShroudApp } from "../../src/chain/app.js";
import { decodeBytesField1 } from "../../src/chain/modules/registration/proto.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { tempStore, testGenesis, type TempStore } from "./fixtures.js";
import { initChain, PROPOSER, timeOf, VALSET_HASH } from "./lifecycle.js";

// contracts/build/counter.wasm(.gz): provenance in contracts/testdata/README.md.
const counterGz = new Uint8Array(
  readFileSync(new URL("../../contracts/build/counter.wasm.gz", import.meta.url)),
);
const counterHash = createHash("sha256")
  .update(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)))
  .digest("hex");

let dir: string;
let plain: EnclaveHost;
let laned: EnclaveHost;
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const stores: TempStore[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-verify-ahead-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  plain = await EnclaveHost.start(opts);
  keys = plain.initBootstrap();
  // The same sealed keys, opened by a second enclave that runs a verify lane.
  laned = await EnclaveHost.start({ ...opts, verifyLane: true });
});
after(async () => {
  await plain.stop();
  await laned.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "with and without a verify lane: the same results and app hashes; tokens used",
  { timeout: 120_000 },
  async () => {
    const g = testGenesis({
      nodeExchKey: keys.seedExchangePublicKey,
      ioExchKey: keys.ioExchangePublicKey,
      measurement: plain.getMeasurement(),
      authority: devAuthorityPublicKey(),
    });
    const apps = [plain, laned].map((enclave) => {
      const t = tempStore();
      stores.push(t);
      return new ShroudApp({ store: t.store, enclave });
    });
    const [a0, a1] = apps as [ShroudApp, ShroudApp];
    assert.deepEqual(await initChain(a0, g), await initChain(a1, g));

    /** The proposer (app 0) builds the block; both finalize exactly it. */
    const height = (h: bigint, txs: Uint8Array[]): ResponseFinalizeBlock[] => {
      for (const app of apps)
        for (const tx of txs) assert.equal(app.checkTx({ tx, type: CheckTxType.NEW }).code, 0);
      const ns = timeOf(g, h);
      const common = {
        height: h,
        time: { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) },
        nextValidatorsHash: VALSET_HASH,
        proposerAddress: PROPOSER,
        misbehavior: [],
      };
      const prep = a0.prepareProposal({
        ...common,
        maxTxBytes: 8n << 20n,
        txs,
        localLastCommit: { round: 0, votes: [] },
      });
      const hash = new Uint8Array(32).fill(Number(h % 256n));
      const out = apps.map((app) => {
        app.processProposal({ ...common, txs: prep.txs, proposedLastCommit: { round: 0, votes: [] }, hash });
        const f = app.finalizeBlock({
          ...common,
          txs: prep.txs,
          decidedLastCommit: { round: 0, votes: [] },
          hash,
        });
        app.commit();
        return f;
      });
      assert.deepEqual(out[1], out[0], `height ${h}: results and app hash agree`);
      for (const r of out[0]!.txResults) assert.equal(r.code, 0, r.log);
      return out;
    };

    height(1n, []);
    const q = a0.query({
      path: "/secret.registration.v1beta1.Query/TxKey",
      data: new Uint8Array(),
      height: 0n,
      prove: false,
    });
    const txKey = decodeBytesField1(q.value, "key");
    const clients = (["a", "b", "c"] as const).map((name, i) => {
      const wallet = new Wallet(DEV_MNEMONICS[name]);
      const utils = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(7 + i));
      (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = txKey;
      const client = new SecretNetworkClient({
        url: "http://127.0.0.1:1",
        chainId: g.chain_id,
        wallet,
        walletAddress: wallet.address,
        encryptionUtils: utils,
      });
      return { wallet, client, sequence: 0 };
    });
    const accountNumbers = new Map<string, number>();
    const sign = async (i: number, msg: Msg): Promise<Uint8Array> => {
      const c = clients[i]!;
      let n = accountNumbers.get(c.wallet.address);
      if (n === undefined) {
        const data = QueryAccountRequest.encode({ address: c.wallet.address }).finish();
        const r = a0.query({ path: "/cosmos.auth.v1beta1.Query/Account", data, height: 0n, prove: false });
        const acc = QueryAccountResponse.decode(r.value).account!;
        n = Number(BaseAccount.decode(acc.value).accountNumber);
        accountNumbers.set(c.wallet.address, n);
      }
      return c.client.prepareAndSign([msg], {
        gasLimit: 5_000_000,
        explicitSignerData: { accountNumber: n, sequence: c.sequence++, chainId: g.chain_id },
      });
    };
    const a = clients[0]!.wallet.address;
    height(2n, [
      await sign(0, new MsgStoreCode({ sender: a, wasm_byte_code: counterGz, source: "", builder: "" })),
    ]);
    const [inst] = height(3n, [
      await sign(
        0,
        new MsgInstantiateContract({
          sender: a,
          code_id: 1,
          code_hash: counterHash,
          label: "c",
          init_msg: { count: 1 },
        }),
      ),
    ]);
    const address = inst!.txResults
      .flatMap((r) => r.events)
      .filter((e) => e.type === "message")
      .flatMap((e) => e.attributes)
      .find((x) => x.key === "contract_address")!.value;
    const increment = (i: number) =>
      sign(
        i,
        new MsgExecuteContract({
          sender: clients[i]!.wallet.address,
          contract_address: address,
          code_hash: counterHash,
          msg: { increment: {} },
          sent_funds: [],
        }),
      );
    const hits0 = laned.verdictLane!.stats.hits;
    height(4n, [
      await increment(0),
      await increment(1),
      await sign(
        2,
        new MsgSend({
          from_address: clients[2]!.wallet.address,
          to_address: a,
          amount: [{ denom: "uscrt", amount: "5" }],
        }),
      ),
      await increment(2),
      await increment(0),
    ]);
    // The instantiate (height 3) and the four executes were checked ahead (a block this small leaves the lane
    // little head start: only some tokens arrive before their ECALL).
    await laned.verdictLane!.drain();
    assert.ok(laned.verdictLane!.stats.issued >= 5, JSON.stringify(laned.verdictLane!.stats));
    assert.ok(laned.verdictLane!.stats.hits - hits0 >= 1, JSON.stringify(laned.verdictLane!.stats));
  },
);
