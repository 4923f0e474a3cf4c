// bench:localnet load generator: each signer's pre-signed txs go in sequence order to one node's RPC port
// (broadcast_tx_sync, signers in parallel, spread over the nodes: CometBFT's RPC in comet mode, the node's RPC front
// in app mode; with `--submit rest` to its REST broadcast instead); a tracker reads every new block of node 0 and
// stamps each of our txs' commit time. Latency = block seen − submit; throughput = txs in blocks ÷ (node 0's
// execution of the last block − first submit). Polling every 20 ms adds up to that much to each latency.
import { createHash } from "node:crypto";
import type { Localnet } from "../../test/network/harness.js";

export interface LoadResult {
  readonly committed: number;
  readonly failed: number;
  readonly tps: number;
  readonly p50: number;
  readonly p99: number;
  /** broadcast_tx_sync round trips (submit → CheckTx answer), ms: p50, p99, mean. */
  readonly broadcastMs: { readonly p50: number; readonly p99: number; readonly mean: number };
  /** Each block of the load as node 0's tracker saw it: our txs in it, ms since the first submit. */
  readonly timeline: readonly { readonly height: number; readonly txs: number; readonly atMs: number }[];
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
 * Waits until each of `nodes` has executed `height`: CometBFT stores a block (and /block, /status answer it) once
 * consensus decides it, before the app's FinalizeBlock runs; `/block_results` answers only after FinalizeBlock.
 * Returns false on timeout.
 */
export async function waitExecuted(
  net: Localnet,
  nodes: readonly number[],
  height: number,
  timeoutMs: number,
): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  const pending = new Set(nodes);
  while (pending.size > 0) {
    for (const i of [...pending]) {
      try {
        const r = (await net.rpc(i, `/block_results?height=${height}`)) as { height?: string } | undefined;
        if (r?.height === String(height)) pending.delete(i);
      } catch {
        // not executed yet (CometBFT answers an error), or a loaded node reset the connection: poll again
      }
    }
    if (pending.size === 0) return true;
    if (performance.now() > until) return false;
    await sleep(10);
  }
  return true;
}

/**
 * broadcast_tx_sync with retries: CometBFT's RPC (or the node's RPC front in app mode) may close a kept-alive
 * connection under load (ECONNRESET); a resent tx that already arrived answers "tx already exists in cache" (a
 * JSON-RPC error from both), which counts as accepted.
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

/**
 * `--submit rest`: a tx goes to the node's REST (`POST /cosmos/tx/v1beta1/txs`, BROADCAST_MODE_SYNC, as secretjs
 * sends it), then to its AppMempool (app mode) or CometBFT's broadcast_tx_sync (comet mode); a resent tx that
 * already arrived answers code 19 (in the seen cache), which counts as accepted.
 */
async function broadcastRest(net: Localnet, node: number, b64: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const r = await fetch(`${net.rest(node)}/cosmos/tx/v1beta1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"tx_bytes":"${b64}","mode":"BROADCAST_MODE_SYNC"}`,
        signal: AbortSignal.timeout(30_000),
      });
      const j = (await r.json()) as { tx_response?: { code: number } };
      const code = j.tx_response?.code;
      return code === 0 || code === 19;
    } catch {
      await sleep(100 * (attempt + 1));
    }
  }
  return false;
}

/** Where the load's txs go: the RPC port's broadcast_tx_sync, or the node's REST broadcast. */
export type SubmitPath = "rpc" | "rest";

async function submitAll(
  net: Localnet,
  per: readonly Uint8Array[][],
  submitted: Map<string, number>,
  roundTrips: number[],
  path: SubmitPath,
): Promise<number> {
  const send = path === "rest" ? broadcastRest : broadcast;
  const nodes = net.info.nodes.length;
  let rejected = 0;
  await Promise.all(
    per.map(async (txs, k) => {
      for (const tx of txs) {
        const b64 = Buffer.from(tx).toString("base64");
        const sent = performance.now();
        submitted.set(hashOf(b64), sent);
        if (!(await send(net, k % nodes, b64))) rejected++;
        roundTrips.push(performance.now() - sent);
      }
    }),
  );
  return rejected;
}

/** The block at `height` of node 0, or undefined while it does not exist yet (CometBFT answers an error). */
async function blockAt(net: Localnet, height: number): Promise<string[] | undefined> {
  try {
    const b = (await net.rpc(0, `/block?height=${height}`)) as
      { block: { data: { txs: string[] | null } } } | undefined;
    return b === undefined ? undefined : (b.block.data.txs ?? []);
  } catch {
    return undefined; // a loaded node may answer late or reset the connection: try again next poll
  }
}

/**
 * Submits everything and waits (≤ 5 min) until every accepted tx is in a block of node 0 after height h0. While
 * the load runs the tracker only asks node 0 for its next block (one `/block` per poll, no `/status`); the result
 * codes (`/block_results`, the heaviest JSON CometBFT serves) are read after the load, outside the CPU window.
 */
export async function submitAndTrack(
  net: Localnet,
  per: readonly Uint8Array[][],
  h0: number,
  path: SubmitPath = "rpc",
): Promise<LoadResult & { readonly failedInBlocks: () => Promise<number> }> {
  const submitted = new Map<string, number>();
  const seen: { height: number; index: number; latency: number }[] = [];
  let lastCommit = 0;
  let next = h0 + 1;
  const t0 = performance.now();
  const total = per.reduce((s, t) => s + t.length, 0);
  let rejected = 0;
  const roundTrips: number[] = [];
  const timeline: { height: number; txs: number; atMs: number }[] = [];
  const submitting = submitAll(net, per, submitted, roundTrips, path).then((r) => {
    rejected = r;
  });
  while (seen.length + rejected < total && performance.now() - t0 < 300_000) {
    const txs = await blockAt(net, next);
    if (txs === undefined) {
      await sleep(20);
      continue;
    }
    const now = performance.now();
    const before = seen.length;
    txs.forEach((tx, index) => {
      const sent = submitted.get(hashOf(tx));
      if (sent === undefined) return;
      seen.push({ height: next, index, latency: now - sent });
      lastCommit = now;
    });
    timeline.push({ height: next, txs: seen.length - before, atMs: now - t0 });
    next++;
  }
  await submitting;
  // The window ends when node 0 has executed the last block with our txs, not when that block was decided:
  // ending at the decision left the last block's FinalizeBlock out of the time (and, in bench/localnet.ts, the
  // CPU) window, and a run whose last block was large (up to ~half its txs) read far above its real rate.
  const lastHeight = seen.at(-1)?.height;
  if (lastHeight !== undefined && (await waitExecuted(net, [0], lastHeight, 60_000)))
    lastCommit = performance.now();
  const sorted = seen.map((s) => s.latency).sort((a, b) => a - b);
  const trips = [...roundTrips].sort((a, b) => a - b);
  /** Our txs that are in a block with a non-zero result code; call after the measured phase. */
  const failedInBlocks = async (): Promise<number> => {
    let failed = 0;
    const codes = new Map<number, { code: number }[]>();
    for (const s of seen) {
      if (!codes.has(s.height)) {
        const res = (await rpcRetry(net, `/block_results?height=${s.height}`)) as {
          txs_results: { code: number }[] | null;
        };
        codes.set(s.height, res.txs_results ?? []);
      }
      if ((codes.get(s.height)?.[s.index]?.code ?? 0) !== 0) failed++;
    }
    return failed;
  };
  return {
    committed: seen.length,
    failed: rejected,
    tps: (seen.length * 1000) / Math.max(1, lastCommit - t0),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    broadcastMs: {
      p50: quantile(trips, 0.5),
      p99: quantile(trips, 0.99),
      mean: trips.reduce((a, b) => a + b, 0) / Math.max(1, trips.length),
    },
    timeline,
    failedInBlocks,
  };
}
