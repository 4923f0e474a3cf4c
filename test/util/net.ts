// Small network helpers shared by tests that start servers and real CometBFT nodes.
import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; the caller binds it next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => {
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
  });
}

/** True when `port` on 127.0.0.1 can be bound right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => {
      resolve(false);
    });
    s.listen(port, "127.0.0.1", () => {
      s.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * A base port whose node blocks are free: node i uses base + 10·i + 0…3 (the localnet layout), +4 (the benches'
 * pprof), +5 (the app mempool's tx gossip) and +6 (app mode: CometBFT's RPC behind the node's RPC front). The
 * search starts at `from` + a per-process offset, so concurrent runs rarely collide, and wraps around below `to`. Keep [from, to) below Linux's ephemeral range (32768–60999
 * by default): a port there that is free when checked can be taken as the source port of any outgoing
 * connection before the node binds it (a localnet node failed to start with EADDRINUSE that way, session 17).
 */
export async function freeNodePortBase(nodes: number, from: number, to = 60_000): Promise<number> {
  const span = to - from - 10 * nodes;
  if (span <= 0) throw new Error(`no room for ${nodes} nodes in ports ${from}..${to}`);
  const start = ((process.pid % 100) * 100) % span;
  for (let step = 0; step * 97 < span; step++) {
    const base = from + ((start + step * 97) % span);
    let ok = true;
    for (let i = 0; i < nodes && ok; i++)
      for (let k = 0; k < 7 && ok; k++) ok = await portFree(base + 10 * i + k);
    if (ok) return base;
  }
  throw new Error("no free port block");
}
