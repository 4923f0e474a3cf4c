// What the localnet test files (faults.test.ts, faultsConsensus.test.ts, appMempool.test.ts) share: the dev
// wallets and their secretjs clients, the counter contract (deploy, increment), proposers, and the no-fork check.
// Each file runs its own localnet.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { SecretNetworkClient, Wallet } from "secretjs";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { cometHome } from "../../src/cli/node/home.js";
import { cometValidatorKey } from "../../src/consensus/cometbft.js";
import type { Localnet } from "./harness.js";

export const CHAIN_ID = "shroud-localnet-1";
// contracts/build/counter.wasm: provenance in contracts/testdata/README.md.
export const COUNTER = new Uint8Array(
  readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)),
);
export const COUNTER_HASH = createHash("sha256").update(COUNTER).digest("hex");
export const GAS = { gasLimit: 400_000, broadcastCheckIntervalMs: 200, broadcastTimeoutMs: 60_000 };
export const ALL = [0, 1, 2, 3];
/** A file's suite budget: under the runner's 300 s per file, so a stuck chain fails the suite first. */
export const SUITE_TIMEOUT_MS = 290_000;

export const wallets = (["a", "b", "c", "d"] as const).map((k) => new Wallet(DEV_MNEMONICS[k]));

/** Fixed encryption seeds: a second client with the same seed can decrypt the first one's txs. */
const seedOf = (k: number): Uint8Array => new Uint8Array(32).fill(k + 1);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wallet `w`'s secretjs client through node `node`'s REST. */
export function client(net: Localnet, w: number, node: number): SecretNetworkClient {
  return new SecretNetworkClient({
    url: net.rest(node),
    chainId: CHAIN_ID,
    wallet: wallets[w]!,
    walletAddress: wallets[w]!.address,
    encryptionSeed: seedOf(w),
  });
}

export function wasmAttr(
  tx: { arrayLog?: { type: string; key: string; value: string }[] },
  key: string,
): string | undefined {
  return tx.arrayLog?.find((l) => l.type === "wasm" && l.key === key)?.value;
}

/** Every node in `nodes` has the same blocks and app hashes up to the lowest one's height; returns that height. */
export async function assertNoFork(net: Localnet, nodes: readonly number[]): Promise<number> {
  const hs = await Promise.all(nodes.map((i) => net.height(i)));
  const top = Math.min(...hs);
  assert.deepEqual(await net.divergences(nodes, 1, top), [], "every node has the same blocks and app hashes");
  return top;
}

/** Stores and instantiates the counter contract (starting at `count`) through node `node`; its address. */
export async function deployCounter(net: Localnet, count: number, node = 0): Promise<string> {
  const a0 = client(net, 0, node);
  const up = await a0.tx.compute.storeCode(
    { sender: wallets[0]!.address, wasm_byte_code: COUNTER, source: "", builder: "" },
    { ...GAS, gasLimit: 5_000_000 },
  );
  assert.equal(up.code, 0, up.rawLog);
  const codeId = up.arrayLog?.find((l) => l.type === "message" && l.key === "code_id")?.value ?? "";
  const inst = await a0.tx.compute.instantiateContract(
    {
      sender: wallets[0]!.address,
      code_id: codeId,
      code_hash: COUNTER_HASH,
      label: "counter",
      init_msg: { count },
    },
    GAS,
  );
  assert.equal(inst.code, 0, inst.rawLog);
  return inst.arrayLog?.find((l) => l.type === "message" && l.key === "contract_address")?.value ?? "";
}

/** One encrypted `increment` of the counter by wallet `w` through node `node`: its hash, height and the new count. */
export async function increment(
  net: Localnet,
  contract: string,
  w: number,
  node: number,
): Promise<{ hash: string; height: number; count: string }> {
  const tx = await client(net, w, node).tx.compute.executeContract(
    {
      sender: wallets[w]!.address,
      contract_address: contract,
      code_hash: COUNTER_HASH,
      msg: { increment: {} },
    },
    GAS,
  );
  assert.equal(tx.code, 0, tx.rawLog);
  return { hash: tx.transactionHash, height: tx.height, count: wasmAttr(tx, "count") ?? "" };
}

/** Node i's validator address (CometBFT's, upper-case hex: a block header's proposer_address). */
export const validatorAddress = (net: Localnet, i: number): string =>
  cometValidatorKey(cometHome(net.node(i).home)).address.toUpperCase();

/** The validator address of the proposer of block `height`, read from node 0. */
export async function proposerOf(net: Localnet, height: number): Promise<string> {
  const b = (await net.rpc(0, `/block?height=${height}`)) as {
    block: { header: { proposer_address: string } };
  };
  return b.block.header.proposer_address.toUpperCase();
}
