// The frames that cross the wall (our Enclave.edl wire format): ECALL request/response, OCALL request/response,
// shutdown and fatal. Each is a kind number plus a body built with ./codec.ts; see src/enclave/README.md.
import { utf8 } from "../../util/bytes.js";
import { ByteReader, ByteWriter, CodecError } from "./codec.js";

/** Frame kinds (the mailbox's `kind` word). */
export const FRAME = Object.freeze({
  ecallRequest: 1,
  ecallResponse: 2,
  ocallRequest: 3,
  ocallResponse: 4,
  shutdown: 5,
  /** Worker → host: the worker cannot continue (protocol violation on its side). */
  fatal: 6,
  /**
   * An ok ECALL response that carries the call's final writes (its flush), for the host to apply through the
   * call's handler before it returns the result: one round trip less than an applyBatch OCALL then a response.
   */
  ecallResponseWithWrites: 7,
  /**
   * Host → enclave: an ECALL request, then a second one the enclave runs after it has sent the first one's
   * response, whose answer is never sent (a prepareCall riding on the call before it: no wake-up, no extra
   * round trip). The second may make no OCALL. Body: `u32 n ‖ first request (n bytes) ‖ second request`.
   */
  ecallRequestThen: 8,
} as const);

/** OCALL kinds, after Secret's ocall_read_db / ocall_write_db / ocall_remove_db / ocall_query_chain. */
export const OCALL = Object.freeze({
  readDb: 1,
  writeDb: 2,
  removeDb: 3,
  queryChain: 4,
  /** Several writes/removes applied in order in one round trip (a flush); gas is their sum. */
  applyBatch: 5,
  /**
   * readDb of `key`, and only when it is missing, readDb of `fallbackKey`: the new-then-old-format lookup of a
   * contract read (SN db.rs read_from_encrypted_state) in one round trip; gas is the sum of the reads done.
   */
  readDbFirst: 6,
  /**
   * A wrapper: "first charge these prefetched reads (by index into the ECALL's prefetch set), then run the
   * inner OCALL"; its ok answer starts with the host's remaining SDK gas (the enclave's shadow resync).
   */
  charged: 7,
  /**
   * `charged` with peeks: the same, then the host's current value and read charge of each listed store key,
   * without charging them — offers the enclave adds to the call's prefetch set (a read it predicts). Its ok
   * answer: the gas sync, then one peek answer per key, then the inner OCALL's ok output.
   */
  chargedPeek: 8,
} as const);

/** Most keys one chargedPeek may list (a read's predicted companions, each a new- and an old-format key). */
export const MAX_PEEK_KEYS = 8;

/** The host's answer to one peeked key: its offer index, charge and value (undefined: absent). */
export interface PeekAnswer {
  readonly index: number;
  readonly charge: bigint;
  readonly value: Uint8Array | undefined;
}

/** Most operations one applyBatch may carry (a flush writes each touched key once, plus its old-key removal). */
export const MAX_BATCH_OPS = 65_536;

/** One operation of an applyBatch OCALL: a write, or a removal when `value` is undefined. */
export interface StoreOp {
  readonly key: Uint8Array;
  readonly value?: Uint8Array | undefined;
}
/** A read the enclave answered from the ECALL's prefetch set: the host charges it as if it read it then. */
export interface PrefetchedReadOp {
  readonly prefetched: number;
}
/** An op of a batch: a store write/removal, or (only on an ECALL response) a prefetched read to charge. */
export type BatchOp = StoreOp | PrefetchedReadOp;

/** Batch op tag of a prefetched read (as the readDb OCALL number). */
const OP_PREFETCHED = OCALL.readDb;
/** Most prefetched reads one ECALL may be offered (and so charged in one list). */
export const MAX_PREFETCH_ENTRIES = 256;
export type OcallKind = (typeof OCALL)[keyof typeof OCALL];

/** A coded error as it crosses: a stable number and a message that is safe to reveal. */
export interface WireError {
  readonly code: number;
  readonly message: string;
}

/** Result of one ECALL or OCALL: its output or a coded error, always with the gas used. */
export type WireResult = { ok: Uint8Array; gasUsed: bigint } | { error: WireError; gasUsed: bigint };

/** Longest error message we let cross; longer ones are cut so an error can never smuggle bulk data. */
export const MAX_ERROR_MESSAGE_CHARS = 512;

export interface EcallRequest {
  readonly id: number;
  readonly gasLimit: bigint;
  readonly payload: Uint8Array;
}

export function encodeEcallRequest(req: EcallRequest): Uint8Array {
  return new ByteWriter(10 + req.payload.length).u16(req.id).u64(req.gasLimit).raw(req.payload).finish();
}

export function decodeEcallRequest(body: Uint8Array): EcallRequest {
  const r = new ByteReader(body);
  const id = r.u16("ecall id");
  const gasLimit = r.u64("ecall gasLimit");
  return { id, gasLimit, payload: r.restSub("ecall payload") };
}

/** FRAME.ecallRequestThen's body: the call, then the one to run after its response. */
export function encodeEcallRequestThen(first: EcallRequest, then: EcallRequest): Uint8Array {
  const n = 10 + first.payload.length;
  return new ByteWriter(4 + n + 10 + then.payload.length)
    .u32(n)
    .u16(first.id)
    .u64(first.gasLimit)
    .raw(first.payload)
    .u16(then.id)
    .u64(then.gasLimit)
    .raw(then.payload)
    .finish();
}

export function decodeEcallRequestThen(body: Uint8Array): { first: Uint8Array; then: Uint8Array } {
  const r = new ByteReader(body);
  const n = r.u32("ecall request length");
  if (n > r.remaining) throw new CodecError("ecall request length", "exceeds the frame");
  const all = r.restSub("ecall requests");
  return { first: all.subarray(0, n), then: all.subarray(n) };
}

/** ok: u8 0 ‖ u64 gas ‖ output;  error: u8 1 ‖ u64 gas ‖ u32 code ‖ utf8 message. */
export function encodeResult(res: WireResult): Uint8Array {
  const message = "ok" in res ? undefined : errorMessageBytes(res.error);
  const w = new ByteWriter(resultSize(res, message));
  writeResult(w, res, message);
  return w.finish();
}

/** The error message as it crosses: cut to MAX_ERROR_MESSAGE_CHARS, UTF-8. */
function errorMessageBytes(error: WireError): Uint8Array {
  return utf8.encode(error.message.slice(0, MAX_ERROR_MESSAGE_CHARS));
}

// Sized exactly: this runs on every round trip, and an exact writer hands over its buffer without a copy.
function resultSize(res: WireResult, message: Uint8Array | undefined): number {
  return "ok" in res ? 9 + res.ok.length : 13 + (message?.length ?? 0);
}

function writeResult(w: ByteWriter, res: WireResult, message: Uint8Array | undefined): void {
  if ("ok" in res) w.u8(0).u64(res.gasUsed).raw(res.ok);
  else
    w.u8(1)
      .u64(res.gasUsed)
      .u32(res.error.code)
      .raw(message ?? new Uint8Array(0));
}

export function decodeResult(body: Uint8Array): WireResult {
  const r = new ByteReader(body);
  const status = r.u8("result status");
  const gasUsed = r.u64("result gasUsed");
  if (status === 0) return { ok: r.restSub("result output"), gasUsed };
  if (status !== 1) throw new CodecError("result status", `"result status" must be 0 or 1, got ${status}`);
  const code = r.u32("error code");
  const raw = r.restSub("error message");
  let message: string;
  try {
    message = utf8.decode(raw);
  } catch {
    throw new CodecError("error message", `"error message" is not UTF-8`);
  }
  if (message.length > MAX_ERROR_MESSAGE_CHARS) {
    throw new CodecError("error message", `"error message" longer than ${MAX_ERROR_MESSAGE_CHARS}`);
  }
  return { error: { code, message }, gasUsed };
}

/** An OCALL as the host sees it, decoded. */
export type OcallRequest =
  | { kind: typeof OCALL.readDb; key: Uint8Array }
  | { kind: typeof OCALL.writeDb; key: Uint8Array; value: Uint8Array }
  | { kind: typeof OCALL.removeDb; key: Uint8Array }
  | { kind: typeof OCALL.queryChain; request: Uint8Array; gasLimit: bigint; depth: number }
  | { kind: typeof OCALL.applyBatch; ops: readonly BatchOp[] }
  | { kind: typeof OCALL.readDbFirst; key: Uint8Array; fallbackKey: Uint8Array }
  | { kind: typeof OCALL.charged; charges: readonly number[]; inner: PlainOcallRequest }
  | {
      kind: typeof OCALL.chargedPeek;
      charges: readonly number[];
      peek: readonly Uint8Array[];
      inner: PlainOcallRequest;
    };

/** Every OCALL but the `charged` / `chargedPeek` wrappers (which wrap one of these). */
export type PlainOcallRequest = Exclude<
  OcallRequest,
  { kind: typeof OCALL.charged } | { kind: typeof OCALL.chargedPeek }
>;

/** applyBatch body: u32 count ‖ (u8 OCALL.writeDb|removeDb ‖ bytes key ‖ [bytes value])*. */
function batchSize(ops: readonly BatchOp[]): number {
  if (ops.length > MAX_BATCH_OPS) throw new CodecError("batch", `"batch" above ${MAX_BATCH_OPS} ops`);
  let size = 5;
  for (const op of ops)
    size +=
      "prefetched" in op
        ? 5
        : op.value === undefined
          ? 5 + op.key.length
          : 9 + op.key.length + op.value.length;
  return size;
}

function writeBatch(w: ByteWriter, ops: readonly BatchOp[]): void {
  w.u8(OCALL.applyBatch).u32(ops.length);
  for (const op of ops) {
    if ("prefetched" in op) w.u8(OP_PREFETCHED).u32(op.prefetched);
    else if (op.value === undefined) w.u8(OCALL.removeDb).bytes(op.key);
    else w.u8(OCALL.writeDb).bytes(op.key).bytes(op.value);
  }
}

function decodeBatch(r: ByteReader): BatchOp[] {
  const n = r.u32("batch count");
  if (n > MAX_BATCH_OPS) throw new CodecError("batch count", `"batch count" above ${MAX_BATCH_OPS}`);
  const ops: BatchOp[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.u8("batch op");
    if (kind === OCALL.removeDb) ops.push({ key: r.bytesSub("batch key") });
    else if (kind === OCALL.writeDb)
      ops.push({ key: r.bytesSub("batch key"), value: r.bytesSub("batch value") });
    else if (kind === OP_PREFETCHED) ops.push({ prefetched: prefetchIndex(r) });
    else throw new CodecError("batch op", `"batch op" unknown: ${kind}`);
  }
  r.end("batch");
  return ops;
}

function prefetchIndex(r: ByteReader): number {
  const i = r.u32("prefetch index");
  if (i >= MAX_PREFETCH_ENTRIES) throw new CodecError("prefetch index", `"prefetch index" out of range`);
  return i;
}

type WrappedRequest = Extract<OcallRequest, { kind: typeof OCALL.charged | typeof OCALL.chargedPeek }>;

/**
 * charged: u8 7 ‖ u32 n ‖ (u32 index)ⁿ ‖ inner request (any OCALL but another wrapper); chargedPeek: u8 8 ‖
 * u32 n ‖ (u32 index)ⁿ ‖ u32 m ‖ (u32 len ‖ key)ᵐ ‖ inner request.
 */
function wrappedSize(req: WrappedRequest): number {
  if (req.charges.length > MAX_PREFETCH_ENTRIES) throw new CodecError("charges", `"charges" too many`);
  let size = 5 + 4 * req.charges.length + plainRequestSize(req.inner);
  if (req.kind === OCALL.chargedPeek) {
    if (req.peek.length > MAX_PEEK_KEYS) throw new CodecError("peek", `"peek" too many`);
    size += 4;
    for (const k of req.peek) size += 4 + k.length;
  }
  return size;
}

function writeWrapped(w: ByteWriter, req: WrappedRequest): void {
  w.u8(req.kind).u32(req.charges.length);
  for (const i of req.charges) w.u32(i);
  if (req.kind === OCALL.chargedPeek) {
    w.u32(req.peek.length);
    for (const k of req.peek) w.bytes(k);
  }
  writeRequest(w, req.inner);
}

function decodeWrapped(r: ByteReader, kind: WrappedRequest["kind"]): OcallRequest {
  const n = r.u32("charges count");
  if (n > MAX_PREFETCH_ENTRIES) throw new CodecError("charges count", `"charges count" too many`);
  const charges: number[] = [];
  for (let i = 0; i < n; i++) charges.push(prefetchIndex(r));
  const peek: Uint8Array[] = [];
  if (kind === OCALL.chargedPeek) {
    const m = r.u32("peek count");
    if (m > MAX_PEEK_KEYS) throw new CodecError("peek count", `"peek count" too many`);
    for (let i = 0; i < m; i++) peek.push(r.bytesSub("peek key"));
  }
  const inner = decodeOcallRequest(r.restSub("charged inner"));
  if (inner.kind === OCALL.charged || inner.kind === OCALL.chargedPeek)
    throw new CodecError("charged inner", `"charged inner" nested wrapper`);
  return kind === OCALL.charged ? { kind, charges, inner } : { kind, charges, peek, inner };
}

export function encodeOcallRequest(req: OcallRequest): Uint8Array {
  const wrapped = req.kind === OCALL.charged || req.kind === OCALL.chargedPeek;
  const w = new ByteWriter(wrapped ? wrappedSize(req) : plainRequestSize(req));
  if (wrapped) writeWrapped(w, req);
  else writeRequest(w, req);
  return w.finish();
}

/** The exact encoded size of a plain OCALL request (the writer then hands over its buffer, no copy). */
function plainRequestSize(req: PlainOcallRequest): number {
  switch (req.kind) {
    case OCALL.readDb:
    case OCALL.removeDb:
      return 1 + req.key.length;
    case OCALL.writeDb:
      return 5 + req.key.length + req.value.length;
    case OCALL.readDbFirst:
      return 5 + req.key.length + req.fallbackKey.length;
    case OCALL.queryChain:
      return 13 + req.request.length;
    case OCALL.applyBatch:
      return batchSize(req.ops);
  }
}

function writeRequest(w: ByteWriter, req: PlainOcallRequest): void {
  switch (req.kind) {
    case OCALL.readDb:
    case OCALL.removeDb:
      w.u8(req.kind).raw(req.key);
      return;
    case OCALL.writeDb:
      w.u8(req.kind).bytes(req.key).raw(req.value);
      return;
    case OCALL.readDbFirst:
      w.u8(req.kind).bytes(req.key).raw(req.fallbackKey);
      return;
    case OCALL.queryChain:
      w.u8(req.kind).u64(req.gasLimit).u32(req.depth).raw(req.request);
      return;
    case OCALL.applyBatch:
      writeBatch(w, req.ops);
  }
}

export function decodeOcallRequest(body: Uint8Array): OcallRequest {
  const r = new ByteReader(body);
  const kind = r.u8("ocall kind");
  switch (kind) {
    case OCALL.readDb:
      return { kind, key: r.restSub("readDb key") };
    case OCALL.removeDb:
      return { kind, key: r.restSub("removeDb key") };
    case OCALL.writeDb: {
      const key = r.bytesSub("writeDb key");
      return { kind, key, value: r.restSub("writeDb value") };
    }
    case OCALL.queryChain: {
      const gasLimit = r.u64("queryChain gasLimit");
      const depth = r.u32("queryChain depth");
      return { kind, gasLimit, depth, request: r.restSub("queryChain request") };
    }
    case OCALL.applyBatch:
      return { kind, ops: decodeBatch(r) };
    case OCALL.readDbFirst: {
      const key = r.bytesSub("readDbFirst key");
      return { kind, key, fallbackKey: r.restSub("readDbFirst fallback key") };
    }
    case OCALL.charged:
    case OCALL.chargedPeek:
      return decodeWrapped(r, kind);
    default:
      throw new CodecError("ocall kind", `"ocall kind" unknown: ${kind}`);
  }
}

/** readDb's ok output: u8 0 (missing) | u8 1 ‖ value. */
export function encodeReadDbOutput(value: Uint8Array | undefined): Uint8Array {
  return value === undefined
    ? new Uint8Array([0])
    : new ByteWriter(1 + value.length).u8(1).raw(value).finish();
}

export function decodeReadDbOutput(out: Uint8Array): Uint8Array | undefined {
  const r = new ByteReader(out);
  const flag = r.u8("readDb presence");
  if (flag === 0) {
    r.end("readDb output");
    return undefined;
  }
  if (flag !== 1) throw new CodecError("readDb presence", `"readDb presence" must be 0 or 1`);
  return r.restSub("readDb value");
}

/** ecallResponseWithWrites body: bytes(applyBatch request) ‖ result (as encodeResult). One buffer, no copies. */
export function encodeEcallResponseWithWrites(ops: readonly BatchOp[], result: WireResult): Uint8Array {
  const batch = batchSize(ops);
  const message = "ok" in result ? undefined : errorMessageBytes(result.error);
  const w = new ByteWriter(4 + batch + resultSize(result, message)).u32(batch);
  writeBatch(w, ops);
  writeResult(w, result, message);
  return w.finish();
}

export function decodeEcallResponseWithWrites(body: Uint8Array): { ops: BatchOp[]; result: WireResult } {
  const r = new ByteReader(body);
  const batch = decodeOcallRequest(r.bytesSub("deferred writes"));
  if (batch.kind !== OCALL.applyBatch)
    throw new CodecError("deferred writes", `"deferred writes" not a batch`);
  return { ops: [...batch.ops], result: decodeResult(r.restSub("ecall result")) };
}

/** Which key of a readDbFirst answered: none, `key`, or `fallbackKey` (the output's first byte). */
export const READ_FIRST = Object.freeze({ none: 0, key: 1, fallbackKey: 2 } as const);
export type ReadFirstHit = (typeof READ_FIRST)[keyof typeof READ_FIRST];

/** readDbFirst's ok output: u8 READ_FIRST.none | u8 READ_FIRST.key|fallbackKey ‖ value. */
export function encodeReadDbFirstOutput(hit: ReadFirstHit, value: Uint8Array | undefined): Uint8Array {
  if (hit === READ_FIRST.none || value === undefined) return new Uint8Array([READ_FIRST.none]);
  return new ByteWriter(1 + value.length).u8(hit).raw(value).finish();
}

export function decodeReadDbFirstOutput(out: Uint8Array): {
  hit: ReadFirstHit;
  value: Uint8Array | undefined;
} {
  const r = new ByteReader(out);
  const hit = r.u8("readDbFirst hit");
  if (hit === READ_FIRST.none) {
    r.end("readDbFirst output");
    return { hit, value: undefined };
  }
  if (hit !== READ_FIRST.key && hit !== READ_FIRST.fallbackKey) {
    throw new CodecError("readDbFirst hit", `"readDbFirst hit" must be 0, 1 or 2`);
  }
  return { hit, value: r.restSub("readDbFirst value") };
}

/**
 * The ok output of a `charged` OCALL: u8 0 (the host's meter has no limit) | u8 1 ‖ u64 remaining SDK gas,
 * then the inner OCALL's ok output.
 */
export function encodeSyncedOutput(remaining: bigint | undefined, inner: Uint8Array): Uint8Array {
  const w = new ByteWriter((remaining === undefined ? 1 : 9) + inner.length);
  if (remaining === undefined) w.u8(0);
  else w.u8(1).u64(remaining);
  return w.raw(inner).finish();
}

export function decodeSyncedOutput(out: Uint8Array): { remaining: bigint | undefined; inner: Uint8Array } {
  const r = new ByteReader(out);
  const flag = r.u8("gas sync");
  if (flag !== 0 && flag !== 1) throw new CodecError("gas sync", `"gas sync" must be 0 or 1`);
  const remaining = flag === 0 ? undefined : r.u64("gas sync remaining");
  return { remaining, inner: r.restSub("charged output") };
}

/**
 * The ok output of a `chargedPeek` OCALL: the gas sync (as `charged`), u32 m ‖ per peeked key u8 0 (not
 * offered) | u8 1 ‖ u32 index ‖ u64 charge ‖ u8 present ‖ [u32 len ‖ value], then the inner OCALL's ok output.
 */
export function encodePeekedOutput(
  remaining: bigint | undefined,
  peeks: readonly (PeekAnswer | undefined)[],
  inner: Uint8Array,
): Uint8Array {
  let size = (remaining === undefined ? 1 : 9) + 4 + inner.length;
  for (const p of peeks) size += p === undefined ? 1 : 14 + (p.value === undefined ? 0 : 4 + p.value.length);
  const w = new ByteWriter(size);
  if (remaining === undefined) w.u8(0);
  else w.u8(1).u64(remaining);
  w.u32(peeks.length);
  for (const p of peeks) {
    if (p === undefined) w.u8(0);
    else {
      w.u8(1).u32(p.index).u64(p.charge);
      if (p.value === undefined) w.u8(0);
      else w.u8(1).bytes(p.value);
    }
  }
  return w.raw(inner).finish();
}

export function decodePeekedOutput(out: Uint8Array): {
  remaining: bigint | undefined;
  peeks: (PeekAnswer | undefined)[];
  inner: Uint8Array;
} {
  const r = new ByteReader(out);
  const flag = r.u8("gas sync");
  if (flag !== 0 && flag !== 1) throw new CodecError("gas sync", `"gas sync" must be 0 or 1`);
  const remaining = flag === 0 ? undefined : r.u64("gas sync remaining");
  const m = r.u32("peek count");
  if (m > MAX_PEEK_KEYS) throw new CodecError("peek count", `"peek count" too many`);
  const peeks: (PeekAnswer | undefined)[] = [];
  for (let i = 0; i < m; i++) {
    const offered = r.u8("peek offered");
    if (offered === 0) {
      peeks.push(undefined);
      continue;
    }
    if (offered !== 1) throw new CodecError("peek offered", `"peek offered" must be 0 or 1`);
    const index = prefetchIndex(r);
    const charge = r.u64("peek charge");
    const present = r.u8("peek presence");
    if (present !== 0 && present !== 1)
      throw new CodecError("peek presence", `"peek presence" must be 0 or 1`);
    peeks.push({ index, charge, value: present === 1 ? r.bytesSub("peek value") : undefined });
  }
  return { remaining, peeks, inner: r.restSub("charged output") };
}

/** fatal: u32 code ‖ utf8 message (same safety rules as an ECALL error). */
export function encodeFatal(err: WireError): Uint8Array {
  const message = err.message.slice(0, MAX_ERROR_MESSAGE_CHARS);
  return new ByteWriter(64).u32(err.code).raw(utf8.encode(message)).finish();
}

export function decodeFatal(body: Uint8Array): WireError {
  const r = new ByteReader(body);
  const code = r.u32("fatal code");
  try {
    return { code, message: utf8.decode(r.restSub("fatal message")).slice(0, MAX_ERROR_MESSAGE_CHARS) };
  } catch {
    return { code, message: "fatal enclave error" };
  }
}
