// Per-call CPU of our ABCI gRPC server alone (issue 6): noopApp.ts in gRPC mode as a child process, driven over
// raw HTTP/2 the way CometBFT's grpc-go client drives it (one unary CheckTx at a time; with each request a
// connection WINDOW_UPDATE and a BDP PING, the request's HEADERS all HPACK-indexed after the first), and its CPU
// (/proc/<pid>/stat) per call. Trees alternate in one process for a same-sitting A/B.
// Run: node --import tsx bench/localnet/grpcCalls.ts [--roots DIR,DIR (this repo)] [--calls 20000] [--rounds 3]
//      [--tx-bytes 432]
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { pidsCpuMs } from "./procCpu.js";
import { freeNodePortBase, portFree } from "../../test/util/net.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : (process.argv[i + 1] ?? dflt);
};
const HERE = new URL("../..", import.meta.url).pathname;
const ROOTS = arg("--roots", HERE).split(",");
const CALLS = Number(arg("--calls", "20000"));
const ROUNDS = Number(arg("--rounds", "3"));
const TX_BYTES = Number(arg("--tx-bytes", "432"));
// --app-flags "…": node options for the app (e.g. "--cpu-prof --cpu-prof-dir=DIR"; it then stops with SIGTERM,
// which noopApp.ts turns into a normal exit that writes the profile).
const APP_FLAGS = arg("--app-flags", "")
  .split(" ")
  .filter((x) => x !== "");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function frame(type: number, flags: number, stream: number, payload: Uint8Array): Buffer {
  const h = Buffer.alloc(9 + payload.length);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  h.set(payload, 9);
  return h;
}

/** HPACK literal with incremental indexing, new name, no Huffman (RFC 7541 §6.2.1): grpc-go's first request. */
function literalIndexed(name: string, value: string): Buffer {
  const n = Buffer.from(name, "latin1");
  const v = Buffer.from(value, "latin1");
  if (n.length > 126 || v.length > 126) throw new Error("header too long for this encoder");
  return Buffer.concat([Buffer.from([0x40, n.length]), n, Buffer.from([v.length]), v]);
}

/** The request headers grpc-go sends (fields after :method/:scheme go to the dynamic table, newest first). */
const HEADERS: [string, string][] = [
  [":path", "/tendermint.abci.ABCI/CheckTx"],
  [":authority", "127.0.0.1"],
  ["content-type", "application/grpc"],
  ["user-agent", "grpc-go/1.72.0"],
  ["te", "trailers"],
];
const FIRST_BLOCK = Buffer.concat([
  Buffer.from([0x83, 0x86]),
  ...HEADERS.map(([n, v]) => literalIndexed(n, v)),
]);
// Later requests: :method POST (3), :scheme http (6), then the five dynamic entries (62 = the newest: te).
const NEXT_BLOCK = Buffer.from([0x83, 0x86, 0x80 | 66, 0x80 | 65, 0x80 | 64, 0x80 | 63, 0x80 | 62]);

/** A RequestCheckTx {tx, type RECHECK} in its gRPC prefix. */
function body(): Buffer {
  const tx = Buffer.alloc(TX_BYTES, 7);
  const msg = Buffer.concat([Buffer.from([0x0a, 0xb0, 0x03]), tx, Buffer.from([0x10, 1])]);
  if (TX_BYTES !== 432) throw new Error("body(): the varint length is written for 432-byte txs");
  const p = Buffer.alloc(5);
  p.writeUInt32BE(msg.length, 1);
  return Buffer.concat([p, msg]);
}

/** Drives one connection: resolves after `calls` answers (a trailers HEADERS with END_STREAM each). */
async function drive(sock: Socket, calls: number, ids: { next: number }): Promise<void> {
  const data = body();
  const ping = Buffer.alloc(8);
  const wu = Buffer.alloc(4);
  wu.writeUInt32BE(data.length + 9, 0);
  let done = 0;
  let buf: Buffer = Buffer.alloc(0);
  const send = (): void => {
    const stream = ids.next;
    const block = stream === 1 ? FIRST_BLOCK : NEXT_BLOCK;
    sock.write(
      Buffer.concat([
        frame(8, 0, 0, wu),
        frame(6, 0, 0, ping),
        frame(1, 0x4, stream, block),
        frame(0, 0x1, stream, data),
      ]),
    );
    ids.next += 2;
  };
  await new Promise<void>((resolve) => {
    sock.on("data", (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let off = 0;
      let ended = 0;
      while (buf.length - off >= 9) {
        const len = buf.readUIntBE(off, 3);
        if (buf.length - off < 9 + len) break;
        if (buf[off + 3] === 1 && (buf[off + 4]! & 1) === 1) ended++;
        off += 9 + len;
      }
      buf = buf.subarray(off);
      for (let i = 0; i < ended; i++) {
        if (++done === calls) {
          sock.removeAllListeners("data");
          resolve();
          return;
        }
        send();
      }
    });
    send();
  });
}

async function startApp(root: string, port: number): Promise<ChildProcess> {
  const c = spawn(
    process.execPath,
    [...APP_FLAGS, "--import", "tsx", join(root, "bench/localnet/noopApp.ts"), String(port), "grpc"],
    {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  for (let i = 0; i < 300 && (await portFree(port)); i++) await sleep(100);
  return c;
}

async function measure(root: string): Promise<number> {
  const port = await freeNodePortBase(1, 45_000);
  const app = await startApp(root, port);
  try {
    const sock = connect(port, "127.0.0.1");
    sock.setNoDelay(true);
    await new Promise<void>((r) => sock.once("connect", r));
    sock.write(
      Buffer.concat([
        Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"),
        frame(4, 0, 0, new Uint8Array(0)),
      ]),
    );
    sock.write(frame(4, 1, 0, new Uint8Array(0))); // ACK of the server's SETTINGS (sent unasked)
    const ids = { next: 1 };
    await drive(sock, 2000, ids); // warm-up: JIT
    await sleep(200);
    const a = pidsCpuMs([app.pid!])[0]!;
    await drive(sock, CALLS, ids);
    const b = pidsCpuMs([app.pid!])[0]!;
    sock.destroy();
    return ((b - a) * 1000) / CALLS;
  } finally {
    app.kill(APP_FLAGS.length > 0 ? "SIGTERM" : "SIGKILL");
    await sleep(APP_FLAGS.length > 0 ? 2000 : 0);
  }
}

const results = new Map<string, number[]>(ROOTS.map((r) => [r, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const root of ROOTS) {
    const us = await measure(root);
    results.get(root)!.push(us);
    console.log(`round ${round + 1} ${root}: ${us.toFixed(1)} µs server CPU per call`);
  }
for (const [root, v] of results)
  console.log(`${root}: ${v.map((x) => x.toFixed(1)).join(", ")} µs per call (${CALLS} calls per run)`);
