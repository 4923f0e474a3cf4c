// The VM's only view of the world (DESIGN.md rule 3, after CosmWasm packages/vm): a Storage, a pure Api
// and a Querier. The VM never knows about the chain or about encryption; encryption is a Storage
// wrapper (../encryptedStorage.ts). Every call reports the gas it used so no gas is dropped on error paths.

/** Gas reported by a backend call, in VM gas units (Secret: 1000 VM gas = 1 SDK gas). */
export interface GasInfo {
  /** Gas the VM should charge the contract for this call. */
  readonly cost: bigint;
}

/**
 * Contract storage. Keys and values are plaintext at this level; `get` of a missing key returns undefined.
 * Arrays passed in are views of contract memory, valid during the call only: copy what you keep. `get`'s value
 * may be the Storage's own array: the VM never modifies it and copies it into the contract once the contract's
 * `allocate` returned (which may call the Storage again: such calls must leave that array as it is).
 */
export interface Storage {
  get(key: Uint8Array): { value: Uint8Array | undefined; gas: GasInfo };
  set(key: Uint8Array, value: Uint8Array): { gas: GasInfo };
  remove(key: Uint8Array): { gas: GasInfo };
}

/** Address helpers; pure and deterministic. Errors are returned as strings the contract sees. */
export interface Api {
  addrValidate(human: string): { error?: string; gas: GasInfo };
  addrCanonicalize(human: string): { canonical?: Uint8Array; error?: string; gas: GasInfo };
  addrHumanize(canonical: Uint8Array): { human?: string; error?: string; gas: GasInfo };
}

/**
 * Queries to the chain (bank, staking, other contracts). `request` is the JSON QueryRequest bytes;
 * the answer is the JSON SystemResult<ContractResult<Binary>> bytes, as CosmWasm's querier returns it.
 */
export interface Querier {
  queryRaw(request: Uint8Array, gasLimit: bigint): { result: Uint8Array; gas: GasInfo };
}

export interface Backend {
  readonly storage: Storage;
  readonly api: Api;
  readonly querier: Querier;
}
