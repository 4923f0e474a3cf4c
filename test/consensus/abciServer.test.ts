// The ABCI socket server: framing and FIFO over a raw socket, then against a real CometBFT v0.38 node, over the
// socket and over gRPC (grpcServer.ts; its own bad-input tests are in abciServerGrpc.test.ts).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinaryWriter } from "cosmjs-types/binary";
import {
  CheckTxType,
  Request,
  Response,
  type RequestCheckTx,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestPrepareProposal,
  type RequestQuery,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import { frame, readUvarint, startAbciServer, writeUvarint } from "../../src/consensus/abciServer.js";
import { findCometbft, startCometNode, type AbciTransport } from "../../src/consensus/cometbft.js";
import { startAbciGrpcServer } from "../../src/consensus/grpcServer.js";
import { ed25519Address, headerHash, txsHash, validatorsHash } from "../../src/consensus/header.js";
import { blockIdOf, precommitSignBytes } from "../../src/consensus/votes.js";
import { blockFromRpc, rfc3339ToTimestamp } from "../../src/api/rest/cometSource.js";
import { createPublicKey, verify } from "node:crypto";
import { KvApp } from "./kvApp.js";
import { processAbciCpuMeter } from "../../src/consensus/abciCpu.js";
import { freePort } from "../util/net.js";

describe("ABCI framing", () => {
  test("uvarint round trip, including multi-byte lengths", () => {
    for (const n of [0, 1, 127, 128, 300, 16384, 2 ** 28 + 5]) {
      const enc = writeUvarint(n);
      assert.deepEqual(readUvarint(enc, 0), [n, enc.length]);
    }
    assert.equal(readUvarint(Uint8Array.from([0x80]), 0), undefined, "incomplete varint waits for more");
    assert.throws(() => readUvarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0), /too long/);
  });

  test("answers pipelined requests FIFO, split across writes, Flush included", async () => {
    const app = new KvApp();
    const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
    const client = await rawClient(srv.port!);
    const enc = (r: Request) => frame(Request.encode(r, BinaryWriter.create()).finish());
    const bytes = Buffer.concat([
      enc(Request.fromPartial({ echo: { message: "hello" } })),
      enc(Request.fromPartial({ info: { version: "x" } })),
      enc(Request.fromPartial({ flush: {} })),
    ]);
    // Split mid-frame to prove reassembly.
    client.write(bytes.subarray(0, 5));
    await new Promise((r) => setTimeout(r, 20));
    client.write(bytes.subarray(5));
    const got = await client.answers(3);
    assert.equal(got[0]!.echo?.message, "hello");
    assert.equal(got[1]!.info?.data, "kv");
    assert.ok(got[2]!.flush);
    client.close();
    await srv.close();
  });

  test("the CPU meter charges each request once, on readings shared along the request", async () => {
    const meter = processAbciCpuMeter();
    meter.enable(); // as the bench's first SIGUSR2 does
    const app = new KvApp();
    const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
    const client = await rawClient(srv.port!);
    const enc = (r: Request) => frame(Request.encode(r, BinaryWriter.create()).finish());
    const n = 6;
    const reqs = [
      ...Array.from({ length: n }, (_, i) =>
        enc(Request.fromPartial({ checkTx: { tx: Uint8Array.from([i + 1, 61, 1]), type: CheckTxType.NEW } })),
      ),
      enc(Request.fromPartial({ flush: {} })),
    ];
    const before = meter.snapshot().slots;
    // Count the meter's readings (each one a getrusage syscall of the process).
    const real = process.cpuUsage.bind(process);
    let readings = 0;
    process.cpuUsage = (prev?: NodeJS.CpuUsage) => {
      readings++;
      return real(prev);
    };
    try {
      client.write(Buffer.concat(reqs)); // one chunk: the frames of one read
      const got = await client.answers(n + 1);
      assert.equal(got.filter((r) => r.checkTx?.code === 0).length, n);
      assert.ok(got[n]!.flush);
    } finally {
      process.cpuUsage = real;
    }
    const after = meter.snapshot().slots;
    const calls = (k: string) => (after[k]?.calls ?? 0) - (before[k]?.calls ?? 0);
    assert.equal(calls("codec.decode"), n + 1);
    assert.equal(calls("checkTx.new"), n);
    assert.equal(calls("encode.checkTx.new"), n);
    assert.equal(calls("flush"), 1);
    assert.equal(calls("encode.flush"), 1);
    assert.equal(calls("write"), 1, "answers of one read leave in one write");
    // One reading to start, then three per request (decode, handling and encode ends), two for the write; six
    // per request (1 + 6 × 7 + 2 = 45) before the readings were shared.
    assert.equal(readings, 1 + 3 * (n + 1) + 2);
    client.close();
    await srv.close();
  });
});

/** A client connection that writes raw frames (or raw bytes) and collects decoded answers. */
async function rawClient(port: number): Promise<{
  send: (reqs: Request[]) => void;
  write: (bytes: Uint8Array) => void;
  answers: (n: number) => Promise<Response[]>;
  close: () => void;
}> {
  const sock = connect(port, "127.0.0.1");
  await new Promise<void>((r) =>
    sock.once("connect", () => {
      r();
    }),
  );
  const got: Response[] = [];
  let wake: (() => void) | undefined;
  let buf = new Uint8Array();
  sock.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const lv = readUvarint(buf, 0);
      if (!lv || lv[0] + lv[1] > buf.length) break;
      got.push(Response.decode(buf.subarray(lv[1], lv[1] + lv[0])));
      buf = buf.subarray(lv[1] + lv[0]);
    }
    wake?.();
  });
  return {
    send: (reqs) =>
      sock.write(Buffer.concat(reqs.map((r) => frame(Request.encode(r, BinaryWriter.create()).finish())))),
    write: (bytes) => sock.write(bytes),
    answers: async (n) => {
      while (got.length < n) await new Promise<void>((r) => (wake = r));
      return got.splice(0, n);
    },
    close: () => sock.destroy(),
  };
}

describe(
  "ABCI serving order (synchronous answers at once, asynchronous ones queued)",
  { timeout: 10_000 },
  () => {
    /** CheckTx answers synchronously, ProcessProposal after a timer: one call at a time, logged. */
    class MixedApp implements AbciApplication {
      private readonly kv = new KvApp();
      active = 0;
      readonly log: string[] = [];
      info(_r: RequestInfo) {
        return this.kv.info();
      }
      initChain() {
        return this.kv.initChain();
      }
      checkTx(req: RequestCheckTx) {
        assert.equal(this.active, 0, "a synchronous call ran while another was in progress");
        this.log.push(`check ${Buffer.from(req.tx).toString()}`);
        if (Buffer.from(req.tx).toString() === "throw") throw new Error("broken invariant");
        return this.kv.checkTx(req);
      }
      prepareProposal(req: RequestPrepareProposal) {
        return this.kv.prepareProposal(req);
      }
      async processProposal() {
        assert.equal(this.active, 0, "an asynchronous call started while another was in progress");
        this.active++;
        this.log.push("process start");
        await new Promise((r) => setTimeout(r, 30));
        this.log.push("process end");
        this.active--;
        return this.kv.processProposal();
      }
      finalizeBlock(req: RequestFinalizeBlock) {
        return this.kv.finalizeBlock(req);
      }
      commit() {
        return this.kv.commit();
      }
      query(req: RequestQuery) {
        return this.kv.query(req);
      }
    }
    const check = (tx: string, type = 0) =>
      Request.fromPartial({ checkTx: { tx: new Uint8Array(Buffer.from(tx)), type } });
    const proposal = Request.fromPartial({ processProposal: { txs: [] } });
    const flush = Request.fromPartial({ flush: {} });

    test("pipelined requests over two connections: one at a time, in arrival order, each answered FIFO", async () => {
      const app = new MixedApp();
      const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
      const consensus = await rawClient(srv.port!);
      const mempool = await rawClient(srv.port!);
      consensus.send([check("a=1"), proposal, check("b=2"), flush]);
      await new Promise((r) => setTimeout(r, 5)); // the proposal is in progress
      mempool.send([check("c=3"), check("bad", 1), flush]);
      const [m, c] = await Promise.all([mempool.answers(3), consensus.answers(4)]);
      assert.deepEqual(app.log, [
        "check a=1",
        "process start",
        "process end",
        "check b=2",
        "check c=3",
        "check bad",
      ]);
      assert.equal(c[0]!.checkTx?.code, 0);
      assert.ok(c[1]!.processProposal);
      assert.equal(c[2]!.checkTx?.code, 0);
      assert.ok(c[3]!.flush);
      assert.equal(m[0]!.checkTx?.code, 0);
      assert.equal(m[1]!.checkTx?.code, 1, "the RECHECK of a bad tx");
      assert.ok(m[2]!.flush);
      // Queue idle again: the next synchronous answer comes at once.
      mempool.send([check("d=4"), flush]);
      const again = await mempool.answers(2);
      assert.equal(again[0]!.checkTx?.code, 0);
      consensus.close();
      mempool.close();
      await srv.close();
    });

    test("a synchronous throw is Response.exception, after the answers before it, reported once", async () => {
      const app = new MixedApp();
      const errors: string[] = [];
      const srv = await startAbciServer(app, "tcp://127.0.0.1:0", { onError: (e) => errors.push(e) });
      const client = await rawClient(srv.port!);
      client.send([check("a=1"), proposal, check("throw"), check("b=2")]);
      const got = await client.answers(4);
      assert.equal(got[0]!.checkTx?.code, 0);
      assert.ok(got[1]!.processProposal);
      assert.equal(got[2]!.exception?.error, "broken invariant");
      assert.equal(got[3]!.checkTx?.code, 0);
      // With nothing queued before it, too.
      client.send([check("throw"), flush]);
      const idle = await client.answers(2);
      assert.equal(idle[0]!.exception?.error, "broken invariant");
      assert.ok(idle[1]!.flush);
      assert.deepEqual(errors, [
        "application error: broken invariant",
        "application error: broken invariant",
      ]);
      client.close();
      await srv.close();
    });
  },
);

const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));

/**
 * Our header/validator/tx/commit hashing must reproduce what CometBFT itself computed for a real block. The block
 * JSON is parsed by the REST layer's own CometBFT-mode decoder, so that decoder is checked here too.
 */
async function checkHashesAgainstComet(rpcGet: (p: string) => Promise<any>, height: number): Promise<number> {
  const blk = (await rpcGet(`/block?height=${height}`)).result;
  const h = blk.block.header;
  const { block, blockId: parsedId } = blockFromRpc(blk);
  const header = block.header;
  assert.equal(toHexU(parsedId.hash), blk.block_id.hash);
  assert.equal(toHexU(headerHash(header)), blk.block_id.hash, "header hash");
  const ours = blockIdOf(block);
  assert.equal(
    toHexU(ours.partSetHeader.hash),
    blk.block_id.parts.hash,
    "part set hash (block proto encoding)",
  );
  const txs = (blk.block.data.txs as string[]).map((t) => new Uint8Array(Buffer.from(t, "base64")));
  assert.equal(toHexU(txsHash(txs)), h.data_hash || toHexU(txsHash([])), "data hash");
  const vals = (await rpcGet(`/validators?height=${height}`)).result.validators as any[];
  const infos = vals.map((v) => ({
    address: hex(v.address),
    pubKey: new Uint8Array(Buffer.from(v.pub_key.value, "base64")),
    power: BigInt(v.voting_power),
  }));
  assert.equal(toHexU(validatorsHash(infos)), h.validators_hash, "validators hash");
  assert.equal(toHexU(ed25519Address(infos[0]!.pubKey)), vals[0].address, "validator address");
  const commit = (await rpcGet(`/commit?height=${height}`)).result.signed_header.commit;
  const sig = commit.signatures[0];
  const blockId = {
    hash: hex(commit.block_id.hash),
    partSetHeader: { total: commit.block_id.parts.total, hash: hex(commit.block_id.parts.hash) },
  };
  // The commit's round is signed: a loaded machine can make round 0 time out (timeout_propose 200 ms), and a
  // round-0 message then fails to verify (the "precommit sign bytes" flake of session 14).
  const msg = precommitSignBytes(
    h.chain_id,
    BigInt(height),
    blockId,
    rfc3339ToTimestamp(sig.timestamp),
    commit.round,
  );
  const pub = createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(infos[0]!.pubKey)]),
    format: "der",
    type: "spki",
  });
  assert.ok(
    verify(null, msg, pub, Buffer.from(sig.signature, "base64")),
    `precommit sign bytes (height ${height}, round ${commit.round})`,
  );
  return commit.round as number;
}

const toHexU = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

const cometbft = findCometbft();
describe(
  "against CometBFT v0.38",
  { skip: cometbft ? false : "cometbft not installed (scripts/setup-cometbft.sh)" },
  () => {
    const servers: Record<AbciTransport, typeof startAbciServer> = {
      socket: startAbciServer,
      grpc: startAbciGrpcServer,
    };
    for (const abci of ["socket", "grpc"] as const)
      test(
        `a single-validator CometBFT node runs blocks through our ${abci} server`,
        { timeout: 90_000 },
        async () => {
          const home = mkdtempSync(join(tmpdir(), "shroud-comet-"));
          const app = new KvApp();
          const srv = await servers[abci](app, "tcp://127.0.0.1:0");
          const node = startCometNode({
            binary: cometbft!,
            home,
            abci,
            proxyApp: `tcp://127.0.0.1:${srv.port}`,
            rpcPort: await freePort(),
            p2pPort: await freePort(),
            consensus: { timeout_propose: '"200ms"', timeout_commit: '"50ms"' },
          });
          try {
            const rpcGet = node.rpcGet as (path: string) => Promise<any>;
            const height = await node.waitForHeight(2, 40_000);
            assert.ok(height >= 2, "blocks are produced");
            const res = await rpcGet(`/broadcast_tx_commit?tx=${encodeURIComponent('"color=blue"')}`);
            assert.equal(res.result.check_tx.code, 0);
            assert.equal(res.result.tx_result.code, 0);
            await new Promise((r) => setTimeout(r, 300));
            const q = await rpcGet(`/abci_query?data=0x${Buffer.from("color").toString("hex")}`);
            assert.equal(Buffer.from(q.result.response.value, "base64").toString(), "blue");
            // The grammar of spec §1.4: Info first, InitChain on a fresh chain, then Finalize/Commit pairs.
            assert.equal(app.calls[0], "info");
            assert.ok(app.calls.includes("initChain"));
            assert.ok(app.calls.includes("prepareProposal") && app.calls.includes("processProposal"));
            assert.equal(app.state.get("color"), "blue");
            await checkHashesAgainstComet(rpcGet, Number(res.result.height));
            // A height committed at round 1: the app rejects one proposal, CometBFT prevotes nil and moves on.
            app.rejectNextProposal = true;
            const tx2 = await rpcGet(`/broadcast_tx_commit?tx=${encodeURIComponent('"shape=round"')}`);
            assert.equal(tx2.result.tx_result.code, 0);
            assert.equal(app.rejectedAt.length, 1, "one proposal rejected");
            const forced = Number(app.rejectedAt[0]);
            await node.waitForHeight(forced, 20_000);
            const round = await checkHashesAgainstComet(rpcGet, forced);
            assert.ok(
              round >= 1,
              `height ${forced} was committed after its rejected round 0 (round ${round})`,
            );
          } finally {
            await node.stop();
            await srv.close();
            rmSync(home, { recursive: true, force: true });
          }
        },
      );
  },
);
