// The ABCI server's serial queue: strict order and isolation of tasks, and a turn of the event loop once a slice
// of work is used, so a long RECHECK burst reads its socket as it goes (CometBFT's writer never stalls).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { BinaryWriter } from "cosmjs-types/binary";
import { Request, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { frame, QUEUE_SLICE_MS, readUvarint, SerialQueue, startAbciServer } from "./abciServer.js";
import type { AbciApplication } from "./abciTypes.js";

/** Burns `ms` of CPU synchronously, as a CheckTx in the enclave does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe("SerialQueue", () => {
  test("runs tasks one at a time in order; a failing task does not stop the queue", async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (i: number) => async (): Promise<number> => {
      assert.equal(running++, 0, "tasks overlap");
      log.push(`start ${i}`);
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, 1));
      busy(0.4);
      log.push(`end ${i}`);
      running--;
      if (i === 4) throw new Error("boom");
      return i * 10;
    };
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => q.run(task(i))));
    assert.deepEqual(log, Array.from({ length: 9 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
    results.forEach((r, i) => {
      if (i === 4) assert.equal(r.status, "rejected");
      else assert.deepEqual(r, { status: "fulfilled", value: i * 10 });
    });
  });

  test("a burst longer than a slice lets the event loop turn; a short one does not", async () => {
    const q = new SerialQueue();
    let turned = -1;
    let done = 0;
    setImmediate(() => (turned = done));
    const long = Array.from({ length: 20 }, () =>
      q.run(() => {
        busy(QUEUE_SLICE_MS / 2);
        done++;
        return Promise.resolve();
      }),
    );
    await Promise.all(long);
    assert.ok(turned > 0 && turned < 20, `the loop turned after ${turned} of 20 tasks`);

    await new Promise((r) => setImmediate(r)); // an idle queue: the next burst starts a fresh slice
    turned = -1;
    done = 0;
    setImmediate(() => (turned = done));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        q.run(() => {
          done++;
          return Promise.resolve();
        }),
      ),
    );
    assert.equal(turned, -1, "tiny tasks ran without waiting for a turn");
    assert.equal(done, 20);
  });
});

test("a RECHECK burst is read off the socket while it is being answered", async () => {
  const N = 300;
  const TX = new Uint8Array(2048).fill(7);
  let server: Socket | undefined;
  const readAt: number[] = []; // bytes the server had read when each CheckTx ran
  const app = {
    checkTx: () => {
      readAt.push(server?.bytesRead ?? 0);
      busy(0.1);
      return ResponseCheckTx.fromPartial({ code: 0 });
    },
  } as unknown as AbciApplication;
  const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
  srv.server.once("connection", (s: Socket) => {
    server = s;
  });
  const sock = connect(srv.port!, "127.0.0.1");
  const req = frame(
    Request.encode(Request.fromPartial({ checkTx: { tx: TX, type: 1 } }), BinaryWriter.create()).finish(),
  );
  const total = req.length * N;
  let answers = 0;
  const all = new Promise<void>((resolve) => {
    let buf = new Uint8Array();
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let lv = readUvarint(buf, 0); lv && lv[0] + lv[1] <= buf.length; lv = readUvarint(buf, 0)) {
        buf = buf.subarray(lv[0] + lv[1]);
        answers++;
      }
      if (answers === N) resolve();
    });
  });
  await new Promise<void>((r) => {
    sock.once("connect", r);
  });
  sock.write(Buffer.concat(Array.from({ length: N }, () => req)));
  await all;
  // Without turns the server reads one 64 KiB chunk per ~30 requests answered: at the midpoint ~half is read.
  const mid = readAt[N / 2]!;
  assert.ok(mid >= 0.9 * total, `read ${mid} of ${total} bytes when half the burst was answered`);
  sock.destroy();
  await srv.close();
});
