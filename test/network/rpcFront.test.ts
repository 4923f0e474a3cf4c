// The RPC front of app-mempool mode against real processes: a 1-validator localnet with `--mempool app` (a real
// CometBFT v0.38.25 with `mempool.type = "nop"`, its RPC on the inner address, the node serving rpc.laddr).
// cosmjs unchanged: SigningStargateClient's bank send over the RPC, Comet38Client over HTTP and over the
// websocket (broadcast sync / async / commit, unconfirmed txs while they wait, status, block, a NewBlock
// subscription); a duplicate answered as CometBFT answers it; junk and oversize bodies; a mixed batch in order;
// secretjs through REST still works.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringToPath } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SecretNetworkClient, Wallet } from "secretjs";
import { getTomlValue } from "../../src/consensus/cometbft.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { Localnet, SKIP } from "./harness.js";

const CHAIN_ID = "shroud-localnet-1";
const SECRET_HD_PATH = stringToPath("m/44'/529'/0'/0/0");
const FEE = { amount: [{ denom: "uscrt", amount: "5000" }], gas: "200000" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const wallet = (m: string) =>
  DirectSecp256k1HdWallet.fromMnemonic(m, { prefix: "secret", hdPaths: [SECRET_HD_PATH] });

/** cosmjs' ReconnectingSocket reconnects after a deliberate disconnect too: switch that off, then disconnect. */
function disconnect(socket: WebsocketClient, client: Comet38Client): void {
  (socket as unknown as { socket: { socket: { reconnect: () => void } } }).socket.socket.reconnect = () =>
    undefined;
  client.disconnect();
}

describe(
  "the node's RPC front in app-mempool mode (real CometBFT, cosmjs)",
  { skip: SKIP, timeout: 150_000 },
  () => {
    let net: Localnet;
    let rpc = "";
    let a = "";
    let b = "";
    let signer: SigningStargateClient;
    let reader: StargateClient;
    let comet: Comet38Client;
    let accountNumber = 0n;
    let sequence = 0;

    /** A signed MsgSend from a with the next sequence (signed offline: no query). */
    const nextSend = async (amount: string): Promise<Uint8Array> => {
      const raw = await signer.sign(
        a,
        [
          {
            typeUrl: "/cosmos.bank.v1beta1.MsgSend",
            value: { fromAddress: a, toAddress: b, amount: [{ denom: "uscrt", amount }] },
          },
        ],
        FEE,
        "",
        { accountNumber, sequence: sequence++, chainId: CHAIN_ID },
      );
      return TxRaw.encode(raw).finish();
    };
    const post = async (body: string): Promise<{ status: number; json: any }> => {
      const r = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: r.status, json: await r.json() };
    };

    before(async () => {
      net = await Localnet.create(1, 0, { mempool: "app" });
      net.start(0);
      assert.ok(await net.waitHeight([0], 2, 90_000), `the node produces blocks\n${net.logTail(0)}`);
      rpc = `http://127.0.0.1:${net.node(0).ports.rpc}`;
      const wa = await wallet(DEV_MNEMONICS.a);
      a = (await wa.getAccounts())[0]!.address;
      b = (await (await wallet(DEV_MNEMONICS.b)).getAccounts())[0]!.address;
      signer = await SigningStargateClient.connectWithSigner(rpc, wa);
      reader = await StargateClient.connect(rpc);
      comet = await Comet38Client.connect(rpc);
      const acc = await reader.getSequence(a);
      accountNumber = acc.accountNumber;
      sequence = acc.sequence;
    });
    after(async () => {
      signer.disconnect();
      reader.disconnect();
      comet.disconnect();
      await net.close();
    });

    test("CometBFT runs the nop mempool with its RPC inside; the node serves rpc.laddr", async () => {
      const toml = readFileSync(join(net.node(0).home, "comet", "config", "config.toml"), "utf8");
      assert.equal(getTomlValue(toml, "mempool", "type"), "nop");
      assert.equal(getTomlValue(toml, "rpc", "laddr"), `tcp://127.0.0.1:${net.node(0).ports.rpc}`);
      // CometBFT's own RPC (rpc.laddr's port + 5) still refuses broadcasts: only the front takes them.
      const inner = await fetch(`http://127.0.0.1:${net.node(0).ports.rpc + 5}/broadcast_tx_sync?tx=0x00`);
      assert.match(((await inner.json()) as { error: { data: string } }).error.data, /nop/);
      const st = await comet.status();
      assert.equal(st.nodeInfo.network, CHAIN_ID);
      const blk = await comet.block(1);
      assert.equal(blk.block.header.height, 1);
    });

    test("SigningStargateClient: a bank send over the RPC commits", async () => {
      const before = BigInt((await reader.getBalance(b, "uscrt")).amount);
      const r = await signer.sendTokens(a, b, [{ denom: "uscrt", amount: "777" }], FEE, "via the front");
      assert.equal(r.code, 0, JSON.stringify(r.events));
      assert.equal(BigInt((await reader.getBalance(b, "uscrt")).amount), before + 777n);
      sequence = (await reader.getSequence(a)).sequence;
    });

    test("Comet38Client over HTTP: sync, unconfirmed txs while they wait, commit; a duplicate as CometBFT answers it", async () => {
      let sawPending = false;
      let listed = false;
      const hashes: string[] = [];
      for (let i = 0; i < 8; i++) {
        const tx = await nextSend("1");
        const r = await comet.broadcastTxSync({ tx });
        assert.equal(r.code, 0, r.log);
        hashes.push(toHex(r.hash).toUpperCase());
        const n = await comet.numUnconfirmedTxs();
        if (n.total > 0) sawPending = true;
        const u = (await (await fetch(`${rpc}/unconfirmed_txs?limit=100`)).json()) as {
          result: { txs: string[] | null };
        };
        if ((u.result.txs ?? []).some((t) => Buffer.from(t, "base64").equals(Buffer.from(tx)))) listed = true;
      }
      assert.ok(sawPending, "num_unconfirmed_txs > 0 while txs wait");
      assert.ok(listed, "unconfirmed_txs lists a tx we sent");
      const c = await comet.broadcastTxCommit({ tx: await nextSend("2") });
      assert.equal(c.checkTx.code, 0);
      assert.equal(c.txResult?.code, 0, c.txResult?.log);
      assert.ok(c.height > 0);
      // CometBFT indexes the block's txs after the app's Commit, when the front has already answered: poll.
      let got: Awaited<ReturnType<Comet38Client["tx"]>> | undefined;
      for (let i = 0; i < 50 && got === undefined; i++) {
        got = await comet.tx({ hash: c.hash }).catch(() => undefined);
        if (got === undefined) await sleep(100);
      }
      assert.ok(got !== undefined, "the committed tx is found");
      assert.equal(got.height, c.height);
      // A committed tx sent again: in the seen cache, refused before CheckTx, a JSON-RPC error.
      const again = TxRaw.encode(TxRaw.decode(got.tx)).finish();
      await assert.rejects(comet.broadcastTxSync({ tx: again }), /tx already exists in cache/);
    });

    test("Comet38Client over the websocket: sync, async, commit, status, block, subscribeNewBlock", async () => {
      const socket = new WebsocketClient(rpc.replace(/^http/, "ws"));
      const ws = Comet38Client.create(socket);
      try {
        const heights: number[] = [];
        const sub = ws.subscribeNewBlock().subscribe({
          next: (e) => {
            heights.push(e.header.height);
          },
        });
        const s = await ws.broadcastTxSync({ tx: await nextSend("3") });
        assert.equal(s.code, 0, s.log);
        const as = await ws.broadcastTxAsync({ tx: await nextSend("4") });
        assert.equal(as.hash.length, 32);
        const c = await ws.broadcastTxCommit({ tx: await nextSend("5") });
        assert.equal(c.txResult?.code, 0, c.txResult?.log);
        const st = await ws.status();
        assert.ok(st.syncInfo.latestBlockHeight >= c.height);
        assert.equal((await ws.block(c.height)).block.header.height, c.height);
        const until = Date.now() + 10_000;
        while (heights.length < 2 && Date.now() < until) await sleep(100);
        sub.unsubscribe();
        assert.ok(heights.length >= 2, `NewBlock events through the front (${heights.length})`);
        assert.equal(heights[1], heights[0]! + 1);
      } finally {
        disconnect(socket, ws);
      }
    });

    test("junk, oversize and mixed batches: clear answers, in order; the node goes on serving", async () => {
      const junk = await post("{not json");
      assert.equal(junk.json.error.code, -32700);
      const max = Number(
        getTomlValue(
          readFileSync(join(net.node(0).home, "comet", "config", "config.toml"), "utf8"),
          "rpc",
          "max_body_bytes",
        ),
      );
      const big = await post(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "broadcast_tx_sync",
          params: { tx: "A".repeat(max + 8) },
        }),
      );
      assert.equal(big.status, 400);
      assert.match(big.json.error.data, /too large/);
      const tx = Buffer.from(await nextSend("6")).toString("base64");
      const batch = await post(
        JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "status", params: {} },
          { jsonrpc: "2.0", id: 2, method: "broadcast_tx_sync", params: { tx } },
          { jsonrpc: "2.0", id: 3, method: "block", params: { height: "1" } },
          { jsonrpc: "2.0", id: 4, method: "num_unconfirmed_txs", params: {} },
          { jsonrpc: "2.0", id: 5, method: "no_such_method", params: {} },
        ]),
      );
      assert.deepEqual(
        batch.json.map((x: { id: number }) => x.id),
        [1, 2, 3, 4, 5],
      );
      assert.equal(batch.json[0].result.node_info.network, CHAIN_ID);
      assert.equal(batch.json[1].result.code, 0, batch.json[1].result.log);
      assert.equal(batch.json[2].result.block.header.height, "1");
      assert.ok("n_txs" in batch.json[3].result);
      assert.equal(batch.json[4].error.code, -32601);
      assert.equal(await comet.health(), null);
    });

    test("secretjs through REST still works", async () => {
      const w = new Wallet(DEV_MNEMONICS.c);
      const client = new SecretNetworkClient({
        url: net.rest(0),
        chainId: CHAIN_ID,
        wallet: w,
        walletAddress: w.address,
      });
      const r = await client.tx.bank.send(
        { from_address: w.address, to_address: b, amount: [{ denom: "uscrt", amount: "9" }] },
        { gasLimit: 100_000, broadcastCheckIntervalMs: 200, broadcastTimeoutMs: 60_000 },
      );
      assert.equal(r.code, 0, r.rawLog);
    });
  },
);
