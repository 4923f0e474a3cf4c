// A prepared call's request template (ComputeEngine.prepareRequest) must change nothing the enclave is sent: an
// execute whose every request input equals its prepare's is spliced from the template, any other one is encoded
// whole, and either way the bytes equal a fresh encode. Two engines with their real keepers over the same
// state, one stand-in enclave each that records the request and answers at once: one engine prepares first
// (maybe with one input changed in between, each input of the request in turn, then seeded random sets of
// changes), the other never prepares.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { GasKVStore, GasMeter, SECRET_KV_GAS_CONFIG } from "../../gas.js";
import { MemoryKVStore, MemoryOverlay } from "../../store/memory.js";
import { EventManager, type Context } from "../../tx/context.js";
import { utf8 } from "../../../util/bytes.js";
import { ComputeEngine, type CallRequest } from "./engine.js";
import { ComputeKeeper } from "./keeper.js";

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const ANSWER = utf8.encode(JSON.stringify({ op: "execute", ok: { messages: [], events: [], data: null } }));
const RANDOM = bytes(32, 9);

function engine(): { engine: ComputeEngine; sent: () => Uint8Array } {
  let sent: Uint8Array = new Uint8Array();
  const enclave = {
    ecall(_op: string, payload: Uint8Array) {
      sent = payload;
      return { ok: ANSWER, gasUsed: 1000n };
    },
  };
  const e = new ComputeEngine(enclave, new ComputeKeeper(), {} as never, {
    blockRandom: () => RANDOM,
    txOf: () => undefined,
  });
  return { engine: e, sent: () => sent };
}

function ctxOf(block: MemoryOverlay, over: Partial<Context> = {}): Context {
  const meter = new GasMeter(5_000_000n);
  return {
    store: new GasKVStore(new MemoryOverlay(block), meter, SECRET_KV_GAS_CONFIG),
    gasMeter: meter,
    events: new EventManager(),
    chainId: "secretdev-1",
    blockHeight: 100n,
    blockTimeNs: 1_700_000_000_000_000_000n,
    txHash: bytes(32, 5),
    txIndex: 3,
    isCheckTx: false,
    simulate: false,
    ...over,
  };
}

/** Every field of a CallRequest present (the mutations below must cover each of them). */
const BASE: CallRequest = {
  op: "execute",
  contract: bytes(20, 1),
  code: { codeId: 1n, codeHash: "ab".repeat(32), creator: bytes(20, 3), source: "", builder: "" } as never,
  sender: "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03",
  funds: [{ denom: "uscrt", amount: "5" }],
  msg: bytes(400, 2),
  contractKey: { og: bytes(64, 4), current: bytes(64, 5), proof: bytes(32, 6) },
  callbackSig: undefined,
  sigInfo: {
    signMode: 1,
    signBytes: bytes(620, 6),
    signature: bytes(64, 7),
    txBytes: bytes(760, 8),
    publicKey: bytes(33, 9),
  },
  admin: bytes(20, 10),
  adminProof: bytes(32, 11),
  queryDepth: 0,
};

/** One change per request input, named by the field it touches (a copy of the bytes never counts as one). */
const flip = (b: Uint8Array): Uint8Array => {
  const c = Uint8Array.from(b);
  c[c.length - 1]! ^= 1;
  return c;
};
/** A change of a part a previous change removed is no change. */
const sig = (r: CallRequest, f: (g: NonNullable<CallRequest["sigInfo"]>) => object): CallRequest =>
  r.sigInfo === undefined ? r : { ...r, sigInfo: { ...r.sigInfo, ...f(r.sigInfo) } };
const key = (r: CallRequest, f: (k: NonNullable<CallRequest["contractKey"]>) => object): CallRequest =>
  r.contractKey === undefined ? r : { ...r, contractKey: { ...r.contractKey, ...f(r.contractKey) } };
const CHANGES: Record<string, (r: CallRequest) => CallRequest> = {
  op: (r) => ({ ...r, op: "migrate" }),
  contract: (r) => ({ ...r, contract: flip(r.contract) }),
  code: (r) => ({ ...r, code: { ...r.code, codeHash: "cd".repeat(32) } }),
  sender: (r) => ({ ...r, sender: `${r.sender}x` }),
  funds: (r) => ({ ...r, funds: [{ denom: "uscrt", amount: "6" }] }),
  fundsLength: (r) => ({ ...r, funds: [] }),
  fundsDenom: (r) => ({ ...r, funds: [{ denom: "ufoo", amount: "5" }] }),
  msg: (r) => ({ ...r, msg: flip(r.msg) }),
  msgCopy: (r) => ({ ...r, msg: Uint8Array.from(r.msg) }),
  contractKey: (r) => key(r, (k) => ({ og: flip(k.og) })),
  contractKeyCurrent: (r) => key(r, () => ({ current: undefined })),
  contractKeyProof: (r) => key(r, (k) => ({ proof: flip(k.proof!) })),
  contractKeyNone: (r) => ({ ...r, contractKey: undefined }),
  callbackSig: (r) => ({ ...r, callbackSig: bytes(32, 12) }),
  sigInfo: (r) => ({ ...r, sigInfo: undefined }),
  sigInfoMode: (r) => sig(r, () => ({ signMode: 127 })),
  sigInfoSignBytes: (r) => sig(r, (g) => ({ signBytes: flip(g.signBytes) })),
  sigInfoSignature: (r) => sig(r, (g) => ({ signature: flip(g.signature) })),
  sigInfoTxBytes: (r) => sig(r, (g) => ({ txBytes: flip(g.txBytes) })),
  sigInfoPublicKey: (r) => sig(r, () => ({ publicKey: undefined })),
  admin: (r) => ({ ...r, admin: flip(r.admin!) }),
  adminProof: (r) => ({ ...r, adminProof: undefined }),
  queryDepth: (r) => ({ ...r, queryDepth: 1 }),
};
const CTX_CHANGES: Record<string, Partial<Context>> = {
  chainId: { chainId: "secret-4" },
  blockHeight: { blockHeight: 101n },
  blockTimeNs: { blockTimeNs: 1_700_000_000_000_000_001n },
  txHash: { txHash: flip(bytes(32, 5)) },
  txHashNone: { txHash: new Uint8Array() },
  txIndex: { txIndex: 4 },
};

/**
 * The request each engine sends for (ctxC, rC), one of them having prepared (ctxP, rP) first, and whether it
 * spliced. A fresh overlay per case: both engines take message counter 0 of the same state.
 */
function sendBoth(
  rP: CallRequest,
  over: Partial<Context>,
  rC: CallRequest,
): { prepared: Uint8Array; fresh: Uint8Array; spliced: boolean } {
  const block = new MemoryOverlay(new MemoryKVStore());
  const [a, b] = [engine(), engine()];
  a.engine.prepareRequest(ctxOf(block, { txHash: BASE_CTX_HASH }), rP);
  const run = (e: ComputeEngine): void => {
    const ctx = ctxOf(block, over);
    e.call(ctx, rC, e.vmGasLimit(ctx));
  };
  run(a.engine);
  run(b.engine);
  assert.equal(b.engine.templateStats.spliced, 0);
  return { prepared: a.sent(), fresh: b.sent(), spliced: a.engine.templateStats.spliced === 1 };
}
const BASE_CTX_HASH = bytes(32, 5);

describe("compute engine: prepared request templates", () => {
  test("an unchanged execute is spliced from its template: the same bytes as a fresh encode", () => {
    const s = sendBoth(BASE, {}, BASE);
    assert.equal(s.spliced, true);
    assert.deepEqual(s.prepared, s.fresh);
  });

  test("every request input changed alone: no splice (or an equal one for a copy), always the fresh bytes", () => {
    // Each CallRequest field has a change below (a field added to CallRequest needs one, and sameCall a check).
    for (const k of Object.keys(BASE)) assert.ok(k in CHANGES, `no change for ${k}`);
    for (const [name, change] of Object.entries(CHANGES)) {
      const s = sendBoth(BASE, {}, change(BASE));
      assert.deepEqual(s.prepared, s.fresh, name);
      assert.equal(s.spliced, name === "msgCopy", name);
    }
    for (const [name, over] of Object.entries(CTX_CHANGES)) {
      const s = sendBoth(BASE, over, BASE);
      assert.deepEqual(s.prepared, s.fresh, name);
      assert.equal(s.spliced, false, name);
    }
  });

  test("seeded random sets of changes: the bytes sent always equal a fresh encode", () => {
    const names = Object.keys(CHANGES);
    const ctxNames = Object.keys(CTX_CHANGES);
    fc.assert(
      fc.property(
        fc.subarray(names),
        fc.subarray(ctxNames, { maxLength: 2 }),
        fc.boolean(),
        (picked, ctxPicked, onPrepare) => {
          let r = BASE;
          for (const n of picked) r = CHANGES[n]!(r);
          const over = Object.assign({}, ...ctxPicked.map((n) => CTX_CHANGES[n]));
          // The changes apply to the call, or to the prepare (then the call is the base one).
          const s = onPrepare ? sendBoth(r, over, BASE) : sendBoth(BASE, over, r);
          assert.deepEqual(s.prepared, s.fresh);
          if (ctxPicked.length === 0 && picked.every((n) => n === "msgCopy")) assert.equal(s.spliced, true);
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });
});
