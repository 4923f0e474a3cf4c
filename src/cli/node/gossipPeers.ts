// App-mempool mode: whom the tx gossip dials. The peers CometBFT is connected to (its `net_info` RPC, polled),
// each at its p2p port + GOSSIP_PORT_OFFSET (the protocol's convention), ∪ the static peers of gossip.json (which
// win for an id they list). A discovered peer leaves the set only after it has been missing from CometBFT's
// answers for `dropAfterMs`, not on one missed poll. README: src/cli/node/README.md "Tx gossip peers".
import { isIP } from "node:net";
import type { GossipPeer } from "../../consensus/txGossip.js";

/** A node's tx gossip listens on its CometBFT p2p port + 5 unless its gossip.json says otherwise. */
export const GOSSIP_PORT_OFFSET = 5;
/** How often `shroud start` asks CometBFT's `net_info` for its peers. */
export const DISCOVERY_POLL_MS = 2_000;
/** A discovered peer missing from net_info this long leaves the gossip's set (its queue is dropped). */
export const DISCOVERY_DROP_MS = 30_000;

/** The gossip port of a node whose CometBFT p2p port is `p2pPort`, or undefined when it would pass 65535. */
export function gossipPortForP2p(p2pPort: number): number | undefined {
  const p = p2pPort + GOSSIP_PORT_OFFSET;
  return Number.isInteger(p2pPort) && p2pPort >= 1 && p <= 65535 ? p : undefined;
}

/** `tcp://host:port`, `host:port`, `[v6]:port` → {host, port}; undefined when it is none of these. */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const hp = addr.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(hp) ?? /^([^:[\]\s/]*):(\d{1,5})$/.exec(hp);
  if (m === null) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}

const isUnspecified = (ip: string): boolean => ip === "0.0.0.0" || /^[0:]+$/.test(ip);
const isLoopback = (ip: string): boolean => ip.startsWith("127.") || ip === "::1";

/**
 * Where to reach a peer: the host of its advertised p2p address (`node_info.listen_addr`: its external_address,
 * else its p2p.laddr) when that is a usable IP, else the IP CometBFT sees it at (`remote_ip`) with the advertised
 * port. Not usable: an unspecified address (0.0.0.0, ::), a hostname (not resolved here), and a loopback address
 * of a peer that is not on loopback (a node listening on 127.0.0.1 behind a proxy). Undefined when neither works.
 */
export function peerAddress(
  listenAddr: string,
  remoteIp: string,
): { host: string; port: number } | undefined {
  const a = splitHostPort(listenAddr);
  if (a === undefined) return undefined;
  const remote = isIP(remoteIp) !== 0 && !isUnspecified(remoteIp) ? remoteIp : undefined;
  const own = isIP(a.host) !== 0 && !isUnspecified(a.host) ? a.host : undefined;
  if (own !== undefined && !(isLoopback(own) && remote !== undefined && !isLoopback(remote)))
    return { host: own, port: a.port };
  return remote === undefined ? undefined : { host: remote, port: a.port };
}

/**
 * The gossip peers in a CometBFT v0.38 `net_info` answer (`result.peers[]`: `node_info.{id, listen_addr,
 * network}`, `remote_ip`): each connected peer of chain `chainId` but this node, at its p2p port + 5. Peers that
 * cannot be mapped are listed in `skipped` with the reason (the caller logs them once). Throws when the answer is
 * not a net_info result at all.
 */
export function peersFromNetInfo(
  answer: unknown,
  self: { readonly id: string; readonly chainId: string },
): { peers: GossipPeer[]; skipped: string[] } {
  const result = (answer as { result?: { peers?: unknown } } | null)?.result;
  if (result === undefined || !Array.isArray(result.peers)) throw new Error("not a net_info answer");
  const peers: GossipPeer[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const entry of result.peers as unknown[]) {
    const e = entry as {
      node_info?: { id?: unknown; listen_addr?: unknown; network?: unknown };
      remote_ip?: unknown;
    } | null;
    const id = e?.node_info?.id;
    if (typeof id !== "string" || !/^[0-9a-f]{40}$/.test(id)) {
      skipped.push(`a peer without a node id (${JSON.stringify(id ?? null)})`);
      continue;
    }
    if (id === self.id || seen.has(id)) continue;
    if (e?.node_info?.network !== self.chainId) {
      skipped.push(`${id}: on network ${JSON.stringify(e?.node_info?.network ?? null)}`);
      continue;
    }
    const listen = typeof e.node_info.listen_addr === "string" ? e.node_info.listen_addr : "";
    const addr = peerAddress(listen, typeof e.remote_ip === "string" ? e.remote_ip : "");
    if (addr === undefined) {
      skipped.push(`${id}: no usable address (listen_addr ${JSON.stringify(listen)})`);
      continue;
    }
    const port = gossipPortForP2p(addr.port);
    if (port === undefined) {
      skipped.push(`${id}: p2p port ${addr.port} + ${GOSSIP_PORT_OFFSET} is past 65535`);
      continue;
    }
    seen.add(id);
    peers.push({ id, host: addr.host, port });
  }
  return { peers, skipped };
}

/** Static peers first (as listed), then the discovered ones whose id no static peer has (by id). */
export function unionPeers(statics: readonly GossipPeer[], discovered: readonly GossipPeer[]): GossipPeer[] {
  const ids = new Set(statics.map((p) => p.id));
  return [...statics, ...discovered.filter((p) => !ids.has(p.id))];
}

export interface GossipDiscoveryOptions {
  /** CometBFT's RPC, e.g. http://127.0.0.1:26657. */
  readonly rpcUrl: string;
  readonly selfId: string;
  readonly chainId: string;
  /** gossip.json's peers: always dialled, and they win over a discovered peer with the same id. */
  readonly statics: readonly GossipPeer[];
  /** The gossip (TxGossip.setPeers). */
  readonly setPeers: (peers: readonly GossipPeer[]) => { added: string[]; removed: string[] };
  readonly log: (line: string) => void;
  readonly everyMs?: number;
  readonly dropAfterMs?: number;
  /** Tests: the clock and the net_info fetch. */
  readonly now?: () => number;
  readonly fetchNetInfo?: () => Promise<unknown>;
}

/**
 * Polls CometBFT's net_info and keeps the gossip's peers = statics ∪ discovered. A failed poll (CometBFT not up
 * yet, restarting) changes nothing; a peer is dropped only by a successful poll that has not seen it for
 * `dropAfterMs`. setPeers is called only when the set changes.
 */
export class GossipDiscovery {
  private readonly found = new Map<string, { peer: GossipPeer; lastSeen: number }>();
  private readonly loggedSkips = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private current: GossipPeer[];
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: GossipDiscoveryOptions) {
    this.current = [...o.statics];
  }

  /** The peers last given to the gossip. */
  get peers(): readonly GossipPeer[] {
    return this.current;
  }

  /** Polls now and every `everyMs` (timer unref'd). */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.poll(), this.o.everyMs ?? DISCOVERY_POLL_MS);
    this.timer.unref();
    return this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One poll (concurrent callers share a running one). Never throws. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let answer: unknown;
    try {
      answer = await (this.o.fetchNetInfo ?? (() => fetchNetInfo(this.o.rpcUrl)))();
    } catch {
      return; // CometBFT not up yet or restarting: keep the set as it is
    }
    if (this.stopped) return;
    let got: { peers: GossipPeer[]; skipped: string[] };
    try {
      got = peersFromNetInfo(answer, { id: this.o.selfId, chainId: this.o.chainId });
    } catch (e) {
      this.logOnce(`gossip discovery: CometBFT's net_info: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    for (const s of got.skipped) this.logOnce(`gossip discovery: skipped peer ${s}`);
    const now = (this.o.now ?? Date.now)();
    for (const p of got.peers) this.found.set(p.id, { peer: p, lastSeen: now });
    const dropAfter = this.o.dropAfterMs ?? DISCOVERY_DROP_MS;
    for (const [id, f] of this.found) if (now - f.lastSeen >= dropAfter) this.found.delete(id);
    const next = unionPeers(
      this.o.statics,
      [...this.found.values()].map((f) => f.peer),
    );
    if (samePeers(next, this.current)) return;
    try {
      const { added, removed } = this.o.setPeers(next);
      this.current = next;
      if (added.length > 0 || removed.length > 0)
        this.o.log(
          `gossip discovery: ${next.length} peers (added ${added.join(", ") || "none"}; removed ${removed.join(", ") || "none"})`,
        );
    } catch (e) {
      this.logOnce(`gossip discovery: peers refused: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private logOnce(line: string): void {
    if (this.loggedSkips.has(line)) return;
    if (this.loggedSkips.size > 1000) this.loggedSkips.clear();
    this.loggedSkips.add(line);
    this.o.log(line);
  }
}

function samePeers(a: readonly GossipPeer[], b: readonly GossipPeer[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(b.map((p) => [p.id, p]));
  return a.every((p) => {
    const q = byId.get(p.id);
    return q !== undefined && q.host === p.host && q.port === p.port;
  });
}

async function fetchNetInfo(rpcUrl: string): Promise<unknown> {
  const r = await fetch(`${rpcUrl}/net_info`, { signal: AbortSignal.timeout(5_000) });
  return r.json();
}
