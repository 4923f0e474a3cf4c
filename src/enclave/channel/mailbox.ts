// The synchronous wire between host thread and enclave worker: one SharedArrayBuffer mailbox used strictly in
// turns (whoever holds the turn writes one frame and hands the turn over with Atomics.notify; the other side
// wakes from Atomics.wait). Frames larger than the shared data area spill through a MessagePort as a byte copy,
// read synchronously with receiveMessageOnPort, so a 2 MiB wasm upload still crosses in one synchronous step.
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";

/** Control words (Int32) at the start of the shared buffer. */
const CTRL_TURN = 0;
const CTRL_KIND = 1;
const CTRL_LENGTH = 2;
const CTRL_SPILLED = 3;
const CTRL_WORDS = 4;
const CTRL_BYTES = CTRL_WORDS * 4;

/** Turn values: nobody has a frame waiting, a frame waits for the enclave, a frame waits for the host. */
const TURN_NONE = 0;
export const SIDE_ENCLAVE = 1;
export const SIDE_HOST = 2;
export type Side = typeof SIDE_ENCLAVE | typeof SIDE_HOST;

/** Inline capacity: typical ECALL/OCALL frames are well under this; bigger ones spill (rare: wasm uploads). */
export const DEFAULT_INLINE_CAPACITY = 1024 * 1024;

/**
 * Spin this many polls (~5-10 µs) before sleeping in Atomics.wait: an idle-machine round trip is a few µs and a
 * futex sleep+wake costs more, so a short spin keeps latency down. Measured on the shared 2-core box: 4000
 * polls doubled CPU per ECALL under load (60 µs vs 15 µs), 50-200 polls fell back to futex too often.
 */
export const SPIN_POLLS = 500;

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

export function createMailboxBuffer(inlineCapacity = DEFAULT_INLINE_CAPACITY): SharedArrayBuffer {
  return new SharedArrayBuffer(CTRL_BYTES + inlineCapacity);
}

/** One side's handle on the shared mailbox. Both sides construct one over the same buffer and port pair. */
export class Mailbox {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly peer: Side;
  tap: FrameTap | undefined;
  private interrupted: string | undefined;

  constructor(
    shared: SharedArrayBuffer,
    private readonly port: MessagePort,
    private readonly self: Side,
    /** Polls before sleeping in receive() (0: sleep at once, when the peer answers from an event loop). */
    private readonly spinPolls = SPIN_POLLS,
  ) {
    this.ctrl = new Int32Array(shared, 0, CTRL_WORDS);
    this.data = new Uint8Array(shared, CTRL_BYTES);
    this.peer = self === SIDE_HOST ? SIDE_ENCLAVE : SIDE_HOST;
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
    Atomics.store(this.ctrl, CTRL_TURN, this.peer);
    Atomics.notify(this.ctrl, CTRL_TURN);
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
      const w = Atomics.waitAsync(this.ctrl, CTRL_TURN, turn);
      if (w.async) await w.value;
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
    const sliceMs = Number.isFinite(timeoutMs) ? Math.min(timeoutMs, 1000) : 1000;
    let waited = 0;
    for (;;) {
      const turn = Atomics.load(this.ctrl, CTRL_TURN);
      if (turn === this.self) return;
      if (waited >= timeoutMs) throw new MailboxError(`no answer from the other side within ${timeoutMs} ms`);
      // Sleeps only while the word still holds `turn`; a notify or a changed word wakes us at once.
      if (Atomics.wait(this.ctrl, CTRL_TURN, turn, sliceMs) === "timed-out") waited += sliceMs;
    }
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
