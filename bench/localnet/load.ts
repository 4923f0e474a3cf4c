// bench:localnet load generator: each signer's pre-signed txs go in sequence order to one node's CometBFT RPC
// (broadcast_tx_sync, signers in parallel, spread over the nodes); a tracker reads every new block of node 0 and
// stamps each of our txs' commit time. Latency = block seen − submit; throughput = committed ÷ (last commit −
// first submit). Polling every 20 ms adds up to that much to each latency.
import { createHash } from "node:crypto";
import type { Localnet } from "../../test/network/harness.js";

export interface LoadResult {
  readonly committed: number;
  readonly failed: number;
  readonly tps: number;
  readonly p50: number;
  readonly p99: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hashOf = (b64: string): string =>
  createHash("sha256").update(Buffer.from(b64, "base64")).digest("hex").toUpperCase();

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** A GET on node 0's RPC, retried while it errors (a loaded node may answer late or reset the connection). */
async function rpcRetry(net: Localnet, path: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r: unknown = await net.rpc(0, path);
      if (r !== undefined) return r;
    } catch (e) {
      if (attempt >= 20) throw e;
    }
    if (attempt >= 20) throw new Error(`RPC ${path}: no result`);
    await sleep(100);
  }
}

/**
 * broadcast_tx_sync with retries: CometBFT's RPC may close a kept-alive connection under load (ECONNRESET); a
 * resent tx that already arrived answers "tx already exists in cache", which counts as accepted.
 */
async function broadcast(net: Localnet, node: number, b64: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const r = (await net.rpcPost(node, "broadcast_tx_sync", { tx: b64 })) as {
        result?: { code: number };
        error?: { data?: string };
      };
      if (r.result?.code === 0) return true;
      return /already exists in cache/.test(r.error?.data ?? "");
    } catch {
      await sleep(100 * (attempt + 1));
    }
  }
  return false;
}

async function submitAll(
  net: Localnet,
  per: readonly Uint8Array[][],
  submitted: Map<string, number>,
): Promise<number> {
  const nodes = net.info.nodes.length;
  let rejected = 0;
  await Promise.all(
    per.map(async (txs, k) => {
      for (const tx of txs) {
        const b64 = Buffer.from(tx).toString("base64");
        submitted.set(hashOf(b64), performance.now());
        if (!(await broadcast(net, k % nodes, b64))) rejected++;
      }
    }),
  );
  return rejected;
}

/** Submits everything and waits (≤ 5 min) until every accepted tx is in a block of node 0 after height h0. */
export async function submitAndTrack(
  net: Localnet,
  per: readonly Uint8Array[][],
  h0: number,
): Promise<LoadResult> {
  const submitted = new Map<string, number>();
  const latencies: number[] = [];
  let failed = 0;
  let lastCommit = 0;
  let next = h0 + 1;
  const t0 = performance.now();
  const total = per.reduce((s, t) => s + t.length, 0);
  let rejected = 0;
  const submitting = submitAll(net, per, submitted).then((r) => {
    rejected = r;
  });
  while (latencies.length + failed + rejected < total && performance.now() - t0 < 300_000) {
    const top = await net.height(0);
    for (; next <= top; next++) {
      const b = (await rpcRetry(net, `/block?height=${next}`)) as {
        block: { data: { txs: string[] | null } };
      };
      const res = (await rpcRetry(net, `/block_results?height=${next}`)) as {
        txs_results: { code: number }[] | null;
      };
      const now = performance.now();
      (b.block.data.txs ?? []).forEach((tx, i) => {
        const sent = submitted.get(hashOf(tx));
        if (sent === undefined) return;
        if ((res.txs_results?.[i]?.code ?? 0) !== 0) failed++;
        else latencies.push(now - sent);
        lastCommit = now;
      });
    }
    await sleep(20);
  }
  await submitting;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    committed: latencies.length,
    failed: failed + rejected,
    tps: (latencies.length * 1000) / Math.max(1, lastCommit - t0),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
  };
}
