// Contract ECALLs: loadCode (gatekeep + compile an upload), instantiate / execute / query / migrate / reply
// (../contract/operations.ts) and updateAdmin. Payload and answer encodings are in ../contract/wire.ts and
// ../contract/README.md. Gas is reported through ctx.setGasUsed on success and on failure.
import { equalBytes, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { EnclaveError } from "../errors.js";
import { updateAdmin } from "../contract/admin.js";
import { OperationError, runContract } from "../contract/operations.js";
import { decodeContractRequest, decodeUpdateAdminRequest, encodeContractResponse } from "../contract/wire.js";
import type { ContractOp } from "../contract/types.js";
import { READ_FIRST, type BatchOp } from "../channel/frames.js";
import { CompiledCodeCache } from "../vm/wasm/cache.js";
import { WasmGateError } from "../vm/wasm/errors.js";
import { prepareCode, uncompressCode } from "../vm/wasm/prepare.js";
import type { WasmModule } from "../vm/webassembly.js";
import type { EcallContext, EcallHandler, EcallTable } from "./index.js";
import { enclaveKeys } from "./state.js";
import { LaneReadCache, type LaneRead } from "../laneReads.js";

/** One compiled-module cache per enclave worker (speed only; a miss recompiles the same metered bytes). */
const cache = new CompiledCodeCache();

function gateError(e: unknown): never {
  if (e instanceof WasmGateError) throw new EnclaveError("InvalidWasm", e.message);
  throw e;
}

/**
 * The compiled, metered module of `codeHash`. A cached module is used as is (the host's bytes are then not
 * needed, nor hashed); otherwise `wasm` (raw or gzip) must hash to `codeHash` and pass the gatekeeper.
 */
function moduleFor(codeHash: Uint8Array, wasm: Uint8Array): WasmModule {
  if (cache.has(codeHash)) {
    return cache.getOrCompile({
      codeHash,
      metered: new Uint8Array(),
      memoryMinPages: 0,
    }) as unknown as WasmModule;
  }
  if (wasm.length === 0) throw new EnclaveError("InvalidWasm", "code not loaded");
  try {
    if (!equalBytes(sha256(uncompressCode(wasm)), codeHash)) {
      throw new EnclaveError("InvalidWasm", "code hash mismatch");
    }
    return cache.getOrCompile(prepareCode(wasm)) as unknown as WasmModule;
  } catch (e) {
    return gateError(e);
  }
}

/** loadCode: payload = the upload (raw or gzip). Answer: JSON {code_hash, interface, requires_random, features}. */
const loadCode: EcallHandler = (payload) => {
  try {
    const p = prepareCode(payload);
    cache.getOrCompile(p);
    const answer = {
      code_hash: toHex(p.codeHash),
      interface: p.interface,
      requires_random: p.requiresRandom,
      features: p.features,
    };
    return utf8.encode(JSON.stringify(answer));
  } catch (e) {
    return gateError(e);
  }
};

/** A query lane's memo of committed-state reads (../laneReads.ts); the main isolate has none. */
const laneReads = new LaneReadCache();

/** The readDb of one call: on a query lane, a query's reads go through the lane's committed-state memo. */
function readerFor(op: ContractOp, req: ContractRequestEnv, ctx: EcallContext): (k: Uint8Array) => LaneRead {
  const ocall = (k: Uint8Array): LaneRead => ctx.ocalls.readDb(k);
  if (!onLane(op, ctx)) return ocall;
  return laneReads.scope(req.env.block.height, req.env.contract.address, ocall);
}

const onLane = (op: ContractOp, ctx: EcallContext): boolean =>
  op === "query" && ctx.runtime.queryLane === true;

/** readDbFirst: the new-format key, then the old one only if missing, in one round trip (../channel/frames.ts). */
function readFirstOcall(ctx: EcallContext) {
  return (k: Uint8Array, fallback: Uint8Array) => {
    const r = ctx.ocalls.readDbFirst(k, fallback);
    return { value: r.value, fromFallback: r.hit === READ_FIRST.fallbackKey, gas: r.gasUsed };
  };
}

interface ContractRequestEnv {
  readonly env: {
    readonly block: { readonly height: bigint };
    readonly contract: { readonly address: string };
  };
}

function contractHandler(op: ContractOp): EcallHandler {
  return (payload: Uint8Array, ctx: EcallContext) => {
    const req = decodeContractRequest(payload);
    const module = moduleFor(req.codeHash, req.wasm);
    const readDb = readerFor(op, req, ctx);
    const svc = {
      keys: enclaveKeys(ctx.runtime),
      store: {
        read: (k: Uint8Array) => {
          const r = readDb(k);
          return { value: r.value, gas: r.gasUsed };
        },
        write: (k: Uint8Array, v: Uint8Array) => ({ gas: ctx.ocalls.writeDb(k, v).gasUsed }),
        remove: (k: Uint8Array) => ({ gas: ctx.ocalls.removeDb(k).gasUsed }),
        // The flush is a call's last store access: its writes ride on the ECALL response (one round trip
        // less); the host adds their gas to the result, so the call reports none for them here.
        applyBatch: (ops: readonly BatchOp[]) => {
          ctx.deferWrites(ops);
          return { gas: 0n };
        },
        // A lane's reads go through its memo one key at a time; elsewhere a new-then-old lookup is one OCALL.
        ...(onLane(op, ctx) ? {} : { readFirst: readFirstOcall(ctx) }),
      },
      // Contract `debug` output is dropped unless the enclave was started with its debug flag (tests).
      debugSink: ctx.runtime.debug
        ? (m: string) => process.stderr.write(`contract debug: ${m}\n`)
        : undefined,
      query: (request: Uint8Array, gasLimit: bigint, depth: number) => {
        const r = ctx.ocalls.queryChain(request, gasLimit, depth);
        return { result: r.result, gasUsed: r.gasUsed };
      },
    };
    try {
      const out = runContract(svc, { ...req, op, module, gasLimit: ctx.gasLimit });
      ctx.setGasUsed(out.gasUsed);
      return encodeContractResponse(op, out);
    } catch (e) {
      if (e instanceof OperationError) {
        ctx.setGasUsed(e.gasUsed);
        throw e.error;
      }
      throw e;
    }
  };
}

/**
 * updateAdmin: JSON {sender, contract (bech32), og_contract_key, current_admin, current_admin_proof, new_admin,
 * sig_info? | callback_sig?} (binary fields base64; empty new_admin clears). Answer: {admin_proof}.
 */
const updateAdminHandler: EcallHandler = (payload, ctx) => {
  const { sender, contract, fields, sigInfo, callbackSig } = decodeUpdateAdminRequest(payload);
  const proof = updateAdmin(enclaveKeys(ctx.runtime), { sender, contract, ...fields, sigInfo, callbackSig });
  return utf8.encode(JSON.stringify({ admin_proof: Buffer.from(proof).toString("base64") }));
};

export const contractEcalls: EcallTable = {
  loadCode,
  instantiate: contractHandler("instantiate"),
  execute: contractHandler("execute"),
  query: contractHandler("query"),
  migrate: contractHandler("migrate"),
  reply: contractHandler("reply"),
  updateAdmin: updateAdminHandler,
};
