// Tx gossip between Shroud nodes, for the app-side mempool (CometBFT's `mempool.type = "nop"`: CometBFT then
// gossips no txs, so the nodes spread client txs themselves). A plain TCP transport (`node:net`), one-way
// connections: a node sends only on connections it dialled and receives only on connections it accepted.
//
// Wire (both directions start with a hello; after it only the dialler writes):
//   hello  = "SHTX" ‖ version u8 ‖ chainLen u8 ‖ chain id (UTF-8) ‖ idLen u8 ‖ node id (UTF-8)
//   frame  = uvarint(bodyLen) ‖ body,   body = (uvarint(txLen) ‖ tx)*   (one frame = one onTxs call)
// Every length is checked before anything is allocated for it; a bad hello, a frame or tx over its limit, a tx
// running past its frame, or a hello that does not come within the handshake timeout closes that connection
// with a log line and `protocolErrors++`. The module's README section: src/consensus/README.md "Tx gossip".
import net from "node:net";
import { FrameReader } from "./frameReader.js";

export interface GossipPeer {
  /** Stable name of the peer (its CometBFT node id in a localnet); given to onTxs as `from`, shown in logs. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

export interface TxGossipOptions {
  /** This node's id (sent in the handshake; must differ from every peer's). */
  readonly id: string;
  /** Chain id: a peer whose handshake announces another chain id (or another protocol version) is refused. */
  readonly chainId: string;
  /** Listen host (default 127.0.0.1) and port (0 = any free port: read it back from TxGossip.port). */
  readonly host?: string;
  readonly port: number;
  /**
   * Peers this node dials (and keeps re-dialling with a capped backoff while it runs). May be empty; changed
   * while running by `TxGossip.setPeers`.
   */
  readonly peers: readonly GossipPeer[];
  /** Largest tx accepted, bytes; a frame carrying a larger one is a protocol error (connection closed, logged). */
  readonly maxTxBytes: number;
  /**
   * The txs one peer sent in one batch, in the order it sent them; called synchronously from the socket's data
   * handler. A throw is caught and logged, never crashes the node.
   */
  readonly onTxs: (txs: readonly Uint8Array[], from: string) => void;
  readonly log?: (line: string) => void;
  // Tuning (optional; the defaults are what a node uses, tests shorten the times).
  /** Bound of one peer's outbound queue, bytes (each tx counts its length + 8); default 8 MiB. */
  readonly maxQueueBytes?: number;
  /** A connection whose peer's hello has not arrived by then is closed; default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Re-dial backoff: first wait, doubled per failure up to the cap; defaults 50 and 1000 ms. */
  readonly redialMinMs?: number;
  readonly redialMaxMs?: number;
  /** Inbound connections open at once (handshaken or not); past it new ones are closed. Default 64. */
  readonly maxInbound?: number;
  /**
   * 0 (default): queued txs leave at the end of the event-loop turn (setImmediate). D > 0: they leave D ms after
   * the first of them was queued, so the sends of several turns share one write (fewer syscalls, D ms later).
   */
  readonly flushDelayMs?: number;
}

export interface TxGossipStats {
  /** Tx copies written to peers' sockets (one tx sent to 3 peers counts 3). */
  readonly sentTxs: number;
  /** Txs handed to onTxs. */
  readonly receivedTxs: number;
  /** Txs dropped because a peer's outbound queue was full (peer down or slow), or larger than maxTxBytes. */
  readonly dropped: number;
  readonly peersOut: number; // outbound connections currently up (handshake done)
  readonly peersIn: number; // inbound connections currently up (handshake done)
  readonly protocolErrors: number;
}

export interface TxGossip {
  readonly port: number;
  /**
   * Queue txs for every peer but `except` (a peer id). Batched: everything queued during one event-loop turn
   * goes to each peer in one write. Never throws. A peer that is down keeps a bounded queue (by bytes; past the
   * bound the oldest are dropped and counted), flushed when it connects.
   */
  send(txs: readonly Uint8Array[], except?: string): void;
  /**
   * Replaces the set of peers this node dials. A peer new by id is dialled at once (then re-dialled with the
   * usual backoff); a peer no longer listed has its outbound connection closed, its re-dial stopped and its
   * queue dropped; a peer listed again with the same id, host and port is left untouched (connection, queue,
   * backoff); one whose host or port changed is removed and added. Inbound connections are not affected (any
   * node of the chain may dial this one). Throws on a bad list (as `peers` at start: own id, an id twice, a
   * bad port), changing nothing; after close() it does nothing.
   */
  setPeers(peers: readonly GossipPeer[]): { added: string[]; removed: string[] };
  /** The peers this node dials now, in the order they were added. */
  peers(): GossipPeer[];
  stats(): TxGossipStats;
  /** Closes the listener and every connection; pending queues are discarded. Idempotent. */
  close(): Promise<void>;
}

/** "SHTX" */
const MAGIC = Uint8Array.from([0x53, 0x48, 0x54, 0x58]);
export const TX_GOSSIP_VERSION = 1;
/** Longest chain id or node id in a hello (one length byte). */
const MAX_NAME_BYTES = 255;
/** The sender starts a new frame past this body size (a larger tx still goes alone in one frame). */
const FRAME_BODY_BYTES = 1 << 20;
/** Per-tx bookkeeping counted against a queue's byte bound (so empty txs cannot grow it without limit). */
const TX_QUEUE_OVERHEAD = 8;
const EMPTY = new Uint8Array(0);

/** Largest frame body a receiver accepts: a full batch, or one tx of maxTxBytes with its length prefix. */
export function maxFrameBody(maxTxBytes: number): number {
  return Math.max(FRAME_BODY_BYTES, maxTxBytes + 5);
}

const uvarintSize = (n: number): number =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;

function putUvarint(buf: Uint8Array, off: number, n: number): number {
  while (n >= 0x80) {
    buf[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[off++] = n;
  return off;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** This node's hello: magic, version, chain id, node id. */
export function encodeHello(chainId: string, id: string, version = TX_GOSSIP_VERSION): Uint8Array {
  const c = utf8.encode(chainId);
  const i = utf8.encode(id);
  const out = new Uint8Array(MAGIC.length + 3 + c.length + i.length);
  out.set(MAGIC, 0);
  let o = MAGIC.length;
  out[o++] = version;
  out[o++] = c.length;
  out.set(c, o);
  o += c.length;
  out[o++] = i.length;
  out.set(i, o);
  return out;
}

export interface Hello {
  readonly version: number;
  readonly chainId: string;
  readonly id: string;
}

/**
 * Reads a hello at the start of `buf`: `{hello, used}` when whole, `undefined` when more bytes are needed, a
 * string (the reason) when the bytes cannot be a hello. The magic and version are checked as soon as they are in.
 */
export function parseHello(buf: Uint8Array): { hello: Hello; used: number } | undefined | string {
  for (let i = 0; i < MAGIC.length && i < buf.length; i++) {
    if (buf[i] !== MAGIC[i]) return "not a tx gossip hello (bad magic)";
  }
  if (buf.length <= MAGIC.length) return undefined;
  const version = buf[MAGIC.length]!;
  if (version !== TX_GOSSIP_VERSION)
    return `protocol version ${version}, this node speaks ${TX_GOSSIP_VERSION}`;
  const cAt = MAGIC.length + 1;
  if (buf.length <= cAt) return undefined;
  const cLen = buf[cAt]!;
  const iAt = cAt + 1 + cLen;
  if (buf.length <= iAt) return undefined;
  const iLen = buf[iAt]!;
  const used = iAt + 1 + iLen;
  if (buf.length < used) return undefined;
  if (iLen === 0) return "empty node id";
  try {
    const chainId = utf8Strict.decode(buf.subarray(cAt + 1, iAt));
    const id = utf8Strict.decode(buf.subarray(iAt + 1, used));
    return { hello: { version, chainId, id }, used };
  } catch {
    return "chain id or node id is not UTF-8";
  }
}

/**
 * Encodes txs[from..to) as frames of at most FRAME_BODY_BYTES of body each (a larger tx alone in its frame), in
 * one buffer: one socket write. `frameSizes` is scratch space (reused by the caller between calls).
 */
export function encodeTxFrames(
  txs: readonly Uint8Array[],
  from = 0,
  to = txs.length,
  frameSizes: number[] = [],
): Buffer {
  frameSizes.length = 0;
  let total = 0;
  let body = 0;
  for (let i = from; i < to; i++) {
    const n = txs[i]!.length;
    const entry = uvarintSize(n) + n;
    if (body > 0 && body + entry > FRAME_BODY_BYTES) {
      frameSizes.push(body);
      total += uvarintSize(body) + body;
      body = 0;
    }
    body += entry;
  }
  if (to > from) {
    frameSizes.push(body);
    total += uvarintSize(body) + body;
  }
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  let f = 0;
  let left = 0;
  for (let i = from; i < to; i++) {
    if (left === 0) {
      left = frameSizes[f++]!;
      o = putUvarint(out, o, left);
    }
    const tx = txs[i]!;
    const start = o;
    o = putUvarint(out, o, tx.length);
    out.set(tx, o);
    o += tx.length;
    left -= o - start;
  }
  return out;
}

/**
 * The txs of one frame body, as plain Uint8Array views of it, or a string (the reason) when the body is bad: a
 * tx over maxTxBytes, a length running past the body, or a length varint that does not end.
 */
export function decodeTxFrame(body: Uint8Array, maxTxBytes: number): Uint8Array[] | string {
  const txs: Uint8Array[] = [];
  const end = body.length;
  let off = 0;
  while (off < end) {
    let len = 0;
    let mul = 1;
    for (let k = 0; ; k++) {
      if (off >= end) return "tx length runs past the end of its frame";
      if (k === 5) return "tx length varint too long";
      const b = body[off++]!;
      len += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    if (len > maxTxBytes) return `tx of ${len} bytes over the limit of ${maxTxBytes}`;
    if (len > end - off) return `tx of ${len} bytes runs past the end of its frame`;
    txs.push(new Uint8Array(body.buffer, body.byteOffset + off, len));
    off += len;
  }
  return txs;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** One peer this node dials: its queue and its (at most one) outbound connection. */
interface OutPeer {
  readonly peer: GossipPeer;
  readonly name: string;
  /** Taken out by setPeers: never re-dialled, its socket's close changes nothing. */
  removed: boolean;
  /** Txs not yet written, oldest first from `head`. */
  queue: Uint8Array[];
  head: number;
  bytes: number;
  socket: net.Socket | undefined;
  /** Handshake done on `socket`. */
  up: boolean;
  /** write() returned false: wait for 'drain'. */
  blocked: boolean;
  timer: NodeJS.Timeout | undefined;
  backoff: number;
  /** Why the last attempt failed (logged when it changes; cleared by a connection). */
  problem: string;
  loggedProblem: string;
}

interface InConn {
  readonly socket: net.Socket;
  readonly name: string;
  id: string | undefined;
  pending: Uint8Array;
  readonly frames: FrameReader;
  timer: NodeJS.Timeout | undefined;
}

function checkName(what: string, s: string): void {
  const n = utf8.encode(s).length;
  if (n === 0 || n > MAX_NAME_BYTES)
    throw new Error(`tx gossip: ${what} must be 1..${MAX_NAME_BYTES} UTF-8 bytes`);
}

/** Throws on a peer list a node cannot dial: an empty or long id, its own id, an id twice, a bad host or port. */
function checkPeers(peers: readonly GossipPeer[], ownId: string): void {
  const seen = new Set<string>();
  for (const p of peers) {
    checkName("peer id", p.id);
    if (p.id === ownId) throw new Error(`tx gossip: peer ${p.id} has this node's own id`);
    if (seen.has(p.id)) throw new Error(`tx gossip: peer ${p.id} listed twice`);
    if (typeof p.host !== "string" || p.host === "") throw new Error(`tx gossip: peer ${p.id} has no host`);
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw new Error(`tx gossip: peer ${p.id} has a bad port ${String(p.port)}`);
    }
    seen.add(p.id);
  }
}

const samePeer = (a: GossipPeer, b: GossipPeer): boolean =>
  a.id === b.id && a.host === b.host && a.port === b.port;

export async function startTxGossip(o: TxGossipOptions): Promise<TxGossip> {
  checkName("node id", o.id);
  checkName("chain id", o.chainId);
  if (!Number.isSafeInteger(o.maxTxBytes) || o.maxTxBytes < 1) throw new Error("tx gossip: bad maxTxBytes");
  checkPeers(o.peers, o.id);
  const log = o.log ?? (() => undefined);
  const maxQueueBytes = o.maxQueueBytes ?? 8 << 20;
  const handshakeMs = o.handshakeTimeoutMs ?? 5000;
  const redialMin = o.redialMinMs ?? 50;
  const redialMax = Math.max(redialMin, o.redialMaxMs ?? 1000);
  const maxInbound = o.maxInbound ?? 64;
  const flushDelay = o.flushDelayMs ?? 0;
  const maxBody = maxFrameBody(o.maxTxBytes);
  const hello = encodeHello(o.chainId, o.id);

  let closed = false;
  let sentTxs = 0;
  let receivedTxs = 0;
  let dropped = 0;
  let peersOut = 0;
  let peersIn = 0;
  let protocolErrors = 0;
  /** Every socket not yet closed (close() waits for all of them). */
  const live = new Set<net.Socket>();
  let allClosed: (() => void) | undefined;
  const forget = (s: net.Socket): void => {
    live.delete(s);
    if (live.size === 0) allClosed?.();
  };

  // ---- sending -------------------------------------------------------------------------------------------
  const newPeer = (peer: GossipPeer): OutPeer => ({
    peer: { id: peer.id, host: peer.host, port: peer.port },
    name: `peer ${peer.id} (${peer.host}:${peer.port})`,
    removed: false,
    queue: [],
    head: 0,
    bytes: 0,
    socket: undefined,
    up: false,
    blocked: false,
    timer: undefined,
    backoff: redialMin,
    problem: "",
    loggedProblem: "",
  });
  /** The peers this node dials, by id (insertion order). */
  const out = new Map<string, OutPeer>(o.peers.map((peer) => [peer.id, newPeer(peer)]));
  const frameSizes: number[] = [];
  let flushScheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;

  const flush = (): void => {
    flushScheduled = undefined;
    for (const p of out.values()) writeQueue(p);
  };
  const scheduleFlush = (): void => {
    if (flushScheduled === undefined && !closed) {
      flushScheduled = flushDelay > 0 ? setTimeout(flush, flushDelay) : setImmediate(flush);
    }
  };

  /** Writes p's whole queue in one write when p is up and not back-pressured. */
  const writeQueue = (p: OutPeer): void => {
    const s = p.socket;
    if (!p.up || p.blocked || s === undefined || p.head === p.queue.length) return;
    const n = p.queue.length - p.head;
    const buf = encodeTxFrames(p.queue, p.head, p.queue.length, frameSizes);
    p.queue.length = 0;
    p.head = 0;
    p.bytes = 0;
    sentTxs += n;
    if (!s.write(buf)) p.blocked = true; // 'drain' clears it and flushes again
  };

  const send = (txs: readonly Uint8Array[], except?: string): void => {
    if (closed || txs.length === 0) return;
    let any = false;
    for (const p of out.values()) {
      if (p.peer.id === except) continue;
      const q = p.queue;
      for (const tx of txs) {
        if (tx.length > o.maxTxBytes) {
          dropped++;
          continue;
        }
        q.push(tx);
        p.bytes += tx.length + TX_QUEUE_OVERHEAD;
      }
      if (p.bytes > maxQueueBytes) {
        // Oldest first; a slot is cleared so its tx can be freed, and the array compacted now and then.
        while (p.bytes > maxQueueBytes && p.head < q.length) {
          p.bytes -= q[p.head]!.length + TX_QUEUE_OVERHEAD;
          q[p.head++] = EMPTY;
          dropped++;
        }
        if (p.head > 1024 && p.head * 2 > q.length) {
          q.splice(0, p.head);
          p.head = 0;
        }
      }
      if (p.up && !p.blocked) any = true;
    }
    if (any) scheduleFlush();
  };

  const noteProblem = (p: OutPeer, problem: string): void => {
    p.problem = problem;
    if (problem !== p.loggedProblem) {
      p.loggedProblem = problem;
      log(`gossip: ${p.name}: ${problem}${p.up ? "" : "; re-dialling"}`);
    }
  };
  const outProtocolError = (p: OutPeer, s: net.Socket, reason: string): void => {
    protocolErrors++;
    noteProblem(p, `refused: ${reason}`);
    s.destroy();
  };

  const dial = (p: OutPeer): void => {
    p.timer = undefined;
    if (closed || p.removed) return;
    let s: net.Socket;
    try {
      s = net.connect({ host: p.peer.host, port: p.peer.port });
    } catch (e) {
      // net.connect throwing (not expected once the options are checked): logged once, retried at the cap.
      noteProblem(p, errorText(e));
      p.timer = setTimeout(dial, redialMax, p);
      return;
    }
    p.socket = s;
    live.add(s);
    s.setNoDelay(true);
    let pending: Uint8Array = EMPTY;
    let timer: NodeJS.Timeout | undefined = setTimeout(() => {
      timer = undefined;
      outProtocolError(p, s, `no handshake within ${handshakeMs} ms`);
    }, handshakeMs);
    s.on("connect", () => {
      s.write(hello);
    });
    s.on("data", (chunk: Buffer) => {
      if (s.destroyed) return;
      if (p.up) {
        outProtocolError(p, s, "sent bytes after its handshake");
        return;
      }
      const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const h = parseHello(buf);
      if (h === undefined) {
        pending = new Uint8Array(buf); // copy: under 520 bytes
        return;
      }
      if (typeof h === "string") {
        outProtocolError(p, s, h);
        return;
      }
      if (h.hello.chainId !== o.chainId) {
        outProtocolError(
          p,
          s,
          `it is on chain ${JSON.stringify(h.hello.chainId)}, not ${JSON.stringify(o.chainId)}`,
        );
        return;
      }
      if (h.hello.id !== p.peer.id) {
        outProtocolError(p, s, `it is node ${JSON.stringify(h.hello.id)}`);
        return;
      }
      if (h.used !== buf.length) {
        outProtocolError(p, s, "sent bytes after its handshake");
        return;
      }
      clearTimeout(timer);
      timer = undefined;
      pending = EMPTY;
      p.up = true;
      p.backoff = redialMin;
      p.problem = "";
      p.loggedProblem = "";
      peersOut++;
      log(
        `gossip: ${p.name}: connected${p.head < p.queue.length ? `, ${p.queue.length - p.head} txs queued` : ""}`,
      );
      writeQueue(p);
    });
    s.on("drain", () => {
      p.blocked = false;
      writeQueue(p);
    });
    s.on("error", (e) => {
      if (!p.up) noteProblem(p, errorText(e));
      else p.problem = errorText(e);
    });
    s.on("close", () => {
      if (timer !== undefined) clearTimeout(timer);
      forget(s);
      if (p.socket !== s) return;
      p.socket = undefined;
      p.blocked = false;
      if (p.up) {
        p.up = false;
        peersOut--;
        if (!closed)
          log(`gossip: ${p.name}: connection lost${p.problem === "" ? "" : ` (${p.problem})`}; re-dialling`);
        p.loggedProblem = "";
      } else if (p.problem === "" && !closed) noteProblem(p, "connection closed during the handshake");
      p.problem = "";
      if (closed || p.removed) return;
      p.timer = setTimeout(dial, p.backoff, p);
      p.backoff = Math.min(redialMax, p.backoff * 2);
    });
  };

  /** Takes p out of the set: no more dials, its queue dropped, its connection (if any) closed. */
  const removePeer = (p: OutPeer): void => {
    p.removed = true;
    out.delete(p.peer.id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.timer = undefined;
    p.queue = [];
    p.head = 0;
    p.bytes = 0;
    const s = p.socket;
    p.socket = undefined;
    if (p.up) peersOut--;
    p.up = false;
    p.blocked = false;
    s?.destroy(); // its 'close' only forgets the socket now (p.socket is no longer it)
    log(`gossip: ${p.name}: removed`);
  };

  const setPeers = (peers: readonly GossipPeer[]): { added: string[]; removed: string[] } => {
    if (closed) return { added: [], removed: [] };
    checkPeers(peers, o.id);
    const next = new Map(peers.map((q) => [q.id, q]));
    const removed: string[] = [];
    for (const p of [...out.values()]) {
      const q = next.get(p.peer.id);
      if (q === undefined || !samePeer(q, p.peer)) {
        removePeer(p);
        removed.push(p.peer.id);
      }
    }
    const added: string[] = [];
    for (const q of peers) {
      if (out.has(q.id)) continue;
      const p = newPeer(q);
      out.set(q.id, p);
      added.push(q.id);
      log(`gossip: ${p.name}: added`);
      dial(p);
    }
    return { added, removed };
  };

  // ---- receiving -----------------------------------------------------------------------------------------
  const inbound = new Set<InConn>();
  const byId = new Map<string, InConn>();

  const inProtocolError = (c: InConn, reason: string): void => {
    protocolErrors++;
    log(`gossip: ${c.name}${c.id === undefined ? "" : ` (${c.id})`}: ${reason}; closed`);
    c.socket.destroy();
  };

  const deliver = (c: InConn, id: string, chunk: Uint8Array): void => {
    let bodies: Uint8Array[];
    try {
      bodies = c.frames.push(chunk);
    } catch (e) {
      inProtocolError(c, errorText(e));
      return;
    }
    for (const body of bodies) {
      const txs = decodeTxFrame(body, o.maxTxBytes);
      if (typeof txs === "string") {
        inProtocolError(c, txs);
        return;
      }
      if (txs.length === 0) continue;
      receivedTxs += txs.length;
      try {
        o.onTxs(txs, id);
      } catch (e) {
        log(`gossip: onTxs threw on ${txs.length} txs from ${id}: ${errorText(e)}`);
      }
      if (closed || c.socket.destroyed) return;
    }
  };

  const accept = (s: net.Socket): void => {
    const name = `inbound ${s.remoteAddress ?? "?"}:${s.remotePort ?? "?"}`;
    if (closed) {
      s.destroy();
      return;
    }
    live.add(s);
    s.on("close", () => {
      forget(s);
    });
    s.on("error", () => undefined); // the 'close' that follows does the cleanup
    if (inbound.size >= maxInbound) {
      log(`gossip: ${name}: over ${maxInbound} inbound connections; closed`);
      s.destroy();
      return;
    }
    const c: InConn = {
      socket: s,
      name,
      id: undefined,
      pending: EMPTY,
      frames: new FrameReader(maxBody, "tx gossip"),
      timer: undefined,
    };
    inbound.add(c);
    s.setNoDelay(true);
    s.write(hello);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      inProtocolError(c, `no handshake within ${handshakeMs} ms`);
    }, handshakeMs);
    s.on("data", (chunk: Buffer) => {
      if (s.destroyed) return;
      if (c.id !== undefined) {
        deliver(c, c.id, chunk);
        return;
      }
      const buf = c.pending.length === 0 ? chunk : Buffer.concat([c.pending, chunk]);
      const h = parseHello(buf);
      if (h === undefined) {
        c.pending = new Uint8Array(buf);
        return;
      }
      if (typeof h === "string") {
        inProtocolError(c, h);
        return;
      }
      const { chainId, id } = h.hello;
      if (chainId !== o.chainId) {
        inProtocolError(
          c,
          `node ${JSON.stringify(id)} is on chain ${JSON.stringify(chainId)}, not ${JSON.stringify(o.chainId)}`,
        );
        return;
      }
      if (id === o.id) {
        inProtocolError(c, "it announces this node's own id");
        return;
      }
      clearTimeout(c.timer);
      c.timer = undefined;
      c.pending = EMPTY;
      c.id = id;
      peersIn++;
      const old = byId.get(id);
      byId.set(id, c);
      if (old !== undefined) {
        log(`gossip: ${name}: node ${id} connected again; its older connection (${old.name}) closed`);
        old.socket.destroy();
      }
      if (h.used < buf.length) deliver(c, id, buf.subarray(h.used));
    });
    s.on("close", () => {
      if (c.timer !== undefined) clearTimeout(c.timer);
      inbound.delete(c);
      if (c.id !== undefined) {
        peersIn--;
        if (byId.get(c.id) === c) byId.delete(c.id);
      }
    });
  };

  const server = net.createServer((s) => {
    try {
      accept(s);
    } catch (e) {
      log(`gossip: accepting a connection failed: ${errorText(e)}`);
      s.destroy();
    }
  });
  server.on("error", (e) => {
    log(`gossip: listener error: ${errorText(e)}`);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      reject(e);
    };
    server.once("error", onError);
    server.listen(o.port, o.host ?? "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : o.port;
  for (const p of out.values()) dial(p);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      closed = true;
      if (flushScheduled !== undefined) {
        if (flushDelay > 0) clearTimeout(flushScheduled as NodeJS.Timeout);
        else clearImmediate(flushScheduled as NodeJS.Immediate);
      }
      flushScheduled = undefined;
      for (const p of out.values()) {
        if (p.timer !== undefined) clearTimeout(p.timer);
        p.timer = undefined;
        p.queue = [];
        p.head = 0;
        p.bytes = 0;
      }
      let waiting = 2;
      const done = (): void => {
        if (--waiting === 0) resolve();
      };
      server.close(() => {
        done();
      });
      if (live.size === 0) done();
      else {
        allClosed = done;
        for (const s of live) s.destroy();
      }
    });
    return closing;
  };

  return {
    port,
    send(txs, except) {
      try {
        send(txs, except);
      } catch (e) {
        log(`gossip: send failed: ${errorText(e)}`);
      }
    },
    setPeers,
    peers: () => [...out.values()].map((p) => ({ ...p.peer })),
    stats: () => ({ sentTxs, receivedTxs, dropped, peersOut, peersIn, protocolErrors }),
    close,
  };
}
