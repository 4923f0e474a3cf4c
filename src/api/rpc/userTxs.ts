// The txs clients see: a block's injected random (chain/random.ts) is a tx of the block (its data hash needs it)
// but not a user tx — on Secret it is a header field, so `tx`, `tx_search` (RPC) and the REST tx routes hide it.
import { isRandomTx } from "../../chain/random.js";
import {
  parseEventQuery,
  type BlockStore,
  type StoredTx,
  type TxSearchOptions,
} from "../../consensus/blockStore.js";

/** Upper bound of txs scanned when a search must skip block-random txs itself (a dev node's history). */
export const MAX_FILTERED_SEARCH = 10_000;

export function isUserTx(t: StoredTx): boolean {
  return !isRandomTx(t.tx);
}

/** Block randoms carry no events: only a search on tx.height / tx.hash alone can match one. */
export function mayMatchRandom(query: string): boolean {
  return parseEventQuery(query).every((c) => c.key === "tx.height" || c.key === "tx.hash");
}

/** A stored user tx by hash (undefined for an unknown hash or a block random). */
export function getUserTx(store: BlockStore, hash: Uint8Array): StoredTx | undefined {
  const t = store.getTx(hash);
  return t === undefined || !isUserTx(t) ? undefined : t;
}

/**
 * `store.searchTxs` without block randoms; the total counts user txs only. Throws what parseEventQuery throws
 * for a malformed query (callers map it to their protocol's error).
 */
export function searchUserTxs(
  store: BlockStore,
  query: string,
  page: TxSearchOptions,
): { total: number; txs: StoredTx[] } {
  if (!mayMatchRandom(query)) return store.searchTxs(query, page);
  const all = store
    .searchTxs(query, { page: 1, perPage: MAX_FILTERED_SEARCH, orderBy: page.orderBy })
    .txs.filter(isUserTx);
  const from = (page.page - 1) * page.perPage;
  return { total: all.length, txs: all.slice(from, from + page.perPage) };
}
