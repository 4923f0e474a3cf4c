// Websocket JSON-RPC for the embedded engine: every RPC method, plus `subscribe` / `unsubscribe` /
// `unsubscribe_all` with CometBFT event queries ("tm.event='Tx' AND message.sender='secret1…'").
// Events are delivered in CometBFT v0.38's shape: {query, data: {type, value}, events: {"type.key": [values]}}.
import { isRandomTx } from "../../chain/random.js";
import type { WebSocket } from "ws";
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { parseEventQuery } from "../../consensus/blockStore.js";
import { b64, blockIdJson, blockJson, eventJson, hexU, txResultJson, type Json } from "./json.js";
import type { RpcContext } from "./handlers.js";
import { callMethod } from "./server.js";

/** CometBFT's default max_subscriptions_per_client. */
const MAX_SUBSCRIPTIONS_PER_CLIENT = 5;

type EventMap = Record<string, string[]>;

function addEvents(map: EventMap, events: readonly Event[]): void {
  for (const e of events) {
    for (const a of e.attributes) (map[`${e.type}.${a.key}`] ??= []).push(a.value);
  }
}

/** True when every condition of `query` holds for some value in `events`. */
export function matchesQuery(query: string, events: EventMap): boolean {
  return parseEventQuery(query).every((c) =>
    (events[c.key] ?? []).some((v) => {
      switch (c.op) {
        case "=":
          return v === c.value;
        case "CONTAINS":
          return v.includes(c.value);
        default: {
          if (!/^-?\d+$/.test(v) || !/^-?\d+$/.test(c.value)) return false;
          const [a, b] = [BigInt(v), BigInt(c.value)];
          return c.op === "<" ? a < b : c.op === "<=" ? a <= b : c.op === ">" ? a > b : a >= b;
        }
      }
    }),
  );
}

interface Sub {
  ws: WebSocket;
  id: Json;
  query: string;
}

export function subscriptionHub(ctx: RpcContext): { attach(ws: WebSocket): void; close(): void } {
  const subs = new Set<Sub>();
  const deliver = (events: EventMap, data: Json): void => {
    for (const s of subs) {
      if (s.ws.readyState !== s.ws.OPEN || !matchesQuery(s.query, events)) continue;
      s.ws.send(JSON.stringify({ jsonrpc: "2.0", id: s.id, result: { query: s.query, data, events } }));
    }
  };
  const onBlock = (height: bigint): void => {
    if (subs.size === 0) return;
    const b = ctx.engine.store.getBlock(height);
    if (!b) return;
    const events: EventMap = { "tm.event": ["NewBlock"] };
    addEvents(events, b.results.events);
    const r = b.results;
    deliver(events, {
      type: "tendermint/event/NewBlock",
      value: {
        block: blockJson(b.block),
        block_id: blockIdJson(b.blockId),
        result_finalize_block: {
          events: r.events.map(eventJson),
          tx_results: r.txResults.map(txResultJson),
          validator_updates: [],
          app_hash: b64(r.appHash),
        },
      },
    });
  };
  const onTx = (ev: { hash: Uint8Array; height: bigint; index: number; result: ExecTxResult }): void => {
    if (subs.size === 0) return;
    const tx = ctx.engine.store.getBlock(ev.height)?.block.data.txs[ev.index];
    // A block's injected random is not a user tx (userTxs.ts): no Tx event for it, as on Secret.
    if (!tx || isRandomTx(tx)) return;
    const events: EventMap = {
      "tm.event": ["Tx"],
      "tx.hash": [hexU(ev.hash)],
      "tx.height": [ev.height.toString()],
    };
    addEvents(events, ev.result.events);
    deliver(events, {
      type: "tendermint/event/Tx",
      value: {
        TxResult: {
          height: ev.height.toString(),
          index: ev.index,
          tx: b64(tx),
          result: txResultJson(ev.result),
        },
      },
    });
  };
  ctx.engine.on("block", onBlock);
  ctx.engine.on("tx", onTx);

  const handle = async (ws: WebSocket, raw: string): Promise<Json> => {
    let req: { id?: Json; method?: unknown; params?: Record<string, unknown> };
    try {
      req = JSON.parse(raw) as typeof req;
    } catch {
      return {
        jsonrpc: "2.0",
        id: -1,
        error: { code: -32700, message: "Parse error", data: "invalid JSON" },
      };
    }
    const id = req.id ?? -1;
    const params = req.params ?? {};
    const err = (data: string): Json => ({
      jsonrpc: "2.0",
      id,
      error: { code: -32603, message: "Internal error", data },
    });
    if (req.method === "subscribe") {
      const query = typeof params.query === "string" ? params.query : "";
      try {
        parseEventQuery(query);
      } catch (e) {
        return err(`failed to parse query: ${e instanceof Error ? e.message : String(e)}`);
      }
      const mine = [...subs].filter((s) => s.ws === ws);
      if (mine.length >= MAX_SUBSCRIPTIONS_PER_CLIENT) return err("max_subscriptions_per_client reached");
      if (mine.some((s) => s.query === query)) return err("already subscribed");
      subs.add({ ws, id, query });
      return { jsonrpc: "2.0", id, result: {} };
    }
    if (req.method === "unsubscribe" || req.method === "unsubscribe_all") {
      const query = typeof params.query === "string" ? params.query : undefined;
      let n = 0;
      for (const s of subs) {
        if (s.ws === ws && (req.method === "unsubscribe_all" || s.query === query)) {
          subs.delete(s);
          n++;
        }
      }
      return n > 0 ? { jsonrpc: "2.0", id, result: {} } : err("subscription not found");
    }
    if (typeof req.method !== "string") return err("missing method");
    return callMethod(ctx, id, req.method, { params, viaGet: false });
  };

  return {
    attach(ws: WebSocket): void {
      ws.on("message", (data: Buffer) => {
        handle(ws, data.toString("utf8"))
          .then((out) => {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(out));
          })
          .catch(() => undefined);
      });
      ws.on("close", () => {
        for (const s of subs) if (s.ws === ws) subs.delete(s);
      });
    },
    close(): void {
      ctx.engine.off("block", onBlock);
      ctx.engine.off("tx", onTx);
      subs.clear();
    },
  };
}
