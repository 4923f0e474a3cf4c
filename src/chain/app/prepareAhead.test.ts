// Prepared calls are speed only: two apps over the same enclave keys — one sending each contract tx's input
// checks ahead (the default), one not — finalize the same blocks (counter contract: store, instantiate, then one
// block of executes from three signers, the same signer twice in a row, a bank send between them, a contract
// error, an execute out of gas, an execute of a missing contract) and must agree on every tx result and app
// hash; the prepared checks are actually taken.
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
import { devAuthorityPublicKey, EnclaveHost } from "../../enclave/api.js";
import { ShroudApp } from "../app.js";
import { decodeBytesField1 } from "../modules/registration/proto.js";
import { DEV_MNEMONICS } from "../../cli/devGenesis.js";
import { tempStore, testGenesis, type TempStore } from "../../../test/chain/fixtures.js";
import { initChain, PROPOSER, timeOf, VALSET_HASH } from "../../../test/chain/lifecycle.js";

// contracts/build/counter.wasm(.gz): provenance in contracts/testdata/README.md.
const counterGz = new Uint8Array(
  readFileSync(new URL("../../../contracts/build/counter.wasm.gz", import.meta.url)),
);
const counterHash = createHash("sha256")
  .update(readFileSync(new URL("../../../contracts/build/counter.wasm", import.meta.url)))
  .digest("hex");

let dir: string;
let plain: EnclaveHost;
let ahead: EnclaveHost;
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const stores: TempStore[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-prepare-ahead-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  plain = await EnclaveHost.start(opts);
  keys = plain.initBootstrap();
  // The same sealed keys, opened by a second enclave (each app's prepared calls stay in its own enclave).
  ahead = await EnclaveHost.start(opts);
});
after(async () => {
  await plain.stop();
  await ahead.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "with and without prepared calls: the same results and app hashes; prepared checks taken",
  { timeout: 120_000 },
  async () => {
    const g = testGenesis({
      nodeExchKey: keys.seedExchangePublicKey,
      ioExchKey: keys.ioExchangePublicKey,
      measurement: plain.getMeasurement(),
      authority: devAuthorityPublicKey(),
    });
    const apps = [plain, ahead].map((enclave, i) => {
      const t = tempStore();
      stores.push(t);
      return new ShroudApp({ store: t.store, enclave, prepareCalls: i === 1 });
    });
    assert.equal(apps[0]!.prepareAhead, undefined);
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
    const sign = async (i: number, msg: Msg, gasLimit = 5_000_000): Promise<Uint8Array> => {
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
        gasLimit,
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
    const execute = (i: number, msg: object, contract = address, gasLimit?: number) =>
      sign(
        i,
        new MsgExecuteContract({
          sender: clients[i]!.wallet.address,
          contract_address: contract,
          code_hash: counterHash,
          msg,
          sent_funds: [],
        }),
        gasLimit,
      );
    const prepareAhead = apps[1]!.prepareAhead!;
    /** The mixed block, prepared as sent (default) or built inside the previous ECALL's wait (idle hook). */
    const mixedBlock = async (h: bigint, idle: boolean): Promise<void> => {
      prepareAhead.buildWhileWaiting = idle;
      const prepared0 = prepareAhead.prepared;
      const alone0 = prepareAhead.sent;
      const rode0 = ahead.prepareStats.rode;
      const [block] = height(h, [
        await execute(0, { increment: {} }),
        await execute(1, { increment: {} }),
        await execute(1, { increment: {} }),
        await sign(
          2,
          new MsgSend({
            from_address: clients[2]!.wallet.address,
            to_address: a,
            amount: [{ denom: "uscrt", amount: "5" }],
          }),
        ),
        await execute(2, { increment: {} }),
        await execute(2, { reset: { count: 0 } }), // only the creator may reset: a contract error
        await execute(0, { increment: {} }, address, 32_500), // out of gas inside the contract
        await execute(0, { increment: {} }, "secret1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq3x5k6p"), // no such contract
        await execute(0, { increment: {} }),
      ]);
      // The block's first result is the app's own block-random tx.
      const results = block!.txResults.slice(1);
      assert.deepEqual(
        results.map((r) => r.code === 0),
        [true, true, true, true, true, false, false, false, true],
        JSON.stringify(results.map((r) => r.log)),
      );
      // Every execute of an existing contract was prepared; the bank send and the missing contract were not.
      assert.equal(prepareAhead.prepared - prepared0, 7);
      // A prepare rides on the ECALL of the tx before; it goes alone when that tx made none (the block's first
      // execute, the one after the bank send, the one after the missing contract).
      assert.equal(ahead.prepareStats.rode - rode0, 4);
      assert.equal(prepareAhead.sent - alone0, 3);
    };
    await mixedBlock(4n, false);
    await mixedBlock(5n, true);
    // The enclave reports its takes with each prepare's answer: one more prepare (next block) reads them.
    height(6n, [await execute(1, { increment: {} })]);
    ahead.ecall("health", new Uint8Array(0));
    assert.ok(ahead.prepareStats.taken >= 14, JSON.stringify(ahead.prepareStats));
  },
);
