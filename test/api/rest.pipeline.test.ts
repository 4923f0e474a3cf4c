// `shroud dev` with its pipeline (the default): FinalizeBlock gives the event loop a turn between txs, so REST
// requests are read during a block. Through real secretjs against a real in-process dev node: a contract query,
// a bank query and an RPC status sent while a long block of contract calls runs all wait for the block and answer
// with the state after it (no errors), and a secretjs broadcast sent meanwhile is CheckTx'd during the block,
// inside one of its ECALL waits (the engine's pipelineStats.inJobs), then included in the next block.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { MsgExecuteContract, MsgSend, SecretNetworkClient, Wallet } from "secretjs";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import type { RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { startDevRest, type DevRest } from "./devRest.js";

// contracts/build/counter.wasm(.gz): provenance in contracts/testdata/README.md.
const counterWasm = readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url));
const counterGz = new Uint8Array(
  readFileSync(new URL("../../contracts/build/counter.wasm.gz", import.meta.url)),
);
const counterHash = createHash("sha256").update(counterWasm).digest("hex");
const CHAIN_ID = "secretdev-1";
const WAIT = { broadcastCheckIntervalMs: 50 };
/** Contract calls in the long block. */
const N = 40;

let dev: DevRest;
let a: SecretNetworkClient;
let b: SecretNetworkClient;
before(async () => {
  dev = await startDevRest("shroud-rest-pipeline-");
  const client = (name: "a" | "b") => {
    const wallet = new Wallet(DEV_MNEMONICS[name]);
    return new SecretNetworkClient({
      url: dev.url,
      chainId: CHAIN_ID,
      wallet,
      walletAddress: wallet.address,
    });
  };
  a = client("a");
  b = client("b");
});
after(async () => {
  await dev.close();
});

const attr = (tx: { arrayLog?: { type: string; key: string; value: string }[] }, type: string, key: string) =>
  tx.arrayLog?.find((l) => l.type === type && l.key === key)?.value ?? "";

async function account(c: SecretNetworkClient): Promise<{ accountNumber: number; sequence: number }> {
  const r = (await c.query.auth.account({ address: c.address })) as {
    account?: { account_number?: string; sequence?: string };
  };
  return { accountNumber: Number(r.account?.account_number), sequence: Number(r.account?.sequence) };
}

test(
  "during a long block: secretjs queries wait and answer after it; a secretjs broadcast is checked inside it",
  { timeout: 120_000 },
  async () => {
    const { engine, app, rpcPort } = dev.node;
    assert.equal(engine.pipelined, true, "shroud dev runs the pipeline by default");
    assert.ok(engine.yieldEveryMs !== undefined, "and steps FinalizeBlock");
    const gas = { gasLimit: 3_000_000, ...WAIT };
    const up = await a.tx.compute.storeCode(
      { sender: a.address, wasm_byte_code: counterGz, source: "", builder: "" },
      gas,
    );
    assert.equal(up.code, 0, up.rawLog);
    const init = await a.tx.compute.instantiateContract(
      {
        sender: a.address,
        code_id: attr(up, "message", "code_id"),
        code_hash: counterHash,
        label: "pipeline-counter",
        init_msg: { count: 5 },
      },
      gas,
    );
    assert.equal(init.code, 0, init.rawLog);
    const contract = attr(init, "message", "contract_address");
    const count = async (): Promise<number> =>
      (
        await a.query.compute.queryContract<object, { count: number }>({
          contract_address: contract,
          code_hash: counterHash,
          query: { get_count: {} },
        })
      ).count;
    const balance = async (address: string): Promise<string> =>
      (await b.query.bank.balance({ address, denom: "uscrt" })).balance?.amount ?? "";
    assert.equal(await count(), 5);

    // N increments from a, signed offline (explicit sequences), and b's send for the middle of the block.
    const accA = await account(a);
    const accB = await account(b);
    const increments: Uint8Array[] = [];
    for (let i = 0; i < N; i++) {
      const msg = new MsgExecuteContract({
        sender: a.address,
        contract_address: contract,
        code_hash: counterHash,
        msg: { increment: {} },
        sent_funds: [],
      });
      increments.push(
        await a.tx.signTx([msg], {
          gasLimit: 200_000,
          explicitSignerData: {
            accountNumber: accA.accountNumber,
            sequence: accA.sequence + i,
            chainId: CHAIN_ID,
          },
        }),
      );
    }
    const send = await b.tx.signTx(
      [
        new MsgSend({
          from_address: b.address,
          to_address: a.address,
          amount: [{ denom: "uscrt", amount: "17" }],
        }),
      ],
      {
        gasLimit: 30_000,
        explicitSignerData: { accountNumber: accB.accountNumber, sequence: accB.sequence, chainId: CHAIN_ID },
      },
    );
    const aBefore = await balance(a.address);

    // When the long block begins, the requests leave (nothing awaited here: they are answered meanwhile or after).
    type Pending = {
      count: Promise<number>;
      balance: Promise<string>;
      status: Promise<unknown>;
      sent: Promise<unknown>;
    };
    let during: Pending | undefined;
    let blockHeight = 0n;
    const begin = app.beginFinalizeBlock.bind(app);
    app.beginFinalizeBlock = (req: RequestFinalizeBlock) => {
      if (during === undefined && req.txs.length > N) {
        blockHeight = req.height;
        during = {
          count: count(),
          balance: balance(a.address),
          status: fetch(`http://127.0.0.1:${rpcPort}/status`).then((r) => r.json()),
          sent: b.tx.broadcastSignedTx(send, { waitForCommit: false }),
        };
      }
      return begin(req);
    };
    const jobs0 = engine.pipelineStats.inJobs;
    const yields0 = engine.stepStats.yields;
    // Into the mempool in one turn, so that one block takes them all.
    for (const tx of increments) assert.equal((await engine.broadcastTx(tx)).checkTx.code, 0);
    const heightOfBlock = new Promise<bigint>((resolve) => {
      const on = (h: bigint) => {
        if (h !== blockHeight) return;
        engine.off("block", on);
        resolve(h);
      };
      engine.on("block", on);
    });
    await heightOfBlock;
    assert.ok(during !== undefined, "the requests were sent at the start of the block");
    const [c, bal, status, sent] = await Promise.all([
      during.count,
      during.balance,
      during.status,
      during.sent,
    ]);
    app.beginFinalizeBlock = begin;

    // The broadcast was checked inside the block (a door job during an execute ECALL), passed, and its tx lands.
    assert.ok(engine.stepStats.yields > yields0, "the block gave the event loop turns");
    assert.ok(
      engine.pipelineStats.inJobs > jobs0,
      "the broadcast was CheckTx'd inside the block's ECALL waits",
    );
    // (secretjs throws on a non-zero CheckTx code of a sync broadcast; without waiting it answers the hash.)
    const s = sent as { transactionHash: string };
    assert.match(s.transactionHash, /^[0-9A-F]{64}$/);
    // Queries sent during the block answer with the state after it: every increment counted, a's fees paid.
    assert.equal(c, 5 + N);
    await engine.idle();
    assert.equal(await count(), 5 + N);
    const aAfterBlock = BigInt(bal);
    assert.ok(aAfterBlock < BigInt(aBefore), "a paid the block's fees");
    const h = (status as { result: { sync_info: { latest_block_height: string } } }).result.sync_info
      .latest_block_height;
    assert.ok(BigInt(h) >= blockHeight, `status answered after the block (${h} ≥ ${blockHeight})`);
    const included = await a.query.getTx(s.transactionHash);
    const settled = included ?? (await waitTx(s.transactionHash));
    assert.equal(settled.code, 0);
    assert.equal(await balance(a.address), (aAfterBlock + 17n).toString());
  },
);

async function waitTx(hash: string) {
  for (let i = 0; i < 200; i++) {
    const t = await a.query.getTx(hash);
    if (t !== null) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tx ${hash} not included`);
}
