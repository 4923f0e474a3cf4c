// The Env / MessageInfo JSON a contract receives, byte-compatible with what Secret's enclave passes
// (SN cosmwasm-types/generic/src/lib.rs `into_v1` / `into_v010`, v1.0/src/types.rs, v0.10/src/types.rs;
// spec secret-protocol §10). Key order matters for byte equality: it follows the Rust struct order.
import { toBase64 } from "../../util/bytes.js";

/** One coin; `amount` is a decimal string (Uint128). */
export interface Coin {
  readonly denom: string;
  readonly amount: string;
}

/** What the chain tells the enclave about the call (Go's `wasmTypes.Env`, minus the contract key). */
export interface BaseEnv {
  readonly block: {
    readonly height: bigint;
    /** Block time, nanoseconds since the Unix epoch. */
    readonly timeNanos: bigint;
    readonly chainId: string;
  };
  readonly message: { readonly sender: string; readonly funds: readonly Coin[] };
  readonly contract: { readonly address: string };
  /** Present for txs (SDK ≥ 0.47): the index in the block and the uppercase hex sha256 of the tx bytes. */
  readonly transaction?: { readonly index: number; readonly hash: string };
}

/** The per-call extras the enclave adds: the running code hash and (v1, `requires_random`) the random. */
export interface EnvExtras {
  /** Lowercase hex sha256 of the running wasm. */
  readonly codeHashHex: string;
  /** 32-byte `env.block.random` (spec §9), or undefined for contracts without `requires_random`. */
  readonly random?: Uint8Array | undefined;
}

function coinsJson(funds: readonly Coin[]): string {
  return `[${funds.map((c) => `{"denom":${JSON.stringify(c.denom)},"amount":${JSON.stringify(c.amount)}}`).join(",")}]`;
}

/** CosmWasm v1 `Env`: `{block{height,time(ns string),chain_id[,random]},contract{address,code_hash},transaction}`. */
export function v1EnvJson(env: BaseEnv, extras: EnvExtras): string {
  const random = extras.random === undefined ? "" : `,"random":${JSON.stringify(toBase64(extras.random))}`;
  const block =
    `{"height":${env.block.height.toString()},"time":"${env.block.timeNanos.toString()}",` +
    `"chain_id":${JSON.stringify(env.block.chainId)}${random}}`;
  const contract = `{"address":${JSON.stringify(env.contract.address)},"code_hash":${JSON.stringify(extras.codeHashHex)}}`;
  const tx =
    env.transaction === undefined
      ? "null"
      : `{"index":${env.transaction.index},"hash":${JSON.stringify(env.transaction.hash)}}`;
  return `{"block":${block},"contract":${contract},"transaction":${tx}}`;
}

/** CosmWasm v1 `MessageInfo`: `{sender, funds}`. */
export function v1MessageInfoJson(env: BaseEnv): string {
  return `{"sender":${JSON.stringify(env.message.sender)},"funds":${coinsJson(env.message.funds)}}`;
}

/**
 * CosmWasm v0.10 `Env`. Secret converts block time to whole seconds, passes no random, and sets
 * contract_key and transaction to null for v0.10 contracts (`into_v010`).
 */
export function v010EnvJson(env: BaseEnv, extras: EnvExtras): string {
  const seconds = env.block.timeNanos / 1_000_000_000n;
  return (
    `{"block":{"height":${env.block.height.toString()},"time":${seconds.toString()},` +
    `"chain_id":${JSON.stringify(env.block.chainId)}},` +
    `"message":{"sender":${JSON.stringify(env.message.sender)},"sent_funds":${coinsJson(env.message.funds)}},` +
    `"contract":{"address":${JSON.stringify(env.contract.address)}},"contract_key":null,` +
    `"contract_code_hash":${JSON.stringify(extras.codeHashHex)},"transaction":null}`
  );
}
