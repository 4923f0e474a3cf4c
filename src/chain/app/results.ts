// Conversions from runTx results to ABCI responses (cosmjs-types shapes), and coded results the app makes
// itself (the injected block-random tx, refused txs).
import type { Event as AbciEvent, ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { RegisteredError } from "../errors.js";
import type { Event } from "../tx/context.js";
import type { TxResult } from "../tx/runTx.js";

export function toAbciEvents(events: readonly Event[], extra?: { key: string; value: string }): AbciEvent[] {
  return events.map((e) => ({
    type: e.type,
    attributes: [
      ...e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
      ...(extra === undefined ? [] : [{ ...extra, index: true }]),
    ],
  }));
}

export function toExecTxResult(r: TxResult): ExecTxResult {
  return {
    code: r.code,
    data: r.data,
    log: r.log,
    info: "",
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    // The tx's own event objects, not copies: they already have the ABCI shape and nothing mutates them after
    // runTx (a send's ~30 attribute objects per tx would otherwise be allocated twice and kept to block end).
    events: r.events,
    codespace: r.codespace,
  };
}

/** A result with no gas and no events: the random tx (success) or a refused tx (its registered error). */
export function plainResult(err?: RegisteredError, detail?: string): ExecTxResult {
  return {
    code: err?.code ?? 0,
    data: new Uint8Array(),
    log: err === undefined ? "" : detail === undefined ? err.message : `${detail}: ${err.message}`,
    info: "",
    gasWanted: 0n,
    gasUsed: 0n,
    events: [],
    codespace: err?.codespace ?? "",
  };
}

/** google.protobuf.Timestamp → ns since the epoch (block time; the app never reads a clock). */
export function timestampNs(t: Timestamp | undefined): bigint {
  return t === undefined ? 0n : t.seconds * 1_000_000_000n + BigInt(t.nanos);
}
