// Prepared contract calls: the outcome of an upcoming call's state-independent input checks
// (../contract/checkInput.ts), computed by the prepareCall ECALL while the host runs its own work between
// ECALLs, kept per isolate until the execute ECALL with an equal binding takes it. Speed only: an execute that
// finds no equal slot runs the checks itself, with the same outcome.
import type { CallBinding, CheckOutcome } from "../contract/checkInput.js";
import { sameBinding } from "../contract/checkInput.js";
import type { EnclaveKeys } from "../keys.js";
import type { EnclaveRuntime } from "./index.js";

/**
 * Slots kept per isolate. The host prepares one call ahead; a few more absorb a prepare whose call never came
 * (a tx that failed before its ECALL) without holding on to many tx keys. Oldest is dropped first.
 */
export const MAX_PREPARED_CALLS = 4;

interface Slot {
  readonly keys: EnclaveKeys;
  readonly binding: CallBinding;
  readonly verify: boolean;
  readonly outcome: CheckOutcome;
}

/** Drops a slot's outcome: its tx key is zeroed (the enclave never keeps key material it will not use). */
function dispose(slot: Slot): void {
  if ("ok" in slot.outcome) slot.outcome.ok.tx.dispose();
}

export class PreparedCalls {
  private readonly slots: Slot[] = [];
  /** Outcomes taken by an execute / dropped unused (tests, benches). */
  taken = 0;
  dropped = 0;

  get size(): number {
    return this.slots.length;
  }

  add(keys: EnclaveKeys, binding: CallBinding, verify: boolean, outcome: CheckOutcome): void {
    if (this.slots.length >= MAX_PREPARED_CALLS) this.drop(this.slots.shift());
    this.slots.push({ keys, binding, verify, outcome });
  }

  /**
   * The outcome prepared for an equal binding under the same keys and signature setting, removed (an outcome
   * owns a tx key, so it serves one call); undefined when there is none.
   */
  take(keys: EnclaveKeys, binding: CallBinding, verify: boolean): CheckOutcome | undefined {
    const i = this.slots.findIndex(
      (s) => s.keys === keys && s.verify === verify && sameBinding(s.binding, binding),
    );
    if (i < 0) return undefined;
    const [slot] = this.slots.splice(i, 1);
    this.taken++;
    return slot?.outcome;
  }

  /** Drops every slot (the keychain changed, or shutdown). */
  clear(): void {
    for (const s of this.slots.splice(0)) this.drop(s);
  }

  private drop(slot: Slot | undefined): void {
    if (slot === undefined) return;
    dispose(slot);
    this.dropped++;
  }
}

const SLOT = "preparedCalls";

/** This isolate's prepared calls (created on first use). */
export function preparedCalls(runtime: EnclaveRuntime): PreparedCalls {
  let p = runtime.slots.get(SLOT) as PreparedCalls | undefined;
  if (p === undefined) {
    p = new PreparedCalls();
    runtime.slots.set(SLOT, p);
  }
  return p;
}
