// The verifySignatures ECALL (a verify lane's only job, ../verifyLane.ts): checks a batch of tx signatures
// exactly as the execute path's signature step does and answers a verdict token per signature that holds.
// Read-only, no OCALLs, gas 0 (it is not consensus: a token only ever saves the execute ECALL a verify).
import { ByteReader, ByteWriter } from "../channel/codec.js";
import { issueVerdict, type SigInfo } from "../contract/txSignature.js";
import { VERDICT_TOKEN_LENGTH, VerdictMac } from "../contract/verdict.js";
import { InvalidInputError } from "../../util/bytes.js";
import type { EcallHandler, EcallTable, EnclaveRuntime } from "./index.js";
import { enclaveState } from "./state.js";

/** Most signatures per verifySignatures call (a lane answers in chunks; ~0.25 ms each). */
export const MAX_VERIFY_BATCH = 256;

/** One signature to check: the execute ECALL's sig_info fields it depends on, and the sender (canonical). */
export interface SignatureCheckInput {
  readonly signMode: number;
  readonly signer: Uint8Array;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** Amino only: the protobuf Any of the key; absent for DIRECT. */
  readonly publicKey?: Uint8Array | undefined;
}

/** Payload: u32 n ‖ (u32 sign mode ‖ bytes signer ‖ bytes sign bytes ‖ bytes signature ‖ optBytes pk)ⁿ. */
export function encodeVerifyRequest(checks: readonly SignatureCheckInput[]): Uint8Array {
  if (checks.length > MAX_VERIFY_BATCH)
    throw new InvalidInputError("signature checks", `"signature checks" at most ${MAX_VERIFY_BATCH}`);
  const w = new ByteWriter(64 + checks.reduce((n, c) => n + 160 + c.signBytes.length, 0));
  w.u32(checks.length);
  for (const c of checks) {
    w.u32(c.signMode).bytes(c.signer).bytes(c.signBytes).bytes(c.signature).optBytes(c.publicKey);
  }
  return w.finish();
}

export function decodeVerifyRequest(payload: Uint8Array): SignatureCheckInput[] {
  const r = new ByteReader(payload);
  const n = r.u32("signature checks");
  if (n > MAX_VERIFY_BATCH)
    throw new InvalidInputError("signature checks", `"signature checks" at most ${MAX_VERIFY_BATCH}`);
  const out: SignatureCheckInput[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      signMode: r.u32("sign mode"),
      signer: r.bytes("signer"),
      signBytes: r.bytes("sign bytes"),
      signature: r.bytes("signature"),
      publicKey: r.optBytes("public key"),
    });
  }
  r.end("signature checks");
  return out;
}

/** Answer: u32 n ‖ (u8 0 | u8 1 ‖ token(32))ⁿ, in request order; 0 = no verdict (the execute ECALL verifies). */
export function encodeVerifyAnswer(tokens: readonly (Uint8Array | undefined)[]): Uint8Array {
  const w = new ByteWriter(4 + tokens.length * (1 + VERDICT_TOKEN_LENGTH));
  w.u32(tokens.length);
  for (const t of tokens) {
    if (t === undefined) w.u8(0);
    else w.u8(1).raw(t);
  }
  return w.finish();
}

export function decodeVerifyAnswer(answer: Uint8Array): (Uint8Array | undefined)[] {
  const r = new ByteReader(answer);
  const n = r.u32("verdicts");
  if (n > MAX_VERIFY_BATCH) throw new InvalidInputError("verdicts", `"verdicts" at most ${MAX_VERIFY_BATCH}`);
  const out: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const flag = r.u8("verdict");
    if (flag !== 0 && flag !== 1) throw new InvalidInputError("verdict", `"verdict" has a bad flag`);
    out.push(flag === 1 ? r.fixed(VERDICT_TOKEN_LENGTH, "verdict token") : undefined);
  }
  r.end("verdicts");
  return out;
}

const MAC_SLOT = "verdictMac";

/** This isolate's verdict key, derived once from the platform secret it unsealed at start. */
export function verdictMac(runtime: EnclaveRuntime): VerdictMac {
  let mac = runtime.slots.get(MAC_SLOT) as VerdictMac | undefined;
  if (mac === undefined) {
    mac = VerdictMac.derive(enclaveState(runtime).platformSecret);
    runtime.slots.set(MAC_SLOT, mac);
  }
  return mac;
}

const verifySignatures: EcallHandler = (payload, ctx) => {
  const mac = verdictMac(ctx.runtime);
  const tokens = decodeVerifyRequest(payload).map((c) => {
    const sig: SigInfo = {
      signMode: c.signMode,
      signBytes: c.signBytes,
      signature: c.signature,
      txBytes: new Uint8Array(0),
      ...(c.publicKey === undefined ? {} : { publicKey: c.publicKey }),
    };
    return issueVerdict(sig, c.signer, mac);
  });
  ctx.setGasUsed(0n);
  return encodeVerifyAnswer(tokens);
};

export const verifyEcalls: EcallTable = { verifySignatures };
