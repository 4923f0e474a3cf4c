// Seeded fuzz over the LCD routes (issue 5 "Bad input"): garbage paths, wrong types, malformed base64, invalid
// bech32, odd heights and bodies. Every answer must be JSON with a status from the allowed set, error bodies
// must be exactly {code, message, details: []}, no internal error may happen, and the server must stay up.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { toBech32 } from "../../src/chain/address.js";
import { MODULE_ROUTES } from "../../src/api/rest/routes.js";
import { startRestServer, MAX_BODY_BYTES, type RestServer } from "../../src/api/rest/server.js";
import { startTestNode, type TestNode } from "../../src/api/rest/testdata/testChain.js";

const ADDR = toBech32(new Uint8Array(20).fill(5));
const STATUSES = new Set([200, 400, 404, 405, 413, 501]);

const BUILTIN = [
  "/cosmos/tx/v1beta1/txs",
  "/cosmos/tx/v1beta1/txs/{hash:hash}",
  "/cosmos/tx/v1beta1/simulate",
  "/cosmos/tx/v1beta1/txs/block/{height:u64}",
  "/cosmos/base/tendermint/v1beta1/blocks/{height:u64}",
  "/cosmos/base/tendermint/v1beta1/blocks/latest",
  "/cosmos/base/tendermint/v1beta1/validatorsets/{height:u64}",
  "/cosmos/base/tendermint/v1beta1/node_info",
  "/cosmos/base/node/v1beta1/status",
];
const PATTERNS = [...BUILTIN, ...MODULE_ROUTES.map((r) => r.pattern)];

/** Printable ASCII http.request accepts in a path (no space), weighted towards URL syntax. */
const urlChar = fc.oneof(
  fc.constantFrom("/", "/", "?", "&", "=", "%", "%2F", "%zz", "%00", "'", "#", ".", "..", "+", "-", "_", "~"),
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => encodeURIComponent(String.fromCharCode(c))),
);
const junk = fc.array(urlChar, { maxLength: 30 }).map((a) => a.join(""));

/** A parameter value: valid, nearly valid, or garbage for its kind. */
function value(kind: string): fc.Arbitrary<string> {
  const good: Record<string, fc.Arbitrary<string>> = {
    acc: fc.constant(ADDR),
    val: fc.constant(toBech32(new Uint8Array(20).fill(5), "secretvaloper")),
    cons: fc.constant(toBech32(new Uint8Array(20).fill(5), "secretvalcons")),
    u64: fc.bigInt({ min: 0n, max: 1n << 66n }).map(String),
    denom: fc.constantFrom("uscrt", "ibc/ABC", "a", "UPPER", "1bad"),
    hash: fc.constantFrom("AB".repeat(32), "ab".repeat(31), "zz".repeat(32)),
    text: fc.string({ maxLength: 20 }).map(encodeURIComponent),
    key32: fc.constantFrom("00".repeat(32), Buffer.alloc(32).toString("base64"), "AAA"),
  };
  const nearly = fc.constantFrom(
    ADDR.slice(0, -1) + "x",
    ADDR.toUpperCase(),
    "secret1",
    "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu",
    "-1",
    "1e3",
    "0x10",
    "",
  );
  return fc.oneof(good[kind.replace("*", "")] ?? junk, nearly, junk);
}

const pathArb = fc.oneof(
  fc.constantFrom(...PATTERNS).chain((p) =>
    fc
      .tuple(
        ...p.split("/").map((seg) => {
          const m = /^\{[a-z_]+:([a-z0-9]+\*?)\}$/.exec(seg);
          return m ? value(m[1]!) : fc.constant(seg);
        }),
      )
      .map((segs) => segs.join("/")),
  ),
  junk.map((j) => "/" + j),
);

const queryArb = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        "denom",
        "query",
        "events",
        "page",
        "limit",
        "pagination.limit",
        "pagination.offset",
        "pagination.key",
        "pagination.count_total",
        "order_by",
        "status",
        "x",
      ),
      fc.oneof(junk, fc.constantFrom("uscrt", "AAAA", "-1", "true", "message.sender='x'", "ORDER_BY_DESC")),
    ),
    { maxLength: 4 },
  )
  .map((kv) =>
    kv.length === 0
      ? fc.sample(fc.constantFrom("", "?"), 1)[0]!
      : "?" + kv.map(([k, v]) => `${k}=${v}`).join("&"),
  );

const bodyArb = fc.oneof(
  fc.constant(""),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        tx_bytes: fc.oneof(
          fc.string(),
          fc.integer(),
          fc.constant(null),
          fc.base64String({ maxLength: 40 }),
          fc.array(fc.integer()),
        ),
        txBytes: fc.oneof(fc.string(), fc.base64String({ maxLength: 40 })),
        mode: fc.oneof(
          fc.constantFrom("BROADCAST_MODE_SYNC", "BROADCAST_MODE_ASYNC", "BROADCAST_MODE_BLOCK", 2, 7, "x"),
          fc.object(),
        ),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

const heightArb = fc.option(
  fc.oneof(fc.constantFrom("0", "1", "-5", "99999999", "abc", "18446744073709551616"), fc.nat().map(String)),
  { nil: undefined },
);

interface Raw {
  status: number;
  contentType: string | undefined;
  body: string;
}

function raw(port: number, method: string, path: string, body: string, height?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
    };
    if (height !== undefined) headers["x-cosmos-block-height"] = height;
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"],
          body: Buffer.concat(chunks).toString(),
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function checkReply(r: Raw, what: string): void {
  assert.ok(STATUSES.has(r.status), `${what}: status ${r.status} ${r.body.slice(0, 200)}`);
  assert.equal(r.contentType, "application/json", what);
  const j = JSON.parse(r.body) as Record<string, unknown>;
  if (r.status !== 200) {
    assert.deepEqual(Object.keys(j).sort(), ["code", "details", "message"], what);
    assert.equal(typeof j.code, "number");
    assert.deepEqual(j.details, []);
    assert.doesNotMatch(String(j.message), /\n\s+at /, `${what}: stack trace leaked`);
  }
}

describe("REST fuzz (seeded)", () => {
  let node: TestNode;
  let rest: RestServer;
  const internal: unknown[] = [];

  before(async () => {
    node = await startTestNode({ funded: { [ADDR]: 1000n } });
    await node.engine.produceBlock();
    rest = await startRestServer(node.backend, "127.0.0.1", 0, { onInternalError: (e) => internal.push(e) });
  });

  after(async () => {
    await rest.close();
    await node.close();
  });

  test("random requests always get JSON with an allowed status", async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "GET", "GET", "POST", "PUT", "DELETE"),
        pathArb,
        queryArb,
        bodyArb,
        heightArb,
        async (method, path, query, body, height) => {
          const p = path.startsWith("/") ? path : "/" + path;
          const r = await raw(rest.port, method, p + query, method === "GET" ? "" : body, height);
          checkReply(r, `${method} ${p}${query}`);
          seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        },
      ),
      { seed: 42, numRuns: 600 },
    );
    assert.deepEqual(internal, [], "no request may end in an internal error");
    // The generator must reach handlers, validators and the router alike, not only 404s.
    for (const st of [200, 400, 404, 405, 501])
      assert.ok((seen.get(st) ?? 0) > 5, `status ${st}: ${seen.get(st)}`);
  });

  test("malformed HTTP on the socket gets a JSON 400 and a closed connection", async () => {
    for (const junkRequest of [
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    ]) {
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = connect(rest.port, "127.0.0.1", () => {
          sock.end(junkRequest);
        });
        let text = "";
        sock.on("data", (d: Buffer) => {
          text += d.toString();
        });
        sock.on("end", () => {
          resolve(text);
        });
        sock.on("error", reject);
      });
      assert.match(reply, /^HTTP\/1\.1 400 /);
      assert.match(reply, /content-type: application\/json/);
      const body = JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
      assert.deepEqual(body, { code: 3, message: "malformed HTTP request", details: [] });
    }
  });

  test("oversize bodies are 413 on every POST route; the server stays up", async () => {
    const big = "x".repeat(MAX_BODY_BYTES + 1);
    for (const p of ["/cosmos/tx/v1beta1/txs", "/cosmos/tx/v1beta1/simulate"]) {
      const r = await raw(rest.port, "POST", p, big);
      checkReply(r, p);
      assert.equal(r.status, 413);
    }
    const ok = await raw(rest.port, "GET", "/cosmos/base/tendermint/v1beta1/syncing", "");
    assert.equal(ok.status, 200);
  });
});
