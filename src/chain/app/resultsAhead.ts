// Tx results encoded ahead: FinalizeBlock's response is protobuf-encoded once per block after the app returns
// it (the embedded engine's block store, the ABCI server's answer to CometBFT), ~20 µs per SNIP-20 transfer
// on the main thread while the enclave idles. Each delivered tx's result is final when made, so it is encoded
// instead while this thread waits for the next contract ECALL (the door idle hook, after the prepared calls'
// build). The block's encoder then copies those bytes (../../consensus/resultsCodec.ts). Speed only: same bytes.
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { encodeTxResultAhead } from "../../consensus/resultsCodec.js";
import type { ComputeEngine } from "../modules/compute/engine.js";

export class ResultsAhead {
  /** The block's results not yet encoded, in delivery order from `next`. */
  private queue: ExecTxResult[] = [];
  private next = 0;
  /** Results encoded in an ECALL wait (benches, tests). */
  encoded = 0;
  /** Off: nothing is queued; the block encoder encodes every result itself (in-process A/B benches). */
  enabled = true;

  constructor(engine: ComputeEngine) {
    engine.encodeWhileWaiting = () => {
      this.encodePending();
    };
  }

  beginBlock(): void {
    this.queue = [];
    this.next = 0;
  }

  /** A delivered tx's result, final: encoded in the next contract ECALL's wait. */
  finished(r: ExecTxResult): void {
    if (this.enabled) this.queue.push(r);
  }

  endBlock(): void {
    this.queue = [];
    this.next = 0;
  }

  private encodePending(): void {
    while (this.next < this.queue.length) {
      encodeTxResultAhead(this.queue[this.next++]!);
      this.encoded++;
    }
  }
}
