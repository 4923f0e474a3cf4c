// Watches the node's enclave for death: every door the modules and the app use goes through this wrapper,
// which records an EnclaveUnavailableError before rethrowing it, since runTx turns any exception into a panic
// result. The app then halts in consensus calls instead of committing a result healthy validators would not.
import {
  EnclaveUnavailableError,
  type BlockRef,
  type EcallName,
  type EcallOptions,
} from "../../enclave/api.js";
import type { ModulesEnclave } from "./modules.js";
import type { BlockRandomEnclave } from "../random.js";

/** What the app needs from the node's enclave: registration, compute ECALLs, the block random (EnclaveHost). */
export type AppEnclave = ModulesEnclave & BlockRandomEnclave;

/** Thrown by FinalizeBlock (and Prepare/Process) when the enclave died: a broken invariant, the node halts. */
export class EnclaveHaltError extends Error {
  override readonly name = "EnclaveHaltError";
  constructor(
    readonly during: string,
    readonly unavailable: EnclaveUnavailableError,
  ) {
    super(
      `enclave unavailable during ${during}: ${unavailable.message}; halting (the block was not applied)`,
    );
  }
}

export class EnclaveGuard {
  private deaths = 0;
  private last: EnclaveUnavailableError | undefined;

  /** Number of deaths seen so far: compare with `diedSince` around one unit of work. */
  mark(): number {
    return this.deaths;
  }

  /** The death seen after `mark`, if any. */
  diedSince(mark: number): EnclaveUnavailableError | undefined {
    return this.deaths > mark ? this.last : undefined;
  }

  /** True once the enclave has been seen dead (EnclaveHost never comes back: a new one must be started). */
  get dead(): boolean {
    return this.last !== undefined;
  }

  private watch<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof EnclaveUnavailableError) {
        this.deaths++;
        this.last = e;
      }
      throw e;
    }
  }

  /**
   * Runs a consensus step; an enclave death inside it (even one runTx turned into a tx result) becomes an
   * EnclaveHaltError: answering would differ from healthy validators, so the node must stop (spec §1).
   */
  step<T>(during: string, f: () => T): T {
    const mark = this.mark();
    let out: T;
    try {
      out = f();
    } catch (e) {
      const died = this.diedSince(mark);
      throw died === undefined ? e : new EnclaveHaltError(during, died);
    }
    const died = this.diedSince(mark);
    if (died !== undefined) throw new EnclaveHaltError(during, died);
    return out;
  }

  /** The same enclave, every method watched. */
  wrap(e: AppEnclave): AppEnclave {
    // Queries are not consensus: an async query's failure never halts the node (lanes are replaced).
    const q = e.ecallQueryAsync;
    const queryAsync =
      q === undefined
        ? {}
        : { ecallQueryAsync: (payload: Uint8Array, opts?: EcallOptions) => q(payload, opts) };
    return {
      ...queryAsync,
      ecall: (name: EcallName, payload: Uint8Array, opts?: EcallOptions) =>
        this.watch(() => e.ecall(name, payload, opts)),
      authenticateNewNode: (evidence: Uint8Array, policy: Uint8Array, nowNs: bigint) =>
        this.watch(() => e.authenticateNewNode(evidence, policy, nowNs)),
      generateBlockRandom: (block: BlockRef) => this.watch(() => e.generateBlockRandom(block)),
      verifyBlockRandom: (block: BlockRef, encrypted: Uint8Array, proof: Uint8Array) =>
        this.watch(() => e.verifyBlockRandom(block, encrypted, proof)),
    };
  }
}
