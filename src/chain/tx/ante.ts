// The ante handler: everything checked and charged before a tx's messages run, in the Cosmos SDK v0.50 order
// (x/auth/ante NewAnteHandler): basic checks, memo, tx-size gas, fee deduction, pubkeys, signature count and gas,
// SIGN_MODE_DIRECT secp256k1 verification, sequence increment. Every failure is a registered ChainError.
import { ChainError, SdkErrors } from "../errors.js";
import { fromBech32, isSecp256k1PubkeyAddress, toBech32 } from "../address.js";
import { equalBytes, toBase64 } from "../../util/bytes.js";
import { coinsToString, parseCoins, type Coin, type CoinWire } from "./coins.js";
import { attr, type Context, type EventAttribute } from "./context.js";
import { SECP256K1_PUBKEY_LENGTH, SECP256K1_PUBKEY_TYPE_URL, SignMode, type DecodedTx } from "./decode.js";
import { checkMinGasPrice, type GasPrice } from "./fees.js";
import { aminoSignBytes } from "./amino.js";
import { verifyCosmosSecp256k1 } from "./secp256k1.js";
import { SigVerdictCache, type SignerBinding } from "./sigCache.js";
import { encodeDirectSignBytes } from "./signDoc.js";

/** Compact r||s signature length (spec secretjs-compat §2). */
export const SECP256K1_SIGNATURE_LENGTH = 64;
/** Fee collector module account name (SDK authtypes.FeeCollectorName). */
export const FEE_COLLECTOR = "fee_collector";

/** The account view ante needs (satisfied by the auth keeper's accounts). */
export interface AnteAccount {
  readonly kind: "base" | "module";
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array | undefined;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
}

/** Narrow keeper interfaces (DESIGN.md rule 7): ante may read/update accounts and move fees, nothing else. */
export interface AnteAccountKeeper {
  getParams(ctx: Context): {
    readonly maxMemoCharacters: bigint;
    readonly txSigLimit: bigint;
    readonly txSizeCostPerByte: bigint;
    readonly sigVerifyCostSecp256k1: bigint;
  };
  getAccount(ctx: Context, addr: Uint8Array): AnteAccount | undefined;
  setAccount(ctx: Context, acc: AnteAccount & { kind: "base" }): void;
}

export interface AnteBankKeeper {
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amt: readonly Coin[]): void;
}

export interface AnteKeepers {
  readonly accounts: AnteAccountKeeper;
  readonly bank: AnteBankKeeper;
}

export interface AnteOptions {
  /** Validator-local minimum gas prices, enforced only in CheckTx (SDK semantics). */
  readonly minGasPrices: readonly GasPrice[];
  /** Verdict cache to use; default: one process-wide cache (sharing is safe: verify is pure). */
  readonly sigCache?: SigVerdictCache;
}

/**
 * The process-wide verdicts by decoded tx shared by CheckTx, RECHECK, the proposal checks and FinalizeBlock, so
 * a tx's signature is verified once. It holds only "valid" verdicts of a pure function: it cannot change a result.
 */
export const defaultSigCache = new SigVerdictCache();

export interface AnteResult {
  readonly signers: Uint8Array[];
  readonly feePayer: Uint8Array;
  readonly fee: Coin[];
}

/**
 * The signers of each frozen (cached) decoded tx: a pure function of the tx, asked for 4 times per contract tx
 * (ante in CheckTx and FinalizeBlock, compute's sig_info for the verify lane and for the execute). Only
 * successes are kept, and only as long as the tx lives (a WeakMap).
 */
const signersByTx = new WeakMap<DecodedTx, readonly Uint8Array[]>();

/** Unique signers in first-appearance order: every message's signers, then an explicit fee payer. */
export function txSigners(tx: DecodedTx): Uint8Array[] {
  const seen = signersByTx.get(tx);
  if (seen !== undefined) return seen.slice();
  const out: Uint8Array[] = [];
  for (const m of tx.messages) for (const s of m.type.signers(m.value)) addSigner(out, s);
  if (tx.fee.payer !== "") addSigner(out, fromBech32(tx.fee.payer, "fee payer"));
  // Frozen: the messages, fee payer and signer bytes cannot change under the remembered list.
  if (Object.isFrozen(tx)) signersByTx.set(tx, out.slice());
  return out;
}

function addSigner(out: Uint8Array[], a: Uint8Array): void {
  for (let i = 0; i < out.length; i++) if (equalBytes(out[i]!, a)) return;
  out.push(a);
}

/** SDK ValidateBasic + extension options + timeout height: checks that need no account state. */
/**
 * Parsed fee lists by the decoded tx's (frozen) list: CheckTx, FinalizeBlock and every RECHECK of a cached tx
 * parse the same list. Only successful parses are kept; callers get their own array.
 */
const parsedFees = new WeakMap<readonly CoinWire[], readonly Coin[]>();

function parseFee(amount: readonly CoinWire[]): Coin[] {
  const seen = parsedFees.get(amount);
  if (seen !== undefined) return seen.slice();
  const fee = parseCoins(amount, "fee");
  if (Object.isFrozen(amount)) {
    // parseCoins made these coin objects: frozen, they are shared by the remembered list and the caller's copy.
    for (const c of fee) Object.freeze(c);
    parsedFees.set(amount, Object.freeze(fee.slice()));
  }
  return fee;
}

function validateBasic(ctx: Context, tx: DecodedTx): { signers: Uint8Array[]; fee: Coin[] } {
  if (tx.extensionOptions.length > 0)
    throw new ChainError(SdkErrors.UnknownExtensionOptions, "unknown extension options");
  if (tx.hasTip) throw new ChainError(SdkErrors.InvalidRequest, "tips are not supported");
  if (tx.messages.length === 0)
    throw new ChainError(SdkErrors.InvalidRequest, "must contain at least one message");
  let fee: Coin[];
  try {
    fee = parseFee(tx.fee.amount);
  } catch (e) {
    throw new ChainError(
      SdkErrors.InsufficientFee,
      `invalid fee amount: ${e instanceof Error ? e.message : ""}`,
    );
  }
  if (tx.fee.granter !== "") throw new ChainError(SdkErrors.InvalidRequest, "fee grants are not enabled");
  for (let i = 0; i < tx.messages.length; i++) tx.messages[i]!.type.validateBasic(tx.messages[i]!.value);
  if (tx.signatures.length === 0) throw new ChainError(SdkErrors.NoSignatures, "no signatures supplied");
  const signers = txSigners(tx);
  if (tx.signatures.length !== signers.length) {
    throw new ChainError(
      SdkErrors.Unauthorized,
      `wrong number of signers; expected ${signers.length}, got ${tx.signatures.length}`,
    );
  }
  if (tx.signerInfos.length !== signers.length) {
    throw new ChainError(
      SdkErrors.Unauthorized,
      `invalid number of signer infos; expected ${signers.length}, got ${tx.signerInfos.length}`,
    );
  }
  if (tx.timeoutHeight > 0n && ctx.blockHeight > tx.timeoutHeight) {
    throw new ChainError(
      SdkErrors.TxTimeoutHeight,
      `block height: ${ctx.blockHeight}, timeout height: ${tx.timeoutHeight}`,
    );
  }
  return { signers, fee };
}

function deductFee(
  ctx: Context,
  k: AnteKeepers,
  opts: AnteOptions,
  feePayer: Uint8Array,
  fee: Coin[],
  gas: bigint,
): void {
  if (k.accounts.getAccount(ctx, feePayer) === undefined) {
    throw new ChainError(SdkErrors.UnknownAddress, `fee payer address: ${toBech32(feePayer)} does not exist`);
  }
  if (ctx.isCheckTx && !ctx.simulate) checkMinGasPrice(fee, opts.minGasPrices, gas);
  if (fee.length > 0) k.bank.sendCoinsFromAccountToModule(ctx, feePayer, FEE_COLLECTOR, fee);
  if (!ctx.events.discard)
    ctx.events.emitBuilt("tx", [attr("fee", coinsToString(fee)), attr("fee_payer", toBech32(feePayer))]);
}

/** SetPubKeyDecorator: checks each signer's key against its address and stores it on first use. */
function setPubKeys(ctx: Context, tx: DecodedTx, k: AnteKeepers, signers: Uint8Array[]): AnteAccount[] {
  return signers.map((addr, i) => {
    const acc = k.accounts.getAccount(ctx, addr);
    if (acc === undefined)
      throw new ChainError(SdkErrors.UnknownAddress, `account ${toBech32(addr)} does not exist`);
    const info = tx.signerInfos[i]!;
    if (info.publicKey === undefined) {
      if (acc.pubKey === undefined && !ctx.simulate) {
        throw new ChainError(SdkErrors.InvalidPubKey, `pubkey on account ${toBech32(addr)} is not set`);
      }
      return acc;
    }
    const pk = info.secp256k1PubKey;
    if (info.publicKey.typeUrl !== SECP256K1_PUBKEY_TYPE_URL || pk === undefined) {
      throw new ChainError(SdkErrors.InvalidPubKey, `unsupported pubkey type ${info.publicKey.typeUrl}`);
    }
    if (pk.length !== SECP256K1_PUBKEY_LENGTH) {
      throw new ChainError(SdkErrors.InvalidPubKey, `invalid pubkey length ${pk.length}`);
    }
    if (!isSecp256k1PubkeyAddress(pk, addr)) {
      throw new ChainError(
        SdkErrors.InvalidPubKey,
        `pubKey does not match signer address ${toBech32(addr)} with signer index: ${i}`,
      );
    }
    if (acc.pubKey !== undefined) return acc;
    if (acc.kind !== "base") throw new ChainError(SdkErrors.Unauthorized, "module accounts cannot sign");
    const updated = { ...acc, kind: "base" as const, pubKey: pk };
    k.accounts.setAccount(ctx, updated);
    return updated;
  });
}

function verifySignature(pubKey: Uint8Array, signBytes: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== SECP256K1_SIGNATURE_LENGTH) return false;
  // sha256(signBytes), compact r‖s, low-S only: the SDK's secp256k1 VerifySignature (see secp256k1.ts).
  return verifyCosmosSecp256k1(pubKey, signBytes, sig);
}

/** What the signer signed: SignDoc (DIRECT) or the amino StdSignDoc JSON (LEGACY_AMINO_JSON). */
function signBytesFor(
  ctx: Context,
  tx: DecodedTx,
  acc: AnteAccount,
  mode: number | "multi" | "none",
): Uint8Array {
  if (mode === SignMode.Direct) {
    return encodeDirectSignBytes(tx, ctx.chainId, acc.accountNumber);
  }
  if (mode === SignMode.LegacyAminoJson)
    return aminoSignBytes(tx, ctx.chainId, acc.accountNumber, acc.sequence);
  throw new ChainError(SdkErrors.NotSupported, `sign mode ${String(mode)} is not supported`);
}

/** The binding of signer `acc`'s sign bytes beyond the tx itself (undefined: no key, it cannot verify). */
function bindingOf(ctx: Context, acc: AnteAccount): SignerBinding | undefined {
  if (acc.pubKey === undefined) return undefined;
  return {
    pubKey: acc.pubKey,
    chainId: ctx.chainId,
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  };
}

/**
 * Whether signer i of this very decoded tx already verified under the same key, chain id, account number and
 * sequence (CheckTx, then FinalizeBlock and every RECHECK of the same cached tx): then its sign bytes, which
 * depend on nothing else, need not be built again. A valid verdict of the same inputs is the same verdict.
 */
function verifiedBefore(
  ctx: Context,
  tx: DecodedTx,
  acc: AnteAccount,
  cache: SigVerdictCache,
  i: number,
): boolean {
  const b = bindingOf(ctx, acc);
  return b !== undefined && cache.validFor(tx, i, b);
}

/** SigVerificationDecorator + IncrementSequenceDecorator for one signer. */
function verifyAndIncrement(
  ctx: Context,
  tx: DecodedTx,
  k: AnteKeepers,
  cache: SigVerdictCache,
  acc: AnteAccount,
  i: number,
): void {
  const info = tx.signerInfos[i]!;
  if (acc.sequence !== info.sequence) {
    throw new ChainError(
      SdkErrors.WrongSequence,
      `account sequence mismatch, expected ${acc.sequence}, got ${info.sequence}`,
    );
  }
  if (!ctx.simulate && !verifiedBefore(ctx, tx, acc, cache, i)) {
    const signBytes = signBytesFor(ctx, tx, acc, info.mode);
    if (acc.pubKey === undefined || !verifySignature(acc.pubKey, signBytes, tx.signatures[i]!)) {
      throw new ChainError(
        SdkErrors.Unauthorized,
        `signature verification failed; please verify account number (${acc.accountNumber}), sequence (${acc.sequence}) and chain-id (${ctx.chainId})`,
      );
    }
    // Only a frozen (cached) tx: its body, auth info and signatures cannot change under the verdict.
    if (Object.isFrozen(tx)) cache.rememberValid(tx, i, bindingOf(ctx, acc)!);
  }
  if (acc.kind !== "base") throw new ChainError(SdkErrors.Unauthorized, "module accounts cannot sign");
  k.accounts.setAccount(ctx, { ...acc, kind: "base", sequence: acc.sequence + 1n });
}

/**
 * Runs the ante checks against `ctx` (whose store and gas meter belong to this tx). On throw, the caller must
 * discard every write made through ctx.store: ante is all-or-nothing.
 */
export function runAnte(ctx: Context, tx: DecodedTx, k: AnteKeepers, opts: AnteOptions): AnteResult {
  const { signers, fee } = validateBasic(ctx, tx);
  const params = k.accounts.getParams(ctx);
  // UTF-8 length without encoding (Buffer.byteLength counts a lone surrogate as U+FFFD's 3 bytes, as the
  // encoder writes it): a TextEncoder call was ~0.4 µs even for the usual empty memo.
  const memoBytes = tx.memo === "" ? 0 : Buffer.byteLength(tx.memo, "utf8");
  if (BigInt(memoBytes) > params.maxMemoCharacters) {
    throw new ChainError(
      SdkErrors.MemoTooLarge,
      `maximum number of characters is ${params.maxMemoCharacters} but received ${memoBytes} characters`,
    );
  }
  ctx.gasMeter.consume(params.txSizeCostPerByte * BigInt(tx.raw.length), "txSize");
  const feePayer = tx.fee.payer === "" ? signers[0]! : fromBech32(tx.fee.payer, "fee payer");
  deductFee(ctx, k, opts, feePayer, fee, tx.fee.gasLimit);
  const accounts = setPubKeys(ctx, tx, k, signers);
  // Events only when kept (not in a RECHECK): their values are pure formatting, they cannot fail or cost gas.
  if (!ctx.events.discard) {
    for (let i = 0; i < accounts.length; i++) {
      const seq = `${toBech32(accounts[i]!.address)}/${tx.signerInfos[i]!.sequence}`;
      ctx.events.emitBuilt("tx", [attr("acc_seq", seq)]);
    }
    const sigAttrs: EventAttribute[] = new Array<EventAttribute>(tx.signatures.length);
    for (let i = 0; i < tx.signatures.length; i++)
      sigAttrs[i] = attr("signature", toBase64(tx.signatures[i]!));
    ctx.events.emitBuilt("tx", sigAttrs);
  }
  if (BigInt(tx.signatures.length) > params.txSigLimit) {
    throw new ChainError(
      SdkErrors.TooManySignatures,
      `signatures: ${tx.signatures.length}, limit: ${params.txSigLimit}`,
    );
  }
  for (let i = 0; i < accounts.length; i++) {
    ctx.gasMeter.consume(params.sigVerifyCostSecp256k1, "ante verify: secp256k1");
    // Re-read: fee deduction may have touched the same account (the payer is usually signer 0).
    const acc = k.accounts.getAccount(ctx, accounts[i]!.address)!;
    verifyAndIncrement(ctx, tx, k, opts.sigCache ?? defaultSigCache, acc, i);
  }
  return { signers, feePayer, fee };
}
