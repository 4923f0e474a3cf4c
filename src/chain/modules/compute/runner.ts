// The contract operations of x/compute on the host: instantiate, execute, migrate, reply and admin changes,
// each = checks → funds → enclave ECALL (./engine.ts) → state → events → dispatch of the contract's messages
// (./dispatch.ts). Used by the msg server (user txs) and by dispatch (contract-sent messages).
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, fromBase64, toBase64, u64be, utf8 } from "../../../util/bytes.js";
import type { ContractSigInfo } from "../../../enclave/api.js";
import { fromBech32, toBech32 } from "../../address.js";
import { ChainError, SdkErrors, type RegisteredError } from "../../errors.js";
import { coinsToWire, type Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import { dispatchError, dispatchMessages } from "./dispatch.js";
import {
  contractError,
  EnclaveCallFailed,
  type CallAnswer,
  type CallRequest,
  type ComputeEngine,
} from "./engine.js";
import { ComputeErrors } from "./errors.js";
import { emitCallEvent, emitContractEvents, emitUpdateAdmin, isV1Answer } from "./events.js";
import type { ComputeAccountKeeper, ComputeBankKeeper, ComputeEnclave } from "./expectedKeepers.js";
import type { ComputeKeeper } from "./keeper.js";
import { HISTORY_OP } from "./types.js";

/** SDK gas charged per contract instance call (SN types InstanceCost; spec consensus-storage-perf §3). */
export const INSTANCE_COST = 20_000n;

/** Who sent a message: a user (sig_info from the signed tx) or a contract (callback_sig). */
export interface Caller {
  readonly sender: Uint8Array;
  readonly callbackSig?: Uint8Array | undefined;
  readonly sigInfo?: ContractSigInfo | undefined;
}

/** RIPEMD160(SHA256(u64_be((code_id << 32) + instance_id) ‖ creator)) (spec secret-protocol §10). */
export function contractAddress(codeId: bigint, instanceId: bigint, creator: Uint8Array): Uint8Array {
  const id = ((codeId << 32n) + instanceId) & 0xffff_ffff_ffff_ffffn;
  return ripemd160(sha256(concatBytes(u64be(id), creator)));
}

export interface CallResult {
  /** The contract's (encrypted) data, base64, after replies; null when none. */
  readonly data: string | null;
  /**
   * The enclave answer that produced `data` (reply id and signature for a replying caller): the call's own, or
   * that of the reply that replaced its result.
   */
  readonly answer: CallAnswer;
}

export class ContractRunner {
  constructor(
    readonly engine: ComputeEngine,
    readonly keeper: ComputeKeeper,
    readonly bank: ComputeBankKeeper,
    readonly accounts: ComputeAccountKeeper,
    readonly enclave: ComputeEnclave,
    /** Routes a contract's staking/distribution/gov/Stargate messages to their handlers (absent: refused). */
    readonly sdkMsgs?: MsgRegistry,
  ) {}

  /** One ECALL with gas charged (also on enclave failure); contract errors become `failed` ChainErrors. */
  private run(ctx: Context, r: CallRequest, failed: RegisteredError): CallAnswer {
    ctx.gasMeter.consume(INSTANCE_COST, `Loading CosmWasm module: ${r.op}`);
    let a: CallAnswer;
    try {
      a = this.engine.call(ctx, r, this.engine.vmGasLimit(ctx));
    } catch (e) {
      if (!(e instanceof EnclaveCallFailed)) throw e;
      this.engine.chargeVmGas(ctx, e.gasUsed);
      // The VM used the whole limit: report the SDK's out-of-gas (sdk 11), as Secret does.
      if (e.outOfGas) ctx.gasMeter.consume((ctx.gasMeter.remaining ?? 0n) + 1n, "wasm contract");
      throw new ChainError(failed, e.message);
    }
    this.engine.chargeVmGas(ctx, a.gasUsed);
    if (a.err !== undefined) throw new ContractFailure(failed, a);
    return a;
  }

  private sendFunds(ctx: Context, from: Uint8Array, to: Uint8Array, funds: readonly Coin[]): void {
    if (funds.length === 0) return;
    this.bank.isSendEnabledCoins(ctx, funds);
    this.bank.sendCoins(ctx, from, to, funds);
  }

  instantiate(
    ctx: Context,
    c: Caller,
    m: { codeId: bigint; label: string; msg: Uint8Array; funds: readonly Coin[]; admin: string },
  ): CallResult & { address: Uint8Array } {
    const code = this.keeper.mustCodeInfo(ctx, m.codeId);
    if (this.keeper.addressByLabel(ctx, m.label) !== undefined)
      throw new ChainError(ComputeErrors.AccountExists, m.label);
    const addr = contractAddress(m.codeId, this.keeper.nextInstanceId(ctx), c.sender);
    if (this.accounts.hasAccount(ctx, addr) || this.keeper.getContract(ctx, addr) !== undefined)
      throw new ChainError(ComputeErrors.AccountExists, toBech32(addr));
    this.accounts.ensureAccount(ctx, addr);
    this.sendFunds(ctx, c.sender, addr, m.funds);
    const admin = m.admin === "" ? undefined : fromBech32(m.admin, "admin");
    const a = this.run(
      ctx,
      {
        op: "instantiate",
        contract: addr,
        code,
        sender: toBech32(c.sender),
        funds: coinsToWire(m.funds),
        msg: m.msg,
        callbackSig: c.callbackSig,
        sigInfo: c.sigInfo,
        admin,
        queryDepth: 0,
      },
      ComputeErrors.InstantiateFailed,
    );
    if (a.contractKey === undefined)
      throw new ChainError(ComputeErrors.InstantiateFailed, "enclave returned no contract key");
    const created = { blockHeight: ctx.blockHeight, txIndex: BigInt(ctx.txIndex) };
    this.keeper.setContract(ctx, addr, {
      codeId: m.codeId,
      creator: toBech32(c.sender),
      label: m.label,
      created,
      admin: m.admin,
      adminProof: a.adminProof === undefined ? "" : toBase64(a.adminProof),
    });
    this.keeper.setContractKey(ctx, addr, { og: a.contractKey });
    this.keeper.setLabel(ctx, m.label, addr);
    this.keeper.indexByCode(ctx, m.codeId, created, addr);
    this.keeper.appendHistory(ctx, addr, {
      operation: HISTORY_OP.init,
      codeId: m.codeId,
      updated: created,
      msg: toBase64(m.msg),
    });
    if (isV1Answer(a.ok)) emitCallEvent(ctx.events, "instantiate", toBech32(addr), m.codeId);
    return { address: addr, ...this.finish(ctx, addr, m.msg, a) };
  }

  execute(
    ctx: Context,
    c: Caller,
    m: { contract: Uint8Array; msg: Uint8Array; funds: readonly Coin[] },
  ): CallResult {
    const info = this.keeper.mustContract(ctx, m.contract);
    const code = this.keeper.mustCodeInfo(ctx, info.codeId);
    this.sendFunds(ctx, c.sender, m.contract, m.funds);
    const a = this.run(
      ctx,
      {
        op: "execute",
        contract: m.contract,
        code,
        sender: toBech32(c.sender),
        funds: coinsToWire(m.funds),
        msg: m.msg,
        contractKey: this.keeper.getContractKey(ctx, m.contract),
        callbackSig: c.callbackSig,
        sigInfo: c.sigInfo,
        queryDepth: 0,
      },
      ComputeErrors.ExecuteFailed,
    );
    if (isV1Answer(a.ok)) emitCallEvent(ctx.events, "execute", toBech32(m.contract), info.codeId);
    return this.finish(ctx, m.contract, m.msg, a);
  }

  migrate(ctx: Context, c: Caller, m: { contract: Uint8Array; codeId: bigint; msg: Uint8Array }): CallResult {
    const info = this.keeper.mustContract(ctx, m.contract);
    if (info.admin !== toBech32(c.sender)) throw new ChainError(SdkErrors.Unauthorized, "can not migrate");
    const code = this.keeper.mustCodeInfo(ctx, m.codeId);
    const a = this.run(
      ctx,
      {
        op: "migrate",
        contract: m.contract,
        code,
        sender: toBech32(c.sender),
        funds: [],
        msg: m.msg,
        contractKey: this.keeper.getContractKey(ctx, m.contract),
        callbackSig: c.callbackSig,
        sigInfo: c.sigInfo,
        admin: fromBech32(info.admin, "admin"),
        adminProof: fromBase64(info.adminProof, "admin_proof"),
        queryDepth: 0,
      },
      ComputeErrors.MigrationFailed,
    );
    const key = this.keeper.getContractKey(ctx, m.contract);
    if (key === undefined || a.contractKey === undefined)
      throw new ChainError(ComputeErrors.MigrationFailed, "no contract key");
    this.keeper.setContractKey(ctx, m.contract, {
      og: key.og,
      current: a.contractKey,
      proof: a.contractKeyProof,
    });
    const updated = { blockHeight: ctx.blockHeight, txIndex: BigInt(ctx.txIndex) };
    this.keeper.unindexByCode(ctx, info.codeId, info.created, m.contract);
    this.keeper.indexByCode(ctx, m.codeId, info.created, m.contract);
    this.keeper.setContract(ctx, m.contract, { ...info, codeId: m.codeId });
    this.keeper.appendHistory(ctx, m.contract, {
      operation: HISTORY_OP.migrate,
      codeId: m.codeId,
      updated,
      msg: toBase64(m.msg),
    });
    emitCallEvent(ctx.events, "migrate", toBech32(m.contract), m.codeId);
    return this.finish(ctx, m.contract, m.msg, a);
  }

  /** MsgUpdateAdmin / MsgClearAdmin (newAdmin ""): the enclave checks the old proof and signs the new admin. */
  updateAdmin(ctx: Context, c: Caller, m: { contract: Uint8Array; newAdmin: string }): void {
    const info = this.keeper.mustContract(ctx, m.contract);
    if (info.admin !== toBech32(c.sender))
      throw new ChainError(SdkErrors.Unauthorized, "caller is not the admin");
    const key = this.keeper.getContractKey(ctx, m.contract);
    if (key === undefined) throw new ChainError(ComputeErrors.NotFound, "contract key");
    const req: Record<string, unknown> = {
      sender: toBech32(c.sender),
      contract: toBech32(m.contract),
      og_contract_key: toBase64(key.og),
      current_admin: toBase64(fromBech32(info.admin, "admin")),
      current_admin_proof: info.adminProof,
      new_admin: m.newAdmin === "" ? "" : toBase64(fromBech32(m.newAdmin, "new_admin")),
    };
    if (c.callbackSig !== undefined) req.callback_sig = toBase64(c.callbackSig);
    if (c.sigInfo !== undefined) req.sig_info = sigInfoJson(c.sigInfo);
    const res = this.enclave.ecall("updateAdmin", utf8.encode(JSON.stringify(req)), {
      gasLimit: this.engine.vmGasLimit(ctx),
    });
    this.engine.chargeVmGas(ctx, res.gasUsed);
    if ("error" in res) throw new ChainError(ComputeErrors.UpdateAdminFailed, res.error.message);
    const proof = (JSON.parse(utf8.decode(res.ok)) as { admin_proof: string }).admin_proof;
    this.keeper.setContract(ctx, m.contract, {
      ...info,
      admin: m.newAdmin,
      adminProof: m.newAdmin === "" ? "" : proof,
    });
    emitUpdateAdmin(ctx.events, toBech32(m.contract), m.newAdmin);
  }

  /** A v1 reply to `contract` (spec §7.4); `noncePk` = the first 64 bytes of the caller's own input. */
  reply(
    ctx: Context,
    contract: Uint8Array,
    noncePk: Uint8Array,
    wire: unknown,
    sig: Uint8Array | undefined,
  ): CallResult {
    const info = this.keeper.mustContract(ctx, contract);
    const code = this.keeper.mustCodeInfo(ctx, info.codeId);
    const msg = concatBytes(noncePk, utf8.encode(JSON.stringify(wire)));
    const a = this.run(
      ctx,
      {
        op: "reply",
        contract,
        code,
        sender: toBech32(contract),
        funds: [],
        msg,
        contractKey: this.keeper.getContractKey(ctx, contract),
        callbackSig: sig,
        queryDepth: 0,
      },
      ComputeErrors.ReplyFailed,
    );
    if (isV1Answer(a.ok)) emitCallEvent(ctx.events, "reply", toBech32(contract), info.codeId);
    return this.finish(ctx, contract, msg, a, true);
  }

  /**
   * Events, then the contract's messages. A reply may replace the result: its data and the answer that signed it
   * (SN keeper.go handleContractResponse → DispatchSubmessages; see dispatch.ts).
   */
  private finish(
    ctx: Context,
    contract: Uint8Array,
    input: Uint8Array,
    a: CallAnswer,
    inReply = false,
  ): CallResult {
    emitContractEvents(ctx.events, toBech32(contract), a.ok, inReply);
    const ok = a.ok as { data?: unknown } | undefined;
    const data = typeof ok?.data === "string" ? ok.data : null;
    try {
      return dispatchMessages(this, ctx, contract, input, a.ok) ?? { data, answer: a };
    } catch (e) {
      throw dispatchError(e, inReply);
    }
  }
}

/** A contract answered with an error: keeps the answer so a reply_on=error caller can be told. */
export class ContractFailure extends ChainError {
  constructor(
    failed: RegisteredError,
    readonly answer: CallAnswer,
  ) {
    super(failed, contractError(failed, answer.err).detail);
  }
}

export function sigInfoJson(s: ContractSigInfo): Record<string, unknown> {
  return {
    sign_mode: s.signMode,
    sign_bytes: toBase64(s.signBytes),
    signature: toBase64(s.signature),
    tx_bytes: toBase64(s.txBytes),
    ...(s.publicKey === undefined ? {} : { public_key: toBase64(s.publicKey) }),
  };
}
