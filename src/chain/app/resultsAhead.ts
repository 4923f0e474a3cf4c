// Tx results encoded ahead: FinalizeBlock's response is protobuf-encoded once per block after the app returns
// it (the embedded engine's block store, the ABCI server's answer to CometBFT), ~20 µs per SNIP-20 transfer
// on the main thread while the enclave idles. Each delivered tx's result is final when made, so it is encoded
// instead while this thread waits for the next contract ECALL (the door idle hook, after the prepared calls'
// build). The block's encoder then copies those bytes (../../consensus/resultsCodec.ts). Speed only: same bytes.
// Off by default: on this loaded 2-core box the execute ECALL's wall grew about as much as saveBlock shrank
// (docs/BENCHMARKS.md "FinalizeBlock host path (session 13, N2)"); a node with a core free for its main thread
// during the ECALL should gain the ~15 µs per transfer.
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { encodeTxResultAhead } from "../../consensus/resultsCodec.js";
import type { ComputeEngine } from "../modules/compute/engine.js";

export class ResultsAhead {
  /** The block's results not yet encoded, in delivery order from `next`. */
  private queue: ExecTxResult[] = [];
  private next = 0;
  /** Results encoded in an ECALL wait (benches, tests). */
  encoded = 0;
  private on = false;
  private readonly idle = (): void => {
    this.encodePending();
  };

  constructor(private readonly engine: ComputeEngine) {}

  /**
   * On: results are queued and the engine's door idle task encodes them. Off (the default): nothing is queued
   * and no idle task is installed; the block encoder encodes every result itself.
   */
  get enabled(): boolean {
    return this.on;
  }

  set enabled(on: boolean) {
    this.on = on;
    this.engine.encodeWhileWaiting = on ? this.idle : undefined;
    if (!on) this.queue = [];
  }

  beginBlock(): void {
    this.queue = [];
    this.next = 0;
  }

  /** A delivered tx's result, final: encoded in the next contract ECALL's wait. */
  finished(r: ExecTxResult): void {
    if (this.on) this.queue.push(r);
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
