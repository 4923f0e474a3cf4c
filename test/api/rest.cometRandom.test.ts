// CometBFT mode indexes a block's injected random as a tx (stock CometBFT knows nothing of it): the LCD's
// CometBFT source must hide it as the embedded engine does — getTx of its hash is "not found", and searches on
// tx.height / tx.hash alone count and page user txs only. A canned JSON-RPC server plays CometBFT here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { cometRpcSource } from "../../src/api/rest/cometSource.js";
import { RANDOM_TX_MAGIC, RANDOM_TX_SIZE } from "../../src/chain/random.js";

const randomTx = Buffer.concat([
  Buffer.from(RANDOM_TX_MAGIC),
  Buffer.alloc(RANDOM_TX_SIZE - RANDOM_TX_MAGIC.length, 7),
]);
const userTx = Buffer.from("a user tx (bytes the source does not decode)");
const hashOf = (b: Buffer): string => createHash("sha256").update(b).digest("hex").toUpperCase();
const RESULT = {
  code: 0,
  data: "",
  log: "",
  info: "",
  gas_wanted: "0",
  gas_used: "0",
  events: [],
  codespace: "",
};
const txJson = (b: Buffer, index: number) => ({
  hash: hashOf(b),
  height: "5",
  index,
  tx: b.toString("base64"),
  tx_result: RESULT,
});

/** What the fake CometBFT answers: tx by hash, tx_search (both txs of block 5 for any query), blockchain. */
function answer(method: string, params: Record<string, string>): unknown {
  if (method === "tx") {
    const hash = Buffer.from(params.hash ?? "", "base64")
      .toString("hex")
      .toUpperCase();
    const found = [randomTx, userTx].findIndex((b) => hashOf(b) === hash);
    return found < 0 ? undefined : txJson(found === 0 ? randomTx : userTx, found);
  }
  if (method === "tx_search") {
    const all = [txJson(randomTx, 0), txJson(userTx, 1)];
    const page = Number(params.page),
      per = Number(params.per_page);
    return { txs: all.slice((page - 1) * per, page * per), total_count: String(all.length) };
  }
  if (method === "blockchain") return { block_metas: [{ header: { time: "2026-01-01T00:00:00Z" } }] };
  return undefined;
}

describe("CometBFT source hides block randoms", () => {
  let server: Server;
  let url = "";
  const searches: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const { id, method, params } = JSON.parse(body) as {
          id: number;
          method: string;
          params: Record<string, string>;
        };
        if (method === "tx_search") searches.push(params.query ?? "");
        const result = answer(method, params);
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify(
            result === undefined
              ? {
                  jsonrpc: "2.0",
                  id,
                  error: { code: -32603, message: "Internal error", data: "tx not found" },
                }
              : { jsonrpc: "2.0", id, result },
          ),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.close();
  });

  test("getTx: the random's hash is not found; a user tx is", async () => {
    const src = cometRpcSource(url);
    assert.equal(await src.getTx(Buffer.from(hashOf(randomTx), "hex")), undefined);
    const rec = await src.getTx(Buffer.from(hashOf(userTx), "hex"));
    assert.deepEqual(Buffer.from(rec?.tx ?? []), userTx);
  });

  test("a tx.height search counts and pages user txs only", async () => {
    const src = cometRpcSource(url);
    const r = await src.searchTxs("tx.height=5", { page: 1, perPage: 10, orderBy: "asc" });
    assert.equal(r.total, 1);
    assert.deepEqual(
      r.txs.map((t) => Buffer.from(t.tx)),
      [userTx],
    );
    const past = await src.searchTxs("tx.height=5", { page: 2, perPage: 1, orderBy: "asc" });
    assert.deepEqual(past, { total: 1, txs: [] });
  });

  test("an event search cannot match a random and passes through to CometBFT's paging", async () => {
    const src = cometRpcSource(url);
    searches.length = 0;
    const r = await src.searchTxs("message.sender='secret1x'", { page: 1, perPage: 10, orderBy: "asc" });
    assert.deepEqual(searches, ["message.sender='secret1x'"]);
    assert.equal(r.total, 2); // the canned server answers both for any query: no client-side filtering here
  });
});
