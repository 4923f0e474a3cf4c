// The mailbox alone across two real threads: no wake-up is ever lost (sleep flags, adaptive spins, async waits)
// under many thousands of round trips with random work on both sides, and spin budgets are validated.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MessageChannel, Worker } from "node:worker_threads";
import fc from "fast-check";
import {
  createMailboxBuffer,
  DOOR_SPIN_MAX_US,
  Mailbox,
  SIDE_ENCLAVE,
  SIDE_HOST,
  SPIN_POLLS,
  type DoorSpin,
} from "./mailbox.js";

const KIND_ECHO = 1;
const KIND_STOP = 2;

/**
 * The peer: a worker that echoes every frame after busy-working the µs in the frame's first 4 bytes. It is
 * plain JavaScript evaluated in the worker, loading mailbox.ts through tsx as host.ts's bootstrap does.
 */
function peerSource(): string {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const mailbox = new URL("./mailbox.ts", import.meta.url).href;
  return `
    const { workerData } = require("node:worker_threads");
    import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(mailbox)}); })
      .then((m) => {
        const box = new m.Mailbox(workerData.shared, workerData.port, m.SIDE_ENCLAVE, workerData.polls);
        for (;;) {
          const f = box.receive();
          if (f.kind === ${KIND_STOP}) break;
          const us = new DataView(f.body.buffer, f.body.byteOffset).getUint32(0);
          const end = performance.now() + us / 1000;
          while (performance.now() < end);
          box.send(f.kind, f.body);
        }
        workerData.port.close();
      })
      .catch((e) => { process.nextTick(() => { throw e; }); });`;
}

interface Peer {
  readonly box: Mailbox;
  stop(): Promise<void>;
}

function startPeer(spin: DoorSpin, enclavePolls = SPIN_POLLS, hostPolls = SPIN_POLLS): Peer {
  const shared = createMailboxBuffer(1024, spin);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(peerSource(), {
    eval: true,
    workerData: { shared, port: port2, polls: enclavePolls },
    transferList: [port2],
  });
  const box = new Mailbox(shared, port1, SIDE_HOST, hostPolls);
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      resolve();
    }),
  );
  // The first round trip also waits for the worker to boot (tsx, imports): not timed by the tests.
  box.send(KIND_ECHO, frameOf(0, 0));
  box.receive(30_000);
  return {
    box,
    stop: async () => {
      box.send(KIND_STOP, new Uint8Array(0));
      await exited;
      port1.close();
    },
  };
}

/** A frame asking the peer to work `us` µs, tagged with its sequence number. */
function frameOf(us: number, seq: number): Uint8Array {
  const body = new Uint8Array(8);
  const view = new DataView(body.buffer);
  view.setUint32(0, us);
  view.setUint32(4, seq);
  return body;
}

function busyUs(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

/** A seeded stream of delays: mostly 0–40 µs (spins succeed), some 100–400 µs (spins run out, sides sleep). */
function delays(seed: number, n: number): number[] {
  const arb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 400 }) },
  );
  return fc.sample(arb, { seed, numRuns: n });
}

/**
 * A lost wake-up cannot hang these loops (each sleep is re-checked after its 1 s slice), so it shows as a round
 * trip of at least that slice: every one must come back well within it.
 */
const LOST_WAKEUP_MS = 800;

describe("mailbox wake-ups", () => {
  const spins: readonly DoorSpin[] = [
    { hostUs: 0, enclaveUs: 0 },
    { hostUs: 0, enclaveUs: 60 },
    { hostUs: 30, enclaveUs: 0 },
    { hostUs: 200, enclaveUs: 50 },
  ];
  for (const [i, spin] of spins.entries()) {
    test(`5,000 synchronous round trips, random work both sides, spin ${spin.hostUs}/${spin.enclaveUs} µs`, async () => {
      const peer = startPeer(spin);
      const peerWork = delays(42 + i, 5000);
      const hostWork = delays(4242 + i, 5000);
      let worst = 0;
      try {
        for (let seq = 0; seq < peerWork.length; seq++) {
          const t0 = performance.now();
          peer.box.send(KIND_ECHO, frameOf(peerWork[seq]!, seq));
          const f = peer.box.receive(10_000);
          worst = Math.max(worst, performance.now() - t0 - peerWork[seq]! / 1000);
          assert.ok(
            worst < LOST_WAKEUP_MS,
            `round trip ${seq} took ${worst.toFixed(1)} ms: a wake-up was lost`,
          );
          assert.equal(f.kind, KIND_ECHO);
          assert.equal(new DataView(f.body.buffer).getUint32(4), seq, "frames stay in order");
          busyUs(hostWork[seq]!);
        }
      } finally {
        await peer.stop();
      }
    });
  }

  test(
    "2,000 async round trips against a peer that sleeps at once (lanes), and one that spins",
    { timeout: 60_000 },
    async () => {
      for (const [polls, spin] of [
        [0, { hostUs: 0, enclaveUs: 0 }],
        [SPIN_POLLS, { hostUs: 0, enclaveUs: 100 }],
      ] as const) {
        const peer = startPeer(spin, polls);
        const peerWork = delays(7 + polls, 2000);
        let worst = 0;
        try {
          for (let seq = 0; seq < peerWork.length; seq++) {
            const t0 = performance.now();
            peer.box.send(KIND_ECHO, frameOf(peerWork[seq]!, seq));
            const f = await peer.box.receiveAsync();
            worst = Math.max(worst, performance.now() - t0 - peerWork[seq]! / 1000);
            assert.ok(
              worst < LOST_WAKEUP_MS,
              `async round trip ${seq}: ${worst.toFixed(1)} ms, a wake-up was lost`,
            );
            assert.equal(new DataView(f.body.buffer).getUint32(4), seq);
          }
        } finally {
          await peer.stop();
        }
      }
    },
  );

  test("a mailbox whose peer never answers times out with a MailboxError", () => {
    const shared = createMailboxBuffer(64, { hostUs: 20, enclaveUs: 0 });
    const { port1, port2 } = new MessageChannel();
    const box = new Mailbox(shared, port1, SIDE_HOST);
    box.send(KIND_ECHO, frameOf(0, 0));
    assert.throws(() => box.receive(50), /no answer from the other side within 50 ms/);
    port1.close();
    port2.close();
  });
});

describe("tryReceive", () => {
  test("answers undefined until a frame for this side is there, then takes it exactly once", () => {
    const shared = createMailboxBuffer(64, { hostUs: 0, enclaveUs: 0 });
    const { port1, port2 } = new MessageChannel();
    const host = new Mailbox(shared, port1, SIDE_HOST);
    const enclave = new Mailbox(shared, port2, SIDE_ENCLAVE);
    assert.equal(host.tryReceive(), undefined);
    host.send(KIND_ECHO, frameOf(0, 7));
    assert.equal(host.tryReceive(), undefined, "its own frame is not for it");
    const got = enclave.tryReceive();
    assert.equal(got?.kind, KIND_ECHO);
    assert.deepEqual(got.body, frameOf(0, 7));
    assert.equal(enclave.tryReceive(), undefined);
    enclave.send(KIND_STOP, new Uint8Array([1]));
    assert.equal(host.tryReceive()?.kind, KIND_STOP);
    port1.close();
    port2.close();
  });
});

describe("spin budgets", () => {
  test("are integers from 0 to the bound, per side", () => {
    for (const bad of [-1, 0.5, DOOR_SPIN_MAX_US + 1, Number.NaN, Infinity]) {
      assert.throws(() => createMailboxBuffer(64, { hostUs: bad, enclaveUs: 0 }), RangeError, `host ${bad}`);
      assert.throws(
        () => createMailboxBuffer(64, { hostUs: 0, enclaveUs: bad }),
        RangeError,
        `enclave ${bad}`,
      );
    }
    assert.ok(createMailboxBuffer(64, { hostUs: DOOR_SPIN_MAX_US, enclaveUs: 0 }).byteLength > 64);
  });
});
