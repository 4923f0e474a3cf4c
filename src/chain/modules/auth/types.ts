// Account and params types held by the auth module, with their proto (store) encodings via cosmjs-types.
import {
  BaseAccount as BaseAccountProto,
  ModuleAccount as ModuleAccountProto,
} from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { Params as ParamsProto } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { Any } from "cosmjs-types/google/protobuf/any";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { fromBech32, toBech32 } from "../../address.js";
import { SECP256K1_PUBKEY_TYPE_URL } from "../../tx/decode.js";

export const BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.ModuleAccount";

/** Module account permissions (SDK authtypes.Minter/Burner/Staking). */
export const Permission = { Minter: "minter", Burner: "burner", Staking: "staking" } as const;

export interface BaseAccount {
  readonly kind: "base";
  readonly address: Uint8Array;
  /** Compressed secp256k1 key, set by the ante handler on the account's first signed tx. */
  readonly pubKey: Uint8Array | undefined;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
}

export interface ModuleAccount {
  readonly kind: "module";
  readonly address: Uint8Array;
  readonly pubKey: undefined;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly name: string;
  readonly permissions: readonly string[];
}

export type Account = BaseAccount | ModuleAccount;

/** x/auth params (cosmos.auth.v1beta1.Params). */
export interface AuthParams {
  readonly maxMemoCharacters: bigint;
  readonly txSigLimit: bigint;
  readonly txSizeCostPerByte: bigint;
  readonly sigVerifyCostEd25519: bigint;
  readonly sigVerifyCostSecp256k1: bigint;
}

/** cosmos-sdk v0.50 x/auth/types/params.go defaults (256, 7, 10, 590, 1000). */
export const DEFAULT_AUTH_PARAMS: AuthParams = Object.freeze({
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
});

function pubKeyAny(pk: Uint8Array | undefined): Any | undefined {
  if (pk === undefined) return undefined;
  return Any.fromPartial({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: PubKey.encode({ key: pk }).finish() });
}

function baseProto(a: Account): BaseAccountProto {
  const pubKey = pubKeyAny(a.pubKey);
  return BaseAccountProto.fromPartial({
    address: toBech32(a.address),
    ...(pubKey === undefined ? {} : { pubKey }),
    accountNumber: a.accountNumber,
    sequence: a.sequence,
  });
}

const U64_LIMIT = 1n << 64n;
const TYPE_URL_BYTES = new TextEncoder().encode(BASE_ACCOUNT_TYPE_URL);
const PUBKEY_TYPE_URL_BYTES = new TextEncoder().encode(SECP256K1_PUBKEY_TYPE_URL);

/** Below this, varints are written with number arithmetic (`>>> 7` is exact on [0, 2^32)). */
const U32_LIMIT = 0x1_0000_0000;

/**
 * Bytes of a protobuf varint of n (n < 2^64). Lengths and the usual account numbers and sequences are < 2^32:
 * those are counted on numbers, without a BigInt allocated per step (the same count).
 */
function varintSize(n: bigint | number): number {
  let size = 1;
  if (typeof n === "number" ? n >= 0 && n < U32_LIMIT : n >= 0n && n < 0x1_0000_0000n) {
    for (let v = Number(n); v >= 0x80; v >>>= 7) size++;
    return size;
  }
  for (let v = BigInt(n); v >= 0x80n; v >>= 7n) size++;
  return size;
}

/** A tiny forward writer over an exactly sized buffer. */
class Out {
  readonly buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(n: bigint | number): void {
    if (typeof n === "number" ? n >= 0 && n < U32_LIMIT : n >= 0n && n < 0x1_0000_0000n) {
      // The same bytes as the BigInt loop below, on numbers (see varintSize).
      let u = Number(n);
      while (u >= 0x80) {
        this.byte((u & 0x7f) | 0x80);
        u >>>= 7;
      }
      this.byte(u);
      return;
    }
    let v = BigInt(n);
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }
  /** tag, length, then the bytes (or ASCII string). */
  field(tag: number, v: Uint8Array | string): void {
    this.byte(tag);
    this.varint(v.length);
    if (typeof v === "string") for (let i = 0; i < v.length; i++) this.byte(v.charCodeAt(i));
    else {
      this.buf.set(v, this.pos);
      this.pos += v.length;
    }
  }
}

const lenSize = (n: number): number => 1 + varintSize(n) + n;

/**
 * The bytes cosmjs-types writes for Any{BaseAccount} (fields in number order, defaults omitted: empty pubkey
 * key, zero account number or sequence), written directly into one buffer: ante writes an account per signer
 * per tx, and three nested BinaryWriters cost several times more. Pinned to cosmjs' output by a property test
 * (auth.test.ts).
 */
function encodeBaseAccount(a: BaseAccount): Uint8Array {
  const address = toBech32(a.address); // bech32 is ASCII: one byte per char
  const pk = a.pubKey;
  const pkValue = pk === undefined || pk.length === 0 ? 0 : lenSize(lenSize(pk.length));
  const anySize = pk === undefined ? 0 : lenSize(PUBKEY_TYPE_URL_BYTES.length) + pkValue;
  const body =
    lenSize(address.length) +
    (pk === undefined ? 0 : lenSize(anySize)) +
    (a.accountNumber === 0n ? 0 : 1 + varintSize(a.accountNumber)) +
    (a.sequence === 0n ? 0 : 1 + varintSize(a.sequence));
  const o = new Out(lenSize(TYPE_URL_BYTES.length) + lenSize(body));
  o.field(0x0a, TYPE_URL_BYTES);
  o.byte(0x12);
  o.varint(body);
  o.field(0x0a, address);
  if (pk !== undefined) {
    o.byte(0x12);
    o.varint(anySize);
    o.field(0x0a, PUBKEY_TYPE_URL_BYTES);
    if (pk.length > 0) {
      o.byte(0x12);
      o.varint(lenSize(pk.length));
      o.field(0x0a, pk);
    }
  }
  if (a.accountNumber !== 0n) {
    o.byte(0x18);
    o.varint(a.accountNumber);
  }
  if (a.sequence !== 0n) {
    o.byte(0x20);
    o.varint(a.sequence);
  }
  if (o.pos !== o.buf.length) throw new Error("account encoding size mismatch");
  return o.buf;
}

const inU64 = (n: bigint): boolean => n >= 0n && n < U64_LIMIT;

/** Store encoding: Any{BaseAccount|ModuleAccount}, as the SDK's account collection stores it. */
export function encodeAccount(a: Account): Uint8Array {
  if (a.kind === "base" && inU64(a.accountNumber) && inU64(a.sequence)) return encodeBaseAccount(a);
  return encodeAccountCosmjs(a);
}

/** encodeAccount through cosmjs-types (module accounts, and the reference the fast path is tested against). */
export function encodeAccountCosmjs(a: Account): Uint8Array {
  const value =
    a.kind === "base"
      ? BaseAccountProto.encode(baseProto(a)).finish()
      : ModuleAccountProto.encode({
          baseAccount: baseProto(a),
          name: a.name,
          permissions: [...a.permissions],
        }).finish();
  const typeUrl = a.kind === "base" ? BASE_ACCOUNT_TYPE_URL : MODULE_ACCOUNT_TYPE_URL;
  return Any.encode({ typeUrl, value }).finish();
}

function decodeBase(p: BaseAccountProto | undefined): Omit<BaseAccount, "kind"> {
  if (p === undefined) throw new Error("module account without base account");
  const pk = p.pubKey;
  if (pk !== undefined && pk.typeUrl !== SECP256K1_PUBKEY_TYPE_URL)
    throw new Error("unsupported stored pubkey");
  return {
    address: fromBech32(p.address),
    // A copy, not a view: decoded accounts are memoized across blocks, and a view would keep the stored bytes'
    // whole buffer alive (an overlay's copy shares a 16 KiB slab chunk: src/chain/store/byteSlab.ts).
    pubKey: pk === undefined ? undefined : PubKey.decode(pk.value).key.slice(),
    accountNumber: p.accountNumber,
    sequence: p.sequence,
  };
}

/** Decodes a stored account; a failure here means store corruption, so it throws a plain Error. */
export function decodeAccount(bytes: Uint8Array): Account {
  const any = Any.decode(bytes);
  if (any.typeUrl === BASE_ACCOUNT_TYPE_URL)
    return { kind: "base", ...decodeBase(BaseAccountProto.decode(any.value)) };
  if (any.typeUrl === MODULE_ACCOUNT_TYPE_URL) {
    const m = ModuleAccountProto.decode(any.value);
    const base = decodeBase(m.baseAccount);
    return { kind: "module", ...base, pubKey: undefined, name: m.name, permissions: m.permissions };
  }
  throw new Error(`unknown stored account type ${any.typeUrl}`);
}

export function encodeAuthParams(p: AuthParams): Uint8Array {
  return ParamsProto.encode({ ...p }).finish();
}

export function decodeAuthParams(b: Uint8Array): AuthParams {
  const p = ParamsProto.decode(b);
  return {
    maxMemoCharacters: p.maxMemoCharacters,
    txSigLimit: p.txSigLimit,
    txSizeCostPerByte: p.txSizeCostPerByte,
    sigVerifyCostEd25519: p.sigVerifyCostEd25519,
    sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
  };
}
