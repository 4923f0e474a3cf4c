// Test double of the host side of x/compute, just enough to drive contract→contract flows through the
// real enclave operations: it routes wasm sub-messages (with their callback_sig) to the callee, builds the
// Reply from the callee's internal id / signature / encrypted data, and answers smart queries by running
// the callee's query (nested, with the depth the enclave passes). No bank, no gas accounting, and no user
// tx signatures (verifyTxSignatures: false; ../txSignature.test.ts covers those).
import { concatBytes, fromBase64, toBase64, utf8 } from "../../../util/bytes.js";
import type { ContractKeyInfo } from "../../contractKey.js";
import { OperationError, runContract } from "../operations.js";
import type { ContractCallOutput, ContractOp } from "../types.js";
import type { RawQueryFn } from "../querier.js";
import { MemStore, baseEnv, keys, type Code } from "./harness.js";

interface Deployed {
  readonly code: Code;
  readonly store: MemStore;
  key: ContractKeyInfo;
}

type Json = Record<string, unknown>;

export class MiniChain {
  readonly contracts = new Map<string, Deployed>();
  /** Every call the chain made, in order (op, contract). */
  readonly trace: string[] = [];
  counter = 0n;
  /** The block's plaintext random handed to every call (spec §9), when set. */
  blockRandom: Uint8Array | undefined;

  constructor(readonly gasLimit = 10_000_000_000n) {}

  private run(
    op: ContractOp,
    addr: string,
    sender: string,
    msg: Uint8Array,
    extra: Json = {},
  ): ContractCallOutput {
    const c = this.contracts.get(addr);
    if (c === undefined) throw new Error(`no contract ${addr}`);
    this.trace.push(`${op} ${addr.slice(0, 12)}`);
    const funds = (extra.funds as { denom: string; amount: string }[] | undefined) ?? [];
    return runContract(
      { keys, store: c.store, query: this.queryChain, verifyTxSignatures: false },
      {
        op,
        module: c.code.module,
        codeHash: c.code.codeHash,
        env: baseEnv({ sender, contract: addr, funds }),
        msg,
        contractKey: op === "instantiate" ? undefined : c.key,
        callbackSig: extra.callbackSig as Uint8Array | undefined,
        blockRandom: this.blockRandom,
        msgCounter: this.counter++,
        queryDepth: (extra.depth as number | undefined) ?? 0,
        gasLimit: this.gasLimit,
      },
    );
  }

  instantiate(code: Code, addr: string, sender: string, msg: Uint8Array): ContractCallOutput {
    this.contracts.set(addr, { code, store: new MemStore(), key: { ogContractKey: new Uint8Array(64) } });
    const out = this.run("instantiate", addr, sender, msg);
    this.contracts.get(addr)!.key = { ogContractKey: out.contractKey! };
    return out;
  }

  /** Executes and then dispatches sub-messages and replies depth-first, as x/compute does. */
  execute(addr: string, sender: string, msg: Uint8Array, extra: Json = {}): ContractCallOutput {
    const out = this.run("execute", addr, sender, msg, extra);
    this.dispatch(addr, msg.slice(0, 64), out);
    return out;
  }

  private dispatch(caller: string, noncePk: Uint8Array, out: ContractCallOutput): void {
    const ok = out.output.ok as { messages?: Json[] } | undefined;
    for (const sub of ok?.messages ?? []) {
      const wasm = (sub.msg as Json).wasm as Json | undefined;
      const exec = wasm?.execute as Json | undefined;
      if (exec === undefined) continue;
      const target = exec.contract_addr as string;
      let calleeOut: ContractCallOutput | undefined;
      let error: string | undefined;
      try {
        calleeOut = this.execute(target, caller, fromBase64(exec.msg as string), {
          callbackSig: Uint8Array.from(exec.callback_sig as number[]),
          funds: exec.send ?? exec.funds,
        });
      } catch (e) {
        if (!(e instanceof OperationError)) throw e;
        error = e.message;
      }
      const replyOn = sub.reply_on as string;
      if (calleeOut === undefined || error !== undefined || replyOn === "never") continue;
      const failed = calleeOut.output.err !== undefined;
      if (replyOn === "success" && failed) continue;
      if (replyOn === "error" && !failed) continue;
      const calleeOk = calleeOut.output.ok as { data?: string | null } | undefined;
      const result = failed
        ? { error: (calleeOut.output.err as { generic_err: { msg: string } }).generic_err.msg }
        : { ok: { events: [], data: calleeOk?.data ?? null } };
      const wire = {
        id: toBase64(calleeOut.output.internalMsgId!),
        result,
        was_orig_msg_encrypted: true,
        is_encrypted: true,
      };
      const replyOut = this.run(
        "reply",
        caller,
        caller,
        concatBytes(noncePk, utf8.encode(JSON.stringify(wire))),
        {
          callbackSig: calleeOut.output.internalReplyEnclaveSig,
        },
      );
      this.dispatch(caller, noncePk, replyOut);
    }
  }

  queryContract(addr: string, msg: Uint8Array, depth = 0): ContractCallOutput {
    return this.run("query", addr, "", msg, { depth });
  }

  /** The host's queryChain OCALL: smart queries run the callee (x/compute answers in Secret's JSON). */
  readonly queryChain: RawQueryFn = (request, _gas, depth) => {
    const req = JSON.parse(utf8.decode(request)) as {
      wasm?: { smart?: { contract_addr: string; msg: string } };
    };
    const smart = req.wasm?.smart;
    if (smart === undefined)
      return { result: utf8.encode('{"Err":{"unsupported_request":{"kind":"test"}}}'), gasUsed: 0n };
    try {
      const out = this.queryContract(smart.contract_addr, fromBase64(smart.msg), depth);
      if (out.output.err !== undefined) {
        const msg = (out.output.err as { generic_err: { msg: string } }).generic_err.msg;
        return {
          result: utf8.encode(JSON.stringify({ Ok: { Err: `encrypted: ${msg}: query contract failed` } })),
          gasUsed: out.gasUsed,
        };
      }
      return { result: utf8.encode(JSON.stringify({ Ok: { Ok: out.output.ok } })), gasUsed: out.gasUsed };
    } catch (e) {
      if (!(e instanceof OperationError)) throw e;
      return { result: utf8.encode(JSON.stringify({ Ok: { Err: e.message } })), gasUsed: e.gasUsed };
    }
  };
}
