// The auth keeper: the only code that reads or writes auth's store prefix. Accounts (base and module), the
// global account number and params. Module accounts and their permissions are fixed at construction.
import type { KVStore } from "../../store/types.js";
import { PrefixStore, type Context } from "../../tx/context.js";
import { moduleAddress, moduleAddressShared } from "../../address.js";
import { concatBytes, equalBytes, u64be } from "../../../util/bytes.js";
import {
  ACCOUNTS_PREFIX,
  GLOBAL_ACCOUNT_NUMBER_KEY,
  PARAMS_KEY,
  STORE_PREFIX,
  storeAccountKey,
  storeAccountNumberIndexKey,
} from "./keys.js";
import {
  DEFAULT_AUTH_PARAMS,
  decodeAccount,
  decodeAuthParams,
  encodeAccount,
  encodeAuthParams,
  type Account,
  type AuthParams,
  type BaseAccount,
  type ModuleAccount,
} from "./types.js";

/** Module name -> permissions (SDK maccPerms), sorted by name when listed. */
export type ModulePermissions = Readonly<Record<string, readonly string[]>>;

function readU64(b: Uint8Array | undefined): bigint {
  if (b === undefined) return 0n;
  if (b.length !== 8) throw new Error("corrupt account number counter");
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

/**
 * Decoded accounts by the identity of their stored bytes. Stores hand out the value they hold (overlays copy on
 * write and never change a stored value in place), so the same bytes object always decodes to the same account;
 * ante reads the signer's account several times per tx in CheckTx and again in FinalizeBlock. Accounts are
 * frozen so a shared one cannot be changed by a caller (they are replaced via setAccount, never mutated).
 */
const decodedAccounts = new WeakMap<Uint8Array, Account>();

/**
 * The same memo by content, for bytes seen before in another object: every setAccount stores a fresh copy
 * (the sender's sequence bump), and FinalizeBlock reads the very bytes CheckTx already decoded, in new objects.
 * Keyed by all the stored bytes (latin1), so a hit is exactly decodeAccount of equal input: a pure-function
 * memo, identical on a cold node. Bounded: cleared whole when full.
 */
const accountsByContent = new Map<string, Account>();
export const ACCOUNT_MEMO_MAX = 4096;
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

function decodeAccountCached(b: Uint8Array): Account {
  let acc = decodedAccounts.get(b);
  if (acc !== undefined) return acc;
  const id = latin1Slice.call(b, 0, b.length);
  acc = accountsByContent.get(id);
  if (acc === undefined) {
    const fresh = decodeAccount(b);
    if (fresh.kind === "module") Object.freeze(fresh.permissions);
    acc = Object.freeze(fresh);
    if (accountsByContent.size >= ACCOUNT_MEMO_MAX) accountsByContent.clear();
    accountsByContent.set(id, acc);
  }
  decodedAccounts.set(b, acc);
  return acc;
}

/** Largest address whose stored form the memo takes from setAccount (typical: 20 or 32 bytes; SDK max 255). */
const MEMO_ADDRESS_MAX = 64;
const U64_LIMIT = 1n << 64n;

/**
 * Remembers the account setAccount just encoded under its stored bytes, so the next read of those bytes (the
 * next tx of the same signer: ante bumps the sequence every tx) needs no decode. Only base accounts in the
 * fast encoder's range, whose decode is exactly this object (address and key copied, same numbers; property-
 * tested against decodeAccount in auth.test.ts); anything else is left to the first read's decode.
 */
function rememberEncoded(acc: Account, bytes: Uint8Array): void {
  if (acc.kind !== "base" || acc.address.length === 0 || acc.address.length > MEMO_ADDRESS_MAX) return;
  if (acc.accountNumber < 0n || acc.accountNumber >= U64_LIMIT) return;
  if (acc.sequence < 0n || acc.sequence >= U64_LIMIT) return;
  const id = latin1Slice.call(bytes, 0, bytes.length);
  if (accountsByContent.has(id)) return; // the same bytes already decode to a remembered (equal) object
  if (accountsByContent.size >= ACCOUNT_MEMO_MAX) accountsByContent.clear();
  accountsByContent.set(id, decodedForm(acc));
}

/** The frozen object decodeAccount returns for the encoding of base account `acc`. */
export function decodedForm(acc: BaseAccount): Account {
  return Object.freeze({
    kind: "base" as const,
    address: acc.address.slice(),
    pubKey: acc.pubKey?.slice(),
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  });
}

export class AuthKeeper {
  constructor(
    private readonly modulePermissions: ModulePermissions,
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {
    this.paramsKey = concatBytes(prefix, PARAMS_KEY);
  }

  /** prefix | PARAMS_KEY, built once: ante reads the params per tx (never mutated; stores copy what they keep). */
  private readonly paramsKey: Uint8Array;

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  /**
   * The last params decoded, with a private copy of the bytes they were decoded from. Ante reads the params twice
   * per tx (CheckTx and FinalizeBlock) and they almost never change: equal bytes decode to equal params (a
   * pure-function memo, identical on a cold node), so only a changed value is decoded again. Nothing is cached
   * past the store: the read (and its gas) happens every time, and a write of the params (genesis, a governance
   * MsgUpdateParams) is seen by the next read, in the same block, exactly as before.
   */
  private paramsMemo: { readonly bytes: Uint8Array; readonly params: AuthParams } | undefined;

  getParams(ctx: Context): AuthParams {
    const b = ctx.store.get(this.paramsKey);
    if (b === undefined) return DEFAULT_AUTH_PARAMS;
    const m = this.paramsMemo;
    if (m !== undefined && equalBytes(m.bytes, b)) return m.params;
    const params = Object.freeze(decodeAuthParams(b));
    this.paramsMemo = { bytes: b.slice(), params };
    return params;
  }

  setParams(ctx: Context, p: AuthParams): void {
    if (p.txSigLimit <= 0n || p.maxMemoCharacters <= 0n || p.txSizeCostPerByte <= 0n) {
      throw new RangeError("auth params must be positive");
    }
    this.store(ctx).set(PARAMS_KEY, encodeAuthParams(p));
  }

  // Accounts go to the chain store with the whole key (storeAccountKey) rather than through store(ctx): the
  // same reads and writes, one key allocation instead of two (PrefixStore copies the key to prefix it).
  getAccount(ctx: Context, addr: Uint8Array): Account | undefined {
    const b = ctx.store.get(storeAccountKey(this.prefix, addr));
    return b === undefined ? undefined : decodeAccountCached(b);
  }

  hasAccount(ctx: Context, addr: Uint8Array): boolean {
    return ctx.store.has(storeAccountKey(this.prefix, addr));
  }

  /** Stores an account (and its account-number index entry). */
  setAccount(ctx: Context, acc: Account): void {
    const bytes = encodeAccount(acc);
    ctx.store.set(storeAccountKey(this.prefix, acc.address), bytes);
    rememberEncoded(acc, bytes);
    ctx.store.set(storeAccountNumberIndexKey(this.prefix, acc.accountNumber), acc.address);
  }

  /** Hands out the next account number (SDK NextAccountNumber). */
  nextAccountNumber(ctx: Context): bigint {
    const s = this.store(ctx);
    const n = readU64(s.get(GLOBAL_ACCOUNT_NUMBER_KEY));
    s.set(GLOBAL_ACCOUNT_NUMBER_KEY, u64be(n + 1n));
    return n;
  }

  /**
   * Genesis: the next account number without handing it out, and setting it back after numbering many accounts
   * locally. The state equals calling nextAccountNumber once per account (only the counter's last write counts)
   * without rewriting the counter key per genesis account.
   */
  peekNextAccountNumber(ctx: Context): bigint {
    return readU64(this.store(ctx).get(GLOBAL_ACCOUNT_NUMBER_KEY));
  }

  setNextAccountNumber(ctx: Context, n: bigint): void {
    this.store(ctx).set(GLOBAL_ACCOUNT_NUMBER_KEY, u64be(n));
  }

  /** A fresh base account for `addr` with the next account number; not stored until setAccount. */
  newAccountWithAddress(ctx: Context, addr: Uint8Array): BaseAccount {
    return {
      kind: "base",
      address: addr.slice(),
      pubKey: undefined,
      accountNumber: this.nextAccountNumber(ctx),
      sequence: 0n,
    };
  }

  /** Stores a fresh base account for `addr` unless an account exists (bank uses this for new recipients). */
  ensureAccount(ctx: Context, addr: Uint8Array): void {
    if (!this.hasAccount(ctx, addr)) this.setAccount(ctx, this.newAccountWithAddress(ctx, addr));
  }

  /** Address of a module account (deterministic; does not need state). */
  getModuleAddress(name: string): Uint8Array {
    return moduleAddress(name);
  }

  permissionsOf(name: string): readonly string[] | undefined {
    return Object.hasOwn(this.modulePermissions, name) ? this.modulePermissions[name] : undefined;
  }

  /** Module names with accounts, sorted. */
  moduleNames(): string[] {
    return Object.keys(this.modulePermissions).sort();
  }

  /** True when `addr` is one of the configured module accounts (bank blocks sends to these). */
  isModuleAddress(addr: Uint8Array): boolean {
    return this.moduleNames().some((n) => equalBytes(moduleAddress(n), addr));
  }

  /**
   * Returns the module account, creating it on first use as the SDK's GetModuleAccount does. Throws for a name
   * without configured permissions (a programming error, the SDK panics).
   */
  getModuleAccount(ctx: Context, name: string): ModuleAccount {
    const perms = this.permissionsOf(name);
    if (perms === undefined) throw new Error(`module account ${name} is not configured`);
    // The shared address only builds the store key (storeAccountKey copies it); a new account gets its own copy.
    const existing = this.getAccount(ctx, moduleAddressShared(name));
    if (existing !== undefined) {
      if (existing.kind !== "module")
        throw new Error(`account at module address ${name} is not a module account`);
      return existing;
    }
    const addr = moduleAddress(name);
    const acc: ModuleAccount = {
      kind: "module",
      address: addr,
      pubKey: undefined,
      accountNumber: this.nextAccountNumber(ctx),
      sequence: 0n,
      name,
      permissions: [...perms],
    };
    this.setAccount(ctx, acc);
    return acc;
  }

  /** All accounts in address byte order. */
  *iterateAccounts(ctx: Context): Generator<Account> {
    const s = this.store(ctx);
    const end = Uint8Array.of(ACCOUNTS_PREFIX[0]! + 1);
    for (const [, v] of s.iterate(ACCOUNTS_PREFIX, end)) yield decodeAccount(v);
  }
}
