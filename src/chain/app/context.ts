// Contexts the application builds outside a tx (genesis, begin/end block, queries): an unlimited gas meter
// and no tx facts. Tx contexts are built by runTx.
import { GasMeter } from "../gas.js";
import type { KVStore } from "../store/types.js";
import { EventManager, type Context } from "../tx/context.js";

export function appContext(store: KVStore, chainId: string, height: bigint, timeNs: bigint): Context {
  return {
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    chainId,
    blockHeight: height,
    blockTimeNs: timeNs,
    txHash: new Uint8Array(),
    txIndex: 0,
    isCheckTx: false,
    simulate: false,
  };
}
