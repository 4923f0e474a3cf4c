// x/compute message handlers: thin (parse, check, call the runner/keeper, respond). User-signed calls carry
// sig_info rebuilt from the delivered tx (what the signer signed), so the enclave can bind the encrypted msg
// to the signature (spec secret-protocol §4.2). Instantiate/execute are refused in simulation, as on Secret
// (the enclave cannot verify secretjs' zero signature).
import { Any } from "cosmjs-types/google/protobuf/any";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { equalBytes, utf8 } from "../../../util/bytes.js";
import type { ContractSigInfo } from "../../../enclave/api.js";
import { assertAddressBytes, fromBech32, toBech32 } from "../../address.js";
import { ChainError, SdkErrors } from "../../errors.js";
import { aminoSignBytes } from "../../tx/amino.js";
import { directSignBytes } from "../../tx/signDoc.js";
import { txSigners } from "../../tx/ante.js";
import { coinsToWire, parseCoins } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import { SECP256K1_PUBKEY_TYPE_URL, SignMode, type DecodedTx } from "../../tx/decode.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import { ComputeErrors } from "./errors.js";
import { uncompressUpload } from "./wasm.js";
import { assertContractSize, compileGas } from "./params.js";
import { emitMessageEvent, emitStoreCode } from "./events.js";
import type { ComputeAccountKeeper, ComputeBlockSource, ComputeEnclave } from "./expectedKeepers.js";
import type { ComputeKeeper } from "./keeper.js";
import {
  COMPUTE_TYPE_URLS as T,
  encodeEmptyResponse,
  encodeMsgDataResponse,
  encodeMsgInstantiateContractResponse,
  encodeMsgStoreCodeResponse,
  type MsgClearAdmin,
  type MsgExecuteContract,
  type MsgInstantiateContract,
  type MsgMigrateContract,
  type MsgStoreCode,
  type MsgUpdateAdmin,
} from "./proto.js";
import type { CallRequest } from "./engine.js";
import type { Caller, ContractRunner } from "./runner.js";

export interface ComputeMsgDeps {
  readonly keeper: ComputeKeeper;
  readonly runner: ContractRunner;
  readonly enclave: ComputeEnclave;
  readonly accounts: ComputeAccountKeeper;
  readonly block: ComputeBlockSource;
}

/** What `sender` signed in the delivered tx (Go's SigInfo); undefined outside a tx (the enclave then refuses). */
export function sigInfoFor(
  d: Pick<ComputeMsgDeps, "block" | "accounts">,
  ctx: Context,
  sender: Uint8Array,
): ContractSigInfo | undefined {
  const tx = d.block.txOf(ctx);
  if (tx === undefined) return undefined;
  const i = txSigners(tx).findIndex((s) => equalBytes(s, sender));
  const info = tx.signerInfos[i];
  const signature = tx.signatures[i];
  const acc = d.accounts.getAccount(ctx, sender);
  if (info === undefined || signature === undefined || acc === undefined) return undefined;
  if (info.mode === SignMode.Direct) {
    const signBytes = directSignBytes(tx, ctx.chainId, acc.accountNumber);
    return { signMode: SignMode.Direct, signBytes, signature, txBytes: tx.raw };
  }
  if (info.mode === SignMode.LegacyAminoJson) {
    const pk =
      info.publicKey ??
      (acc.pubKey === undefined
        ? undefined
        : { typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: PubKey.encode({ key: acc.pubKey }).finish() });
    return {
      signMode: SignMode.LegacyAminoJson,
      signBytes: aminoSignBytes(tx, ctx.chainId, acc.accountNumber, info.sequence),
      signature,
      txBytes: tx.raw,
      ...(pk === undefined ? {} : { publicKey: Any.encode(pk).finish() }),
    };
  }
  return undefined;
}

/**
 * The contract call a delivered tx's first message will make, if it is a user-signed MsgExecuteContract, as the
 * runner would build it over `ctx` (src/chain/app/prepareAhead.ts prepares its input checks in the enclave).
 * A prediction: state may change before the tx runs, and the enclave then finds no equal binding. Reads only.
 */
export function executeAhead(
  d: Pick<ComputeMsgDeps, "keeper" | "accounts">,
  ctx: Context,
  tx: DecodedTx,
): CallRequest | undefined {
  const first = tx.messages[0];
  if (first?.typeUrl !== T.MsgExecuteContract) return undefined;
  const m = first.value as MsgExecuteContract;
  if (m.callbackSig.length > 0) return undefined;
  const contract = assertAddressBytes(m.contract, "contract");
  const info = d.keeper.getContract(ctx, contract);
  if (info === undefined) return undefined;
  const block = { blockRandom: () => undefined, txOf: () => tx };
  return {
    op: "execute",
    contract,
    code: d.keeper.mustCodeInfo(ctx, info.codeId),
    sender: toBech32(m.sender),
    funds: coinsToWire(parseCoins(m.sentFunds)),
    msg: m.msg,
    contractKey: d.keeper.getContractKey(ctx, contract),
    sigInfo: sigInfoFor({ block, accounts: d.accounts }, ctx, m.sender),
    queryDepth: 0,
  };
}

function caller(d: ComputeMsgDeps, ctx: Context, sender: Uint8Array, callbackSig: Uint8Array): Caller {
  if (callbackSig.length > 0) return { sender, callbackSig };
  return { sender, sigInfo: sigInfoFor(d, ctx, sender) };
}

function refuseSimulation(ctx: Context, failed: typeof ComputeErrors.ExecuteFailed): void {
  // secretjs simulates with a zero signature; Secret's enclave rejects it, so simulation of these fails.
  if (ctx.simulate) throw new ChainError(failed, "failed to verify transaction signature");
}

const resp = (typeUrl: string, response: Uint8Array): MsgResult => ({ responseTypeUrl: typeUrl, response });
const data = (b64: string | null): Uint8Array =>
  b64 === null ? new Uint8Array() : Buffer.from(b64, "base64");

/** MsgStoreCode: fails when the wasm is too large (MaxWasmSize, then params.max_contract_size), not inflatable, or rejected by the enclave's gatekeeper. */
export function handleStoreCode(d: ComputeMsgDeps, ctx: Context, m: MsgStoreCode): MsgResult {
  const sender = toBech32(assertAddressBytes(m.sender, "sender"));
  emitMessageEvent(ctx.events, sender, ["signer", sender]);
  // Validated (size after inflation) here; stored as uploaded (gzip stays gzip: less state, and no
  // dependence on a zlib version for consensus bytes). The enclave accepts both forms.
  const raw = uncompressUpload(m.wasmByteCode);
  // SN keeper.go Create: size limit, then compile gas per uncompressed byte, both from the module params.
  const params = d.keeper.getParams(ctx);
  assertContractSize(params, raw.length);
  ctx.gasMeter.consume(compileGas(params, raw.length), "Compiling WASM Bytecode");
  const wasm = m.wasmByteCode;
  const res = d.enclave.ecall("loadCode", wasm);
  if ("error" in res) throw new ChainError(ComputeErrors.CreateFailed, res.error.message);
  const answer = JSON.parse(utf8.decode(res.ok)) as { code_hash: string };
  const codeId = d.keeper.nextCodeId(ctx);
  d.keeper.setCode(
    ctx,
    {
      codeId,
      creator: toBech32(m.sender),
      codeHash: answer.code_hash.toLowerCase(),
      source: m.source,
      builder: m.builder,
    },
    wasm,
  );
  emitStoreCode(ctx.events, codeId);
  return resp(T.MsgStoreCodeResponse, encodeMsgStoreCodeResponse({ codeId }));
}

export function handleInstantiate(d: ComputeMsgDeps, ctx: Context, m: MsgInstantiateContract): MsgResult {
  refuseSimulation(ctx, ComputeErrors.InstantiateFailed);
  if (m.label === "") throw new ChainError(SdkErrors.InvalidRequest, "label is required");
  const r = d.runner.instantiate(ctx, caller(d, ctx, m.sender, m.callbackSig), {
    codeId: m.codeId,
    label: m.label,
    msg: m.initMsg,
    funds: parseCoins(m.initFunds),
    admin: m.admin,
  });
  const address = toBech32(r.address);
  emitMessageEvent(ctx.events, toBech32(m.sender), ["contract_address", address]);
  return resp(
    T.MsgInstantiateContractResponse,
    encodeMsgInstantiateContractResponse({ address, data: data(r.data) }),
  );
}

export function handleExecute(d: ComputeMsgDeps, ctx: Context, m: MsgExecuteContract): MsgResult {
  refuseSimulation(ctx, ComputeErrors.ExecuteFailed);
  const contract = assertAddressBytes(m.contract, "contract");
  emitMessageEvent(ctx.events, toBech32(m.sender), ["contract_address", toBech32(contract)]);
  const r = d.runner.execute(ctx, caller(d, ctx, m.sender, m.callbackSig), {
    contract,
    msg: m.msg,
    funds: parseCoins(m.sentFunds),
  });
  return resp(T.MsgExecuteContractResponse, encodeMsgDataResponse({ data: data(r.data) }));
}

export function handleMigrate(d: ComputeMsgDeps, ctx: Context, m: MsgMigrateContract): MsgResult {
  refuseSimulation(ctx, ComputeErrors.MigrationFailed);
  const sender = fromBech32(m.sender, "sender");
  const contract = fromBech32(m.contract, "contract");
  emitMessageEvent(ctx.events, m.sender);
  const r = d.runner.migrate(ctx, caller(d, ctx, sender, m.callbackSig), {
    contract,
    codeId: m.codeId,
    msg: m.msg,
  });
  return resp(T.MsgMigrateContractResponse, encodeMsgDataResponse({ data: data(r.data) }));
}

export function handleUpdateAdmin(d: ComputeMsgDeps, ctx: Context, m: MsgUpdateAdmin): MsgResult {
  const sender = fromBech32(m.sender, "sender");
  fromBech32(m.newAdmin, "new_admin");
  emitMessageEvent(ctx.events, m.sender);
  d.runner.updateAdmin(ctx, caller(d, ctx, sender, m.callbackSig), {
    contract: fromBech32(m.contract, "contract"),
    newAdmin: m.newAdmin,
  });
  return resp(T.MsgUpdateAdminResponse, encodeEmptyResponse());
}

export function handleClearAdmin(d: ComputeMsgDeps, ctx: Context, m: MsgClearAdmin): MsgResult {
  const sender = fromBech32(m.sender, "sender");
  emitMessageEvent(ctx.events, m.sender);
  d.runner.updateAdmin(ctx, caller(d, ctx, sender, m.callbackSig), {
    contract: fromBech32(m.contract, "contract"),
    newAdmin: "",
  });
  return resp(T.MsgClearAdminResponse, encodeEmptyResponse());
}
