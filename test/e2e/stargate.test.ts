// End to end with @cosmjs/stargate (unchanged) over the CometBFT-style RPC of a spawned `shroud dev`: balance,
// bank send (lands, balances move; seen by a websocket Tx subscription), delegate to the dev validator and read the delegation back through
// QueryClient + setupStakingExtension, getTx, searchTx. The wallet is cosmjs' own DirectSecp256k1HdWallet on
// Secret's HD path, so signing, account lookup, simulation and broadcast are all cosmjs' code paths.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { sha256, stringToPath } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import {
  GasPrice,
  QueryClient,
  setupStakingExtension,
  SigningStargateClient,
  StargateClient,
  type StakingExtension,
} from "@cosmjs/stargate";
import { Comet38Client, connectComet, WebsocketClient, type CometClient } from "@cosmjs/tendermint-rpc";
import { startDevChild, type DevChild } from "./devNode.js";
import { MNEMONIC_A, MNEMONIC_B } from "../util/localSecret.js";

/** Secret's coin type 529 (SLIP-44), the path secretjs and secretd use. */
const SECRET_HD_PATH = stringToPath("m/44'/529'/0'/0/0");
const GENESIS_BALANCE = 1_000_000_000_000_000_000n; // src/cli/devGenesis.ts DEV_ACCOUNT_BALANCE
const FEE = { amount: [{ denom: "uscrt", amount: "5000" }], gas: "200000" };

const wallet = (mnemonic: string) =>
  DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "secret", hdPaths: [SECRET_HD_PATH] });

describe("@cosmjs/stargate against shroud dev over RPC", { timeout: 90_000 }, () => {
  let node: DevChild;
  let rpc = "";
  let signer: SigningStargateClient;
  let reader: StargateClient;
  let comet: CometClient;
  let staking: QueryClient & StakingExtension;
  let a = "";
  let b = "";
  let sendHash = "";
  let sendHeight = 0;

  before(async () => {
    node = await startDevChild(50);
    const m = /RPC on (http:\/\/\S+)/.exec(node.output());
    assert.ok(m?.[1], node.output());
    rpc = m[1];
    const wa = await wallet(MNEMONIC_A);
    a = (await wa.getAccounts())[0]?.address ?? "";
    b = (await (await wallet(MNEMONIC_B)).getAccounts())[0]?.address ?? "";
    signer = await SigningStargateClient.connectWithSigner(rpc, wa, {
      gasPrice: GasPrice.fromString("0.1uscrt"),
    });
    reader = await StargateClient.connect(rpc);
    comet = await connectComet(rpc);
    staking = QueryClient.withExtensions(comet, setupStakingExtension);
  });

  after(async () => {
    signer.disconnect();
    reader.disconnect();
    comet.disconnect();
    assert.equal(await node.stop(), 0, node.output());
  });

  test("chain id, height and the genesis balance", async () => {
    assert.equal(await reader.getChainId(), "secretdev-1");
    assert.ok((await reader.getHeight()) >= 1);
    assert.deepEqual(await reader.getBalance(a, "uscrt"), {
      denom: "uscrt",
      amount: GENESIS_BALANCE.toString(),
    });
    const acc = await reader.getAccount(a);
    assert.equal(acc?.address, a);
  });

  test("bank send lands; balances move by amount (+ fee for the sender)", async () => {
    const beforeA = BigInt((await reader.getBalance(a, "uscrt")).amount);
    const beforeB = BigInt((await reader.getBalance(b, "uscrt")).amount);
    // A websocket Tx subscription sees the send as the first tx of its block (the block random before it is hidden).
    const socket = new WebsocketClient(rpc.replace(/^http/, "ws"));
    const ws = Comet38Client.create(socket);
    const seen: string[] = [];
    let sub: { unsubscribe(): void } | undefined;
    const firstTx = new Promise<void>((resolve, reject) => {
      sub = ws.subscribeTx().subscribe({
        next: (e) => {
          seen.push(toHex(e.hash).toUpperCase());
          resolve();
        },
        error: reject,
      });
      setTimeout(() => {
        reject(new Error("no Tx event within 20 s"));
      }, 20_000);
    });
    await socket.connected();
    await new Promise((r) => setTimeout(r, 300)); // the subscribe request goes out right after the connect
    const r = await signer.sendTokens(a, b, [{ denom: "uscrt", amount: "12345" }], FEE, "cosmjs send");
    assert.equal(r.code, 0, JSON.stringify(r.events));
    try {
      await firstTx;
    } finally {
      sub?.unsubscribe();
      // cosmjs' ReconnectingSocket reconnects after a deliberate disconnect too (see test/api/rpc.test.ts).
      (socket as unknown as { socket: { socket: { reconnect: () => void } } }).socket.socket.reconnect = () =>
        undefined;
      ws.disconnect();
    }
    assert.equal(seen[0], r.transactionHash);
    sendHash = r.transactionHash;
    sendHeight = r.height;
    assert.equal(BigInt((await reader.getBalance(b, "uscrt")).amount), beforeB + 12_345n);
    assert.equal(BigInt((await reader.getBalance(a, "uscrt")).amount), beforeA - 12_345n - 5_000n);
  });

  test("simulated gas ('auto' fee) and a delegation to the dev validator read back", async () => {
    const { validators } = await staking.staking.validators("BOND_STATUS_BONDED");
    const valoper = validators[0]?.operatorAddress ?? "";
    assert.match(valoper, /^secretvaloper1/);
    const r = await signer.delegateTokens(a, valoper, { denom: "uscrt", amount: "2000000" }, "auto");
    assert.equal(r.code, 0, JSON.stringify(r.events));
    assert.ok(r.gasUsed > 0n && r.gasUsed <= r.gasWanted, `${r.gasUsed} of ${r.gasWanted}`);
    const d = await staking.staking.delegation(a, valoper);
    // cosmjs-types marks the field required, yet an empty response decodes without it: check it exists.
    const resp = d.delegationResponse as unknown as
      { balance: { amount: string }; delegation: { delegatorAddress: string } } | undefined;
    assert.ok(resp);
    assert.equal(resp.balance.amount, "2000000");
    assert.equal(resp.delegation.delegatorAddress, a);
    const viaReader = await reader.getDelegation(a, valoper);
    assert.deepEqual(viaReader, { denom: "uscrt", amount: "2000000" });
  });

  test("getTx and searchTx find the send", async () => {
    const t = await reader.getTx(sendHash);
    assert.ok(t);
    assert.equal(t.hash, sendHash);
    assert.equal(t.height, sendHeight);
    assert.equal(t.code, 0);
    assert.ok(t.events.some((e) => e.type === "transfer"));
    const bySender = await reader.searchTx([{ key: "message.sender", value: a }]);
    assert.ok(bySender.some((x) => x.hash === sendHash));
    const byHeight = await reader.searchTx(`tx.height=${sendHeight}`);
    assert.deepEqual(
      byHeight.map((x) => x.hash),
      [sendHash],
    );
    assert.equal(await reader.getTx("00".repeat(32)), null);
    // The block's injected random is a tx of the block (data hash) but, as on Secret, not a tx clients see.
    const block = await comet.block(sendHeight);
    assert.equal(block.block.txs.length, 2);
    const randomHash = toHex(sha256(block.block.txs[0] ?? new Uint8Array())).toUpperCase();
    assert.notEqual(randomHash, sendHash);
    assert.equal(await reader.getTx(randomHash), null);
  });
});
