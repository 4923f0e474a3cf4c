// The synchronous wire between host thread and enclave worker: one SharedArrayBuffer mailbox used strictly in
// turns (whoever holds the turn writes one frame and hands the turn over, waking the peer only if it sleeps).
// Frames larger than the shared data area spill through a MessagePort as a byte copy, read synchronously with
// receiveMessageOnPort, so a 2 MiB wasm upload still crosses in one synchronous step.
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";

/** Control words (Int32) at the start of the shared buffer (src/enclave/README.md §3). */
const CTRL_TURN = 0;
const CTRL_KIND = 1;
const CTRL_LENGTH = 2;
const CTRL_SPILLED = 3;
/** 1 while that side is in (or about to enter) Atomics.wait[Async]; its peer calls Atomics.notify only then. */
const CTRL_ASLEEP_ENCLAVE = 4;
const CTRL_ASLEEP_HOST = 5;
/** Each side's spin budget in µs (DoorSpin), written once by createMailboxBuffer before either side starts. */
const CTRL_SPIN_ENCLAVE = 6;
const CTRL_SPIN_HOST = 7;
const CTRL_WORDS = 8;
const CTRL_BYTES = CTRL_WORDS * 4;

/** Turn values: nobody has a frame waiting, a frame waits for the enclave, a frame waits for the host. */
const TURN_NONE = 0;
export const SIDE_ENCLAVE = 1;
export const SIDE_HOST = 2;
export type Side = typeof SIDE_ENCLAVE | typeof SIDE_HOST;

/** Inline capacity: typical ECALL/OCALL frames are well under this; bigger ones spill (rare: wasm uploads). */
export const DEFAULT_INLINE_CAPACITY = 1024 * 1024;

/**
 * Polls of the turn word (~1–5 µs) before a side sleeps or starts its timed spin: an idle-machine round trip is
 * a few µs and a futex sleep+wake costs more. Measured on the shared 2-core box: 4000 polls doubled CPU per
 * ECALL under load (60 µs vs 15 µs), 50-200 polls fell back to futex too often. 0: never spin (lanes).
 */
export const SPIN_POLLS = 500;

/**
 * How long each side may spin (µs, after SPIN_POLLS) before it sleeps; adaptive below that bound (see
 * `Mailbox.spinTimed`). A spin only pays when the peer runs on another core meanwhile: on a box with more busy
 * threads than cores, spinning holds the core the peer needs (bench figures: docs/BENCHMARKS.md "Door wake-ups").
 */
export interface DoorSpin {
  /** The host thread inside a synchronous ECALL, waiting for the enclave's next OCALL or its answer. */
  readonly hostUs: number;
  /** The enclave worker waiting for the host's OCALL answer or (idle) for the next ECALL. */
  readonly enclaveUs: number;
}

/** The safe default: no timed spin, only SPIN_POLLS (a node sharing its cores with peers and CometBFT). */
export const DOOR_SPIN_DEFAULT: DoorSpin = Object.freeze({ hostUs: 0, enclaveUs: 0 });

/** Upper bound of either budget: past this a futex sleep is cheaper than the spin it replaces. */
export const DOOR_SPIN_MAX_US = 1000;

/**
 * After a failed spin a situation sleeps without spinning for PROBE_EVERY waits, then tries once more with twice
 * the last wait it measured (when that fits the bound). Spins never go below MIN_SPIN_US.
 */
const PROBE_EVERY = 16;
const MIN_SPIN_US = 2;
/** Turn polls between two clock reads in a timed spin (a clock read costs about as much as 30 polls). */
const POLLS_PER_CLOCK = 32;

/** Thrown when the other side broke the mailbox protocol or never answered in time. */
export class MailboxError extends Error {
  override readonly name = "MailboxError";
}

/** A received frame: its kind and a private copy of its body (never a view of shared memory). */
export interface Frame {
  readonly kind: number;
  readonly body: Uint8Array;
}

/** Observes every frame this side sends or receives, in order (wall tests; unset in production). */
export type FrameTap = (direction: "toEnclave" | "toHost", kind: number, body: Uint8Array) => void;

function assertSpinUs(us: number, field: string): void {
  if (!Number.isInteger(us) || us < 0 || us > DOOR_SPIN_MAX_US) {
    throw new RangeError(`${field} must be an integer from 0 to ${DOOR_SPIN_MAX_US} µs, got ${us}`);
  }
}

export function createMailboxBuffer(
  inlineCapacity = DEFAULT_INLINE_CAPACITY,
  spin: DoorSpin = DOOR_SPIN_DEFAULT,
): SharedArrayBuffer {
  assertSpinUs(spin.hostUs, "host spin");
  assertSpinUs(spin.enclaveUs, "enclave spin");
  const shared = new SharedArrayBuffer(CTRL_BYTES + inlineCapacity);
  const ctrl = new Int32Array(shared, 0, CTRL_WORDS);
  ctrl[CTRL_SPIN_HOST] = spin.hostUs;
  ctrl[CTRL_SPIN_ENCLAVE] = spin.enclaveUs;
  return shared;
}

/** One side's handle on the shared mailbox. Both sides construct one over the same buffer and port pair. */
export class Mailbox {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly peer: Side;
  private readonly asleepWord: number;
  private readonly peerAsleepWord: number;
  /** This side's timed-spin bound (µs; 0: none) and the adaptive budget per kind of frame it last sent. */
  private readonly spinMaxUs: number;
  private readonly budgetUs = new Float64Array(8);
  private readonly probeIn = new Int32Array(8);
  /** The last wait measured per situation, µs (spin or sleep, from the end of the polls to the turn). */
  private readonly lastWaitUs = new Float64Array(8);
  private lastSent = 0;
  tap: FrameTap | undefined;
  private interrupted: string | undefined;

  constructor(
    shared: SharedArrayBuffer,
    private readonly port: MessagePort,
    private readonly self: Side,
    /** Polls before sleeping in receive() (0: sleep at once and never spin, when the peer answers from an event loop). */
    private readonly spinPolls = SPIN_POLLS,
  ) {
    this.ctrl = new Int32Array(shared, 0, CTRL_WORDS);
    this.data = new Uint8Array(shared, CTRL_BYTES);
    this.peer = self === SIDE_HOST ? SIDE_ENCLAVE : SIDE_HOST;
    this.asleepWord = self === SIDE_HOST ? CTRL_ASLEEP_HOST : CTRL_ASLEEP_ENCLAVE;
    this.peerAsleepWord = self === SIDE_HOST ? CTRL_ASLEEP_ENCLAVE : CTRL_ASLEEP_HOST;
    const configured = Atomics.load(this.ctrl, self === SIDE_HOST ? CTRL_SPIN_HOST : CTRL_SPIN_ENCLAVE);
    this.spinMaxUs = spinPolls === 0 ? 0 : Math.min(Math.max(configured, 0), DOOR_SPIN_MAX_US);
    this.budgetUs.fill(this.spinMaxUs);
    this.probeIn.fill(PROBE_EVERY);
  }

  /** Writes one frame and hands the turn to the other side. Only call while holding the turn. */
  send(kind: number, body: Uint8Array): void {
    this.tap?.(this.self === SIDE_HOST ? "toEnclave" : "toHost", kind, body);
    if (body.length <= this.data.length) {
      this.data.set(body);
      this.ctrl[CTRL_SPILLED] = 0;
    } else {
      // postMessage enqueues on the peer port synchronously, before the turn flips below.
      this.port.postMessage(body);
      this.ctrl[CTRL_SPILLED] = 1;
    }
    this.ctrl[CTRL_KIND] = kind;
    this.ctrl[CTRL_LENGTH] = body.length;
    this.lastSent = kind;
    // Why no wake-up is lost (Dekker over seq-cst Atomics; all four accesses below and in sleep() are seq-cst,
    // so they fall in one total order): the sleeper stores ASLEEP=1, then loads TURN; we store TURN, then load
    // ASLEEP. If our load reads 0, it precedes the sleeper's store of 1, so our TURN store precedes the
    // sleeper's TURN load, which then sees our turn and it never sleeps. If our load reads 1, we notify: a
    // sleeper already inside Atomics.wait wakes; one not yet inside finds TURN changed (Atomics.wait compares
    // under the same lock as notify) and returns at once.
    Atomics.store(this.ctrl, CTRL_TURN, this.peer);
    if (Atomics.load(this.ctrl, this.peerAsleepWord) !== 0) Atomics.notify(this.ctrl, CTRL_TURN);
  }

  /**
   * Blocks until a frame for this side arrives and returns a private copy of it. `timeoutMs` bounds the
   * whole wait (Infinity for the enclave's idle loop); on expiry a MailboxError is thrown.
   */
  receive(timeoutMs = Infinity): Frame {
    this.waitForTurn(timeoutMs);
    const kind = this.ctrl[CTRL_KIND]!;
    const length = this.ctrl[CTRL_LENGTH]!;
    const body = this.ctrl[CTRL_SPILLED] === 1 ? this.takeSpilled(length) : this.data.slice(0, length);
    // Take the turn away from ourselves so the next receive() waits for a fresh frame.
    Atomics.store(this.ctrl, CTRL_TURN, TURN_NONE);
    this.tap?.(this.self === SIDE_HOST ? "toHost" : "toEnclave", kind, body);
    return { kind, body };
  }

  /** The frame for this side if one has arrived, else undefined: one look at the turn word, never waits. */
  tryReceive(): Frame | undefined {
    return Atomics.load(this.ctrl, CTRL_TURN) === this.self ? this.receive(0) : undefined;
  }

  /**
   * receive() without blocking the thread: awaits the turn with Atomics.waitAsync, so the host's event loop keeps
   * serving (HTTP, other workers) while this side waits. The waits carry no timeout (a V8 timeout schedules a
   * delayed task per wait, which measured ~25% of a query lane's CPU): the caller bounds the call with one timer
   * and `interrupt`, which also ends the wait when the peer exits.
   */
  async receiveAsync(): Promise<Frame> {
    for (;;) {
      const turn = Atomics.load(this.ctrl, CTRL_TURN);
      if (turn === this.self) return this.receive(0);
      if (this.interrupted !== undefined) throw new MailboxError(this.interrupted);
      // Same Dekker handshake as the synchronous sleep (see send()).
      Atomics.store(this.ctrl, this.asleepWord, 1);
      if (Atomics.load(this.ctrl, CTRL_TURN) === turn) {
        const w = Atomics.waitAsync(this.ctrl, CTRL_TURN, turn);
        if (w.async) await w.value;
      }
      Atomics.store(this.ctrl, this.asleepWord, 0);
    }
  }

  /** Ends a pending receiveAsync with a MailboxError(why); the peer, if waiting, wakes, re-checks and sleeps on. */
  interrupt(why: string): void {
    this.interrupted = why;
    Atomics.notify(this.ctrl, CTRL_TURN);
  }

  /** Forgets an earlier interrupt (at the start of the next async call). */
  clearInterrupt(): void {
    this.interrupted = undefined;
  }

  private waitForTurn(timeoutMs: number): void {
    for (let i = 0; i < this.spinPolls; i++) {
      if (Atomics.load(this.ctrl, CTRL_TURN) === this.self) return;
    }
    if (this.spinMaxUs === 0) {
      this.sleepUntilTurn(timeoutMs);
      return;
    }
    const situation = this.lastSent & 7;
    const t0 = performance.now();
    if (this.spinTimed(situation, t0)) return;
    this.sleepUntilTurn(timeoutMs);
    this.lastWaitUs[situation] = (performance.now() - t0) * 1000;
  }

  private sleepUntilTurn(timeoutMs: number): void {
    const sliceMs = Number.isFinite(timeoutMs) ? Math.min(timeoutMs, 1000) : 1000;
    let waited = 0;
    for (;;) {
      const turn = Atomics.load(this.ctrl, CTRL_TURN);
      if (turn === this.self) return;
      if (waited >= timeoutMs) throw new MailboxError(`no answer from the other side within ${timeoutMs} ms`);
      if (this.sleep(turn, sliceMs) === "timed-out") waited += sliceMs;
    }
  }

  /** Sleeps while the turn word still holds `turn`, flagged as asleep so the peer's send() notifies us. */
  private sleep(turn: number, sliceMs: number): "ok" | "not-equal" | "timed-out" {
    Atomics.store(this.ctrl, this.asleepWord, 1);
    // The Dekker re-check (send()): a turn stored before our flag became visible is seen here.
    const r =
      Atomics.load(this.ctrl, CTRL_TURN) === turn
        ? Atomics.wait(this.ctrl, CTRL_TURN, turn, sliceMs)
        : "not-equal";
    Atomics.store(this.ctrl, this.asleepWord, 0);
    return r;
  }

  /**
   * Spins on the turn word for up to this situation's budget (situation = the kind of frame this side sent last:
   * the host after an ECALL request waits through the enclave's signature check, after an OCALL answer only
   * until the next OCALL). The budget follows the waits: a spin that sees the turn keeps it, raised to twice
   * the wait it just measured if that is more (within the bound); one that runs out sets it to 0, and the
   * situation then sleeps at once for PROBE_EVERY waits (still measuring them) before it tries twice the last
   * one again, if that fits the bound. So a spin that keeps failing — the peer's work is long, or it shares our core and cannot run while we
   * spin — costs one spin per PROBE_EVERY waits. The clock only bounds this loop; it never reaches a frame, gas
   * or state.
   */
  private spinTimed(situation: number, t0: number): boolean {
    let budget = this.budgetUs[situation]!;
    if (budget === 0) {
      const left = this.probeIn[situation]! - 1;
      this.probeIn[situation] = left > 0 ? left : PROBE_EVERY;
      const probe = 2 * this.lastWaitUs[situation]!;
      if (left > 0 || probe > this.spinMaxUs) return false;
      budget = Math.max(probe, MIN_SPIN_US);
    }
    const end = t0 + budget / 1000;
    let now = t0;
    do {
      for (let i = 0; i < POLLS_PER_CLOCK; i++) {
        if (Atomics.load(this.ctrl, CTRL_TURN) === this.self) {
          // Keep a budget that worked; raise it to twice this wait when that is more (within the bound).
          this.budgetUs[situation] = Math.min(Math.max(budget, 2 * (now - t0) * 1000), this.spinMaxUs);
          return true;
        }
      }
      now = performance.now();
    } while (now < end);
    this.budgetUs[situation] = 0;
    this.probeIn[situation] = PROBE_EVERY;
    return false;
  }

  private takeSpilled(length: number): Uint8Array {
    const msg = receiveMessageOnPort(this.port);
    const body: unknown = msg?.message;
    if (!(body instanceof Uint8Array) || body.length !== length) {
      throw new MailboxError("spilled frame missing or of the wrong length");
    }
    // Structured clone already gave us our own copy; re-wrap to a plain Uint8Array (never a Buffer subclass).
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
}
