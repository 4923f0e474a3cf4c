// The ABCI gRPC server (src/consensus/grpcServer.ts, its HTTP/2 in h2.ts) with Node's own HTTP/2 client and with
// raw frames: the same answers as the socket server's dispatch, one call at a time across connections, flow
// control both ways, and bad input answered with a gRPC status (never a crash). The run against a real CometBFT over gRPC is in abciServer.test.ts.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { connect as h2connect, type ClientHttp2Session } from "node:http2";
import { connect as tcpConnect, type Socket } from "node:net";
import {
  RequestCheckTx,
  RequestEcho,
  RequestInfo,
  RequestQuery,
  ResponseCheckTx,
  ResponseEcho,
  ResponseInfo,
  ResponseQuery,
  Request,
} from "cosmjs-types/tendermint/abci/types";
import { dispatch } from "../../src/consensus/abciServer.js";
import { GrpcStatus, parseUnaryBody, startAbciGrpcServer } from "../../src/consensus/grpcServer.js";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import { HpackDecoder, encodeHeaders } from "../../src/consensus/hpack.js";
import { KvApp } from "./kvApp.js";

interface CallResult {
  readonly httpStatus: number;
  readonly grpcStatus: number;
  readonly message: string;
  readonly body: Uint8Array;
}

/** An HTTP/2 frame: 9-byte header (u24 length, type, flags, u32 stream) ‖ payload. */
function frame(type: number, flags: number, stream: number, payload: Uint8Array): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
}

/** An HTTP/2 frame as read off the raw socket. */
interface RawFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

/** Collects the server's frames from `sock` into `frames`; `done` resolves once `last(frame)` holds. */
function readFrames(
  sock: Socket,
  last: (f: RawFrame) => boolean,
): { frames: RawFrame[]; done: Promise<void> } {
  const frames: RawFrame[] = [];
  let buf = Buffer.alloc(0);
  const done = new Promise<void>((resolve) => {
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
        const len = buf.readUIntBE(0, 3);
        const f = {
          type: buf[3]!,
          flags: buf[4]!,
          stream: buf.readUInt32BE(5),
          payload: buf.subarray(9, 9 + len),
        };
        frames.push(f);
        buf = buf.subarray(9 + len);
        if (last(f)) resolve();
      }
    });
  });
  return { frames, done };
}

/** A gRPC message: 5-byte prefix (flag, u32 BE length) ‖ bytes. */
function grpcFrame(msg: Uint8Array, flag = 0): Buffer {
  const out = Buffer.alloc(5 + msg.length);
  out[0] = flag;
  out.writeUInt32BE(msg.length, 1);
  out.set(msg, 5);
  return out;
}

/** One unary call; grpc-status from the trailers, or from the headers of a trailers-only answer. */
function call(s: ClientHttp2Session, method: string, payload: Uint8Array, contentType = "application/grpc") {
  return new Promise<CallResult>((resolve, reject) => {
    const st = s.request({
      ":method": "POST",
      ":path": `/tendermint.abci.ABCI/${method}`,
      "content-type": contentType,
      te: "trailers",
    });
    let httpStatus = 0;
    let grpcStatus = -1;
    let message = "";
    const chunks: Buffer[] = [];
    const take = (h: Record<string, unknown>): void => {
      if (h["grpc-status"] !== undefined) grpcStatus = Number(h["grpc-status"]);
      if (typeof h["grpc-message"] === "string") message = decodeURIComponent(h["grpc-message"]);
    };
    st.on("response", (h) => {
      httpStatus = Number(h[":status"]);
      take(h);
    });
    st.on("trailers", take);
    st.on("data", (c: Buffer) => chunks.push(c));
    st.on("end", () => {
      const all = Buffer.concat(chunks);
      const body = all.length >= 5 ? all.subarray(5) : all;
      resolve({ httpStatus, grpcStatus, message, body });
    });
    st.on("error", reject);
    st.end(payload);
  });
}

async function withServer(
  app: AbciApplication,
  fn: (s: ClientHttp2Session, errors: string[], port: number) => Promise<void>,
  maxMessageBytes?: number,
): Promise<void> {
  const errors: string[] = [];
  const srv = await startAbciGrpcServer(app, "127.0.0.1:0", {
    onError: (m) => errors.push(m),
    ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
  });
  const s = h2connect(`http://127.0.0.1:${srv.port}`);
  try {
    await fn(s, errors, srv.port!);
  } finally {
    s.close();
    await srv.close();
  }
}

describe("ABCI over gRPC", () => {
  test("answers as the socket server's dispatch does (Echo, Info, CheckTx ok and rejected)", async () => {
    const app = new KvApp();
    await withServer(app, async (s) => {
      const echo = await call(s, "Echo", grpcFrame(RequestEcho.encode({ message: "hello" }).finish()));
      assert.equal(echo.grpcStatus, 0);
      assert.equal(ResponseEcho.decode(echo.body).message, "hello");
      const infoReq = RequestInfo.fromPartial({ version: "x" });
      const info = await call(s, "Info", grpcFrame(RequestInfo.encode(infoReq).finish()));
      assert.equal(info.grpcStatus, 0);
      const viaDispatch = await dispatch(new KvApp(), Request.fromPartial({ info: infoReq }));
      assert.deepEqual(ResponseInfo.decode(info.body), ResponseInfo.fromPartial(viaDispatch.info!));
      for (const [tx, code] of [
        ["color=blue", 0],
        ["no equals sign", 1],
      ] as const) {
        const req = RequestCheckTx.fromPartial({ tx: Buffer.from(tx) });
        const r = await call(s, "CheckTx", grpcFrame(RequestCheckTx.encode(req).finish()));
        assert.equal(r.grpcStatus, 0);
        assert.equal(ResponseCheckTx.decode(r.body).code, code);
      }
      assert.deepEqual(app.calls, ["info", "checkTx", "checkTx"]);
    });
  });

  test("bad input gets a status and the server keeps serving", async () => {
    const app = new KvApp();
    await withServer(
      app,
      async (s, errors, port) => {
        const echo = grpcFrame(RequestEcho.encode({ message: "x" }).finish());
        const cases: [string, Uint8Array, number, RegExp][] = [
          ["Nope", echo, GrpcStatus.UNIMPLEMENTED, /unknown method/],
          ["Echo", Buffer.from([0, 0, 0]), GrpcStatus.INVALID_ARGUMENT, /short/],
          ["Echo", Buffer.concat([echo, echo]), GrpcStatus.INVALID_ARGUMENT, /exactly one/],
          ["Echo", grpcFrame(Buffer.from("x"), 1), GrpcStatus.UNIMPLEMENTED, /compression/],
          ["Echo", grpcFrame(Buffer.from("x"), 7), GrpcStatus.INVALID_ARGUMENT, /flag/],
          // field 1 with wire type 7: not protobuf
          ["CheckTx", grpcFrame(Buffer.from([0x0f, 0x01])), GrpcStatus.INVALID_ARGUMENT, /malformed/],
          // field 1 (tx) announcing more bytes than there are
          ["CheckTx", grpcFrame(Buffer.from([0x0a, 0x7f, 0x01])), GrpcStatus.INVALID_ARGUMENT, /malformed/],
          ["CheckTx", grpcFrame(new Uint8Array(2000)), GrpcStatus.RESOURCE_EXHAUSTED, /over the limit/],
        ];
        for (const [method, body, status, msg] of cases) {
          const r = await call(s, method, body);
          assert.equal(r.httpStatus, 200, method);
          assert.equal(r.grpcStatus, status, `${method}: ${r.message}`);
          assert.match(r.message, msg);
        }
        const wrongType = await call(s, "Echo", echo, "application/json");
        assert.equal(wrongType.httpStatus, 415);
        // Garbage instead of HTTP/2 on a fresh connection: that connection is dropped, the server lives on.
        await new Promise<void>((resolve) => {
          const raw = tcpConnect(port, "127.0.0.1");
          raw.on("error", () => {
            resolve();
          });
          raw.on("close", () => {
            resolve(); // the server hangs up (GOAWAY)
          });
          raw.resume(); // read, so the server's GOAWAY and hang-up are seen
          raw.write("GET / HTTP/1.1\r\n\r\n");
        });
        const after = await call(s, "Echo", echo);
        assert.equal(after.grpcStatus, 0);
        assert.equal(app.calls.length, 0, "no bad call reached the app");
        assert.ok(errors.every((e) => !e.startsWith("application error")));
        assert.ok(
          errors.some((e) => /connection error/.test(e)),
          "the bad connection is reported",
        );
      },
      1024,
    );
  });

  test("an app exception is INTERNAL and reported; the next call is served", async () => {
    const app = new KvApp();
    app.checkTx = () => {
      throw new Error("broken invariant");
    };
    await withServer(app, async (s, errors) => {
      const r = await call(
        s,
        "CheckTx",
        grpcFrame(RequestCheckTx.encode(RequestCheckTx.fromPartial({ tx: Buffer.from("a=b") })).finish()),
      );
      assert.equal(r.grpcStatus, GrpcStatus.INTERNAL);
      assert.match(r.message, /broken invariant/);
      assert.deepEqual(errors, ["application error: broken invariant"]);
      const e = await call(s, "Echo", grpcFrame(RequestEcho.encode({ message: "y" }).finish()));
      assert.equal(ResponseEcho.decode(e.body).message, "y");
    });
  });

  test("calls on several connections reach the app one at a time, each answered", async () => {
    let inside = 0;
    let maxInside = 0;
    const seen: string[] = [];
    // KvApp with a CheckTx that waits: a second call entering before it returns would show as overlap.
    const app = Object.assign(Object.create(new KvApp()) as AbciApplication, {
      checkTx: async (req: { tx: Uint8Array }) => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 2));
        seen.push(Buffer.from(req.tx).toString());
        inside--;
        return ResponseCheckTx.fromPartial({ code: 0, data: req.tx });
      },
    });
    const srv = await startAbciGrpcServer(app, "tcp://127.0.0.1:0");
    const sessions = [0, 1, 2].map(() => h2connect(`http://127.0.0.1:${srv.port}`));
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          call(
            sessions[i % 3]!,
            "CheckTx",
            grpcFrame(
              RequestCheckTx.encode(RequestCheckTx.fromPartial({ tx: Buffer.from(`k${i}=v`) })).finish(),
            ),
          ),
        ),
      );
      results.forEach((r, i) => {
        assert.equal(r.grpcStatus, 0);
        assert.equal(Buffer.from(ResponseCheckTx.decode(r.body).data).toString(), `k${i}=v`);
      });
      assert.equal(maxInside, 1, "the serial queue spans connections");
      assert.equal(seen.length, 30);
    } finally {
      for (const s of sessions) s.close();
      await srv.close();
    }
  });

  test("a synchronous app is answered at once, never overlapping an asynchronous call still queued", async () => {
    // Since session 16 a call that finds the queue idle runs in the socket's data handler (SerialQueue.runNow):
    // txs "slow…" are answered after a timer, the others synchronously; none may enter while another runs.
    let inside = 0;
    let maxInside = 0;
    const order: string[] = [];
    const app = Object.assign(Object.create(new KvApp()) as AbciApplication, {
      checkTx: (req: { tx: Uint8Array }) => {
        const tx = Buffer.from(req.tx).toString();
        inside++;
        maxInside = Math.max(maxInside, inside);
        order.push(tx);
        const res = ResponseCheckTx.fromPartial({ code: 0, data: req.tx });
        if (!tx.startsWith("slow")) {
          inside--;
          return res;
        }
        return new Promise<ResponseCheckTx>((r) =>
          setTimeout(() => {
            inside--;
            r(res);
          }, 3),
        );
      },
    });
    const srv = await startAbciGrpcServer(app, "tcp://127.0.0.1:0");
    const sessions = [0, 1].map(() => h2connect(`http://127.0.0.1:${srv.port}`));
    try {
      const txs = Array.from({ length: 24 }, (_, i) => (i % 4 === 0 ? `slow${i}=v` : `k${i}=v`));
      const results = await Promise.all(
        txs.map((tx, i) =>
          call(
            sessions[i % 2]!,
            "CheckTx",
            grpcFrame(RequestCheckTx.encode(RequestCheckTx.fromPartial({ tx: Buffer.from(tx) })).finish()),
          ),
        ),
      );
      results.forEach((r, i) => {
        assert.equal(r.grpcStatus, 0);
        assert.equal(Buffer.from(ResponseCheckTx.decode(r.body).data).toString(), txs[i]);
      });
      assert.equal(maxInside, 1, "a synchronous call never runs while an asynchronous one holds the queue");
      assert.equal(order.length, 24);
      // And one at a time, synchronous calls alone are answered in the data handler's turn (no queue).
      const e = await call(sessions[0]!, "Echo", grpcFrame(RequestEcho.encode({ message: "z" }).finish()));
      assert.equal(ResponseEcho.decode(e.body).message, "z");
    } finally {
      for (const s of sessions) s.close();
      await srv.close();
    }
  });

  test("multi-megabyte requests and answers pass both ways under HTTP/2 flow control", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
    const app = Object.assign(Object.create(new KvApp()) as AbciApplication, {
      query: (req: { data: Uint8Array }) => ResponseQuery.fromPartial({ key: req.data, value: big }),
    });
    await withServer(app, async (s) => {
      // The client's default 64 KiB windows: our 3 MiB answer waits for its WINDOW_UPDATEs.
      const q = await call(
        s,
        "Query",
        grpcFrame(RequestQuery.encode(RequestQuery.fromPartial({ data: big })).finish()),
      );
      assert.equal(q.grpcStatus, 0);
      const res = ResponseQuery.decode(q.body);
      assert.equal(res.value.length, big.length);
      assert.equal(res.key.length, big.length);
      const e = await call(s, "Echo", grpcFrame(RequestEcho.encode({ message: "after" }).finish()));
      assert.equal(ResponseEcho.decode(e.body).message, "after");
    });
  });

  test("raw frames: padded HEADERS split by CONTINUATION, padded DATA, PING answered", async () => {
    const srv = await startAbciGrpcServer(new KvApp(), "127.0.0.1:0");
    const sock = tcpConnect(srv.port!, "127.0.0.1");
    const block = encodeHeaders([
      [":method", "POST"],
      [":scheme", "http"],
      [":path", "/tendermint.abci.ABCI/Echo"],
      [":authority", "x"],
      ["content-type", "application/grpc"],
    ]);
    const msg = grpcFrame(RequestEcho.encode({ message: "raw" }).finish());
    const pad = (b: Uint8Array, n: number): Buffer => Buffer.concat([Buffer.from([n]), b, Buffer.alloc(n)]);
    // Until the trailers of stream 1.
    const { frames: got, done } = readFrames(
      sock,
      (f) => f.type === 1 && f.stream === 1 && (f.flags & 1) === 1,
    );
    sock.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"));
    sock.write(frame(4, 0, 0, new Uint8Array()));
    sock.write(frame(6, 0, 0, Buffer.from("12345678")));
    sock.write(frame(1, 0x8, 1, pad(block.subarray(0, 10), 3))); // PADDED, no END_HEADERS
    sock.write(frame(9, 0x4, 1, block.subarray(10))); // CONTINUATION, END_HEADERS
    sock.write(frame(0, 0x8 | 0x1, 1, pad(msg, 5))); // PADDED DATA, END_STREAM
    await done;
    sock.destroy();
    await srv.close();
    assert.ok(
      got.some((f) => f.type === 6 && f.flags === 1 && f.payload.toString() === "12345678"),
      "PING ack",
    );
    assert.ok(
      got.some((f) => f.type === 4 && f.flags === 1),
      "SETTINGS ack",
    );
    const data = got.find((f) => f.type === 0 && f.stream === 1)!;
    assert.equal(ResponseEcho.decode(data.payload.subarray(5)).message, "raw");
    const trailers = new HpackDecoder().decode(
      got.filter((f) => f.type === 1 && f.stream === 1).at(-1)!.payload,
    );
    assert.deepEqual(trailers, [["grpc-status", "0"]]);
  });

  test("raw frames: a repeated indexed header block is routed by the table it refers to now", async () => {
    // grpc-go's pattern: the first request adds its fields to the dynamic table, later ones send the same
    // few indexed bytes; h2.ts reuses their decoding only while the table is unchanged. Here a new :path
    // entry shifts the indices between two identical blocks, so the same bytes call Info, then Echo.
    const srv = await startAbciGrpcServer(new KvApp(), "127.0.0.1:0");
    const sock = tcpConnect(srv.port!, "127.0.0.1");
    // Literal with incremental indexing, new name, plain strings (RFC 7541 §6.2.1).
    const lit = (n: string, v: string): Buffer =>
      Buffer.concat([Buffer.from([0x40, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v)]);
    // content-type (62), :path Info (63) after the first block; :method POST (3), :scheme http (6).
    const first = Buffer.concat([Buffer.from([0x83, 0x86]), lit(":path", "/tendermint.abci.ABCI/Info")]);
    const firstCt = lit("content-type", "application/grpc");
    const indexed = Buffer.from([0x83, 0x86, 0x80 | 63, 0x80 | 62]); // :path = 63, content-type = 62
    const blocks = [
      Buffer.concat([first, firstCt]), // stream 1: Info; table: [ct, Info-path]
      indexed, // stream 3: Info again, all indexed
      indexed, // stream 5: the same bytes, reused decoding
      // stream 7: adds :path Echo (62) → table [Echo-path, ct, Info-path]; this block itself is Echo
      Buffer.concat([
        Buffer.from([0x83, 0x86]),
        lit(":path", "/tendermint.abci.ABCI/Echo"),
        Buffer.from([0x80 | 63]),
      ]),
      // stream 9: the bytes of streams 3 and 5 now name content-type (63) and the Echo :path (62): an Echo call
      indexed,
      // stream 11: :path Echo (62), content-type (63)
      Buffer.from([0x83, 0x86, 0x80 | 62, 0x80 | 63]),
    ];
    const info = grpcFrame(RequestInfo.encode(RequestInfo.fromPartial({ version: "x" })).finish());
    const echo = grpcFrame(RequestEcho.encode({ message: "again" }).finish());
    const bodies = [info, info, info, echo, echo, echo];
    const { frames, done } = readFrames(sock, (f) => f.type === 1 && f.stream === 11 && (f.flags & 1) === 1);
    sock.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"));
    sock.write(frame(4, 0, 0, new Uint8Array()));
    blocks.forEach((b, i) => {
      sock.write(Buffer.concat([frame(1, 0x4, 2 * i + 1, b), frame(0, 0x1, 2 * i + 1, bodies[i]!)]));
    });
    await done;
    sock.destroy();
    await srv.close();
    const d = new HpackDecoder();
    const answer = (stream: number): { status: string; data: Buffer | undefined } => {
      const heads = frames.filter((f) => f.type === 1 && f.stream === stream).map((f) => d.decode(f.payload));
      const status = heads.flat().find(([n]) => n === ":status")?.[1] ?? "";
      return { status, data: frames.find((f) => f.type === 0 && f.stream === stream)?.payload.subarray(5) };
    };
    for (const s of [1, 3, 5]) assert.equal(typeof ResponseInfo.decode(answer(s).data!).data, "string");
    assert.equal(ResponseEcho.decode(answer(7).data!).message, "again");
    for (const s of [9, 11])
      assert.equal(ResponseEcho.decode(answer(s).data!).message, "again", `stream ${s}`);
  });

  test("raw frames: a stream reset before its answer gets none; the next call is answered", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    // KvApp with a CheckTx that waits until released (the rest inherited through the prototype).
    const kv = new KvApp();
    const app = Object.create(kv) as AbciApplication;
    app.checkTx = async (req) => {
      await held;
      return kv.checkTx(req);
    };
    const srv = await startAbciGrpcServer(app, "127.0.0.1:0");
    const sock = tcpConnect(srv.port!, "127.0.0.1");
    const head = (method: string): Uint8Array =>
      encodeHeaders([
        [":method", "POST"],
        [":scheme", "http"],
        [":path", `/tendermint.abci.ABCI/${method}`],
        ["content-type", "application/grpc"],
      ]);
    const { frames, done } = readFrames(sock, (f) => f.type === 1 && f.stream === 3 && (f.flags & 1) === 1);
    const checkTx = grpcFrame(
      RequestCheckTx.encode(RequestCheckTx.fromPartial({ tx: Buffer.from("k=v") })).finish(),
    );
    sock.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"));
    sock.write(frame(4, 0, 0, new Uint8Array()));
    sock.write(Buffer.concat([frame(1, 0x4, 1, head("CheckTx")), frame(0, 0x1, 1, checkTx)]));
    await new Promise((r) => setTimeout(r, 50));
    sock.write(frame(3, 0, 1, Uint8Array.from([0, 0, 0, 8]))); // RST_STREAM CANCEL
    await new Promise((r) => setTimeout(r, 50));
    release(); // the app answers stream 1 now: dropped
    sock.write(
      Buffer.concat([
        frame(1, 0x4, 3, head("Echo")),
        frame(0, 0x1, 3, grpcFrame(RequestEcho.encode({ message: "e" }).finish())),
      ]),
    );
    await done;
    sock.destroy();
    await srv.close();
    assert.equal(frames.filter((f) => f.stream === 1).length, 0, "nothing on the reset stream");
    assert.ok(
      frames.some((f) => f.type === 0 && f.stream === 3),
      "stream 3 answered",
    );
  });

  test("parseUnaryBody takes exactly one uncompressed message", () => {
    assert.deepEqual(parseUnaryBody(grpcFrame(Uint8Array.from([1, 2]))), Uint8Array.from([1, 2]));
    assert.deepEqual(parseUnaryBody(grpcFrame(new Uint8Array())), new Uint8Array());
    assert.equal((parseUnaryBody(Uint8Array.from([0, 0, 0, 0, 3, 1])) as { status: number }).status, 3);
  });
});
