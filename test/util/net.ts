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
 * pprof) and +5 (the app mempool's tx gossip). The search starts at `from` + a per-process offset, so concurrent
 * runs rarely collide.
 */
export async function freeNodePortBase(nodes: number, from: number): Promise<number> {
  for (let base = from + (process.pid % 100) * 100; base < 60_000; base += 97) {
    let ok = true;
    for (let i = 0; i < nodes && ok; i++)
      for (let k = 0; k < 6 && ok; k++) ok = await portFree(base + 10 * i + k);
    if (ok) return base;
  }
  throw new Error("no free port block");
}
