// Consensus params kept in app state (as the SDK's x/consensus does) and the block gas limit they carry:
// the block gas meter of FinalizeBlock and the gas sums of Prepare/ProcessProposal (cosmos-sdk v0.50 baseapp).
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { MemoryOverlay } from "../store/memory.js";
import type { KVReader, KVStore } from "../store/types.js";
import { SdkErrors } from "../errors.js";
import { utf8 } from "../../util/bytes.js";
import { runTx, type BlockInfo, type TxEnv, type TxResult } from "../tx/runTx.js";
import { decodeTxCached } from "../tx/txCache.js";
import { MAX_GAS_WANTED } from "../gas.js";

/** Under the app's own prefix (`app/`), which no module uses. */
export const CONSENSUS_PARAMS_KEY = utf8.encode("app/consensus_params");

/** Stores InitChain's consensus params (protobuf), the source of max_gas and app_version. */
export function storeConsensusParams(store: KVStore, params: ConsensusParams): void {
  store.set(CONSENSUS_PARAMS_KEY, ConsensusParams.encode(params).finish());
}

export function readConsensusParams(reader: KVReader): ConsensusParams | undefined {
  const b = reader.get(CONSENSUS_PARAMS_KEY);
  return b === undefined ? undefined : ConsensusParams.decode(b);
}

/**
 * The block gas limit, or undefined for unlimited: max_gas -1 or 0 is unlimited, below -1 is invalid
 * (SDK v0.50 baseapp GetMaximumBlockGas).
 */
export function maxBlockGas(params: ConsensusParams | undefined): bigint | undefined {
  const g = params?.block?.maxGas;
  if (g === undefined || g === 0n || g === -1n) return undefined;
  if (g < -1n) throw new Error(`invalid maximum block gas: ${g}`);
  return g;
}

/** Info's app_version: consensus params' version.app, 0 when none is stored (SDK v0.50 BaseApp.AppVersion). */
export function appVersionOf(params: ConsensusParams | undefined): bigint {
  return params?.version?.app ?? 0n;
}

/** Validates InitChain's max_gas (a genesis below -1 cannot start, as in the SDK). */
export function validateConsensusParams(params: ConsensusParams): void {
  maxBlockGas(params);
}

/** FinalizeBlock's block gas meter: sum of each tx's gas consumed up to its limit. */
export class BlockGasMeter {
  private used = 0n;
  constructor(readonly limit: bigint | undefined) {}

  get consumed(): bigint {
    return this.used;
  }

  /** SDK IsOutOfGas: consumed ≥ limit. */
  isOutOfGas(): boolean {
    return this.limit !== undefined && this.used >= this.limit;
  }

  /** Adds `gas`; true when the meter went past its limit (SDK: ConsumeGas panics with ErrorOutOfGas). */
  consume(gas: bigint): boolean {
    this.used += gas;
    return this.limit !== undefined && this.used > this.limit;
  }
}

/**
 * SDK v0.50 SetUpContextDecorator (the first ante step, so before signatures): a tx whose gas limit exceeds
 * max_gas fails with sdk 41 "tx gas limit W exceeds block max gas M", gas used 0, nothing kept. Undefined when
 * the tx fits, or does not decode / is over runTx's own limit (runTx reports those itself).
 */
export function overBlockGas(env: TxEnv, raw: Uint8Array, maxGas: bigint | undefined): TxResult | undefined {
  if (maxGas === undefined) return undefined;
  let tx;
  try {
    tx = decodeTxCached(raw, env.registry);
  } catch {
    return undefined;
  }
  const wanted = tx.fee.gasLimit;
  if (wanted <= maxGas || wanted > MAX_GAS_WANTED) return undefined;
  const e = SdkErrors.InvalidGasLimit;
  return {
    code: e.code,
    codespace: e.codespace,
    log: `tx gas limit ${wanted} exceeds block max gas ${maxGas}: ${e.message}`,
    gasWanted: wanted,
    gasUsed: 0n,
    events: [],
    data: new Uint8Array(),
    tx,
  };
}

function outOfBlockGas(detail: string, gasWanted: bigint, gasUsed: bigint, r?: TxResult): TxResult {
  const e = SdkErrors.OutOfGas;
  return {
    code: e.code,
    codespace: e.codespace,
    log: `${detail}: ${e.message}`,
    gasWanted,
    gasUsed,
    events: r?.events ?? [],
    data: new Uint8Array(),
    tx: r?.tx,
  };
}

/**
 * runTx in deliver mode under the block gas meter, SDK v0.50 runTx semantics:
 * - when the meter is already out of gas, the tx is not run: sdk 11 "no block gas left to run tx", gas 0;
 * - afterwards the tx's gas consumed to its limit goes to the meter, even when the tx failed; if that passes
 *   the limit the tx fails with sdk 11 "out of gas in location: block gas meter; …" and only its ante effects
 *   (fee, sequence) stay, as baseapp writes the ante cache before the message cache it then drops.
 */
export function deliverUnderBlockGas(
  env: TxEnv,
  state: KVStore,
  raw: Uint8Array,
  block: BlockInfo,
  meter: BlockGasMeter,
  run: (f: () => TxResult) => TxResult,
): TxResult {
  if (meter.limit === undefined) return run(() => runTx(env, state, raw, "deliver", block));
  if (meter.isOutOfGas()) return outOfBlockGas("no block gas left to run tx", 0n, 0n);
  const over = overBlockGas(env, raw, meter.limit);
  if (over !== undefined) return over;
  const child = new MemoryOverlay(state);
  const r = run(() => runTx(env, child, raw, "deliver", block));
  const toLimit = r.gasUsed < r.gasWanted ? r.gasUsed : r.gasWanted;
  if (!meter.consume(toLimit)) {
    child.write();
    return r;
  }
  // Ante alone again (check mode without a min gas price = deliver's ante) to keep just its effects.
  const anteState = new MemoryOverlay(state);
  const anteEnv: TxEnv = { ...env, ante: { ...env.ante, minGasPrices: [] } };
  const a = runTx(anteEnv, anteState, raw, "check", block);
  if (a.code === 0) anteState.write();
  const detail = `out of gas in location: block gas meter; gasWanted: ${r.gasWanted}, gasUsed: ${r.gasUsed}`;
  return outOfBlockGas(detail, r.gasWanted, r.gasUsed, a.code === 0 ? a : undefined);
}
