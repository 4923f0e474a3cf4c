// The floor of bench A − B (../vmBench.ts): ONLY the cryptographic operations the protocol requires for one
// SNIP-20 transfer as A runs it (sizes from ./cryptoCensus.ts), each group timed in a tight loop with the
// fastest primitives we have: node:crypto (OpenSSL, AES-NI) with the fewest calls, and our JS AES
// (../../crypto/sivJs.ts) / @noble/hashes; the floor takes the faster per group. Bench-only.
import { createCipheriv, createHash, createHmac, timingSafeEqual, type Cipher } from "node:crypto";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { encryptWords, expandKey128, storeWord } from "../../crypto/aes128.js";
import { JsSiv } from "../../crypto/sivJs.js";
import { HmacSha256Key, sha256Js } from "../../crypto/sha256Js.js";
import { HKDF_SALT } from "../../crypto/kdf.js";

const BLOCK = 16;

/** What one transfer needs (bench A, warm caches; the census prints the same numbers). */
export interface TransferShape {
  /** Decrypted msg length (code hash ‖ JSON) and sealed outputs (data, attributes): tx key, AD = [""]. */
  readonly msgLength: number;
  readonly outputLengths: readonly number[];
  /** Plaintext key names never seen before (history records): name SIV + CMAC + old store key. */
  readonly newKeyLengths: readonly number[];
  /** Every written value (AD = [name, salt]): one S2V each, CTR for all. */
  readonly valueLengths: readonly number[];
}

/** The floor, and the primitive-only lower bound beneath it. */
export interface FloorResult {
  readonly rows: readonly FloorRow[];
  /** Sum over groups of the fastest engine (µs CPU per transfer). */
  readonly floorUs: number;
  readonly blocks: number;
  readonly blockUs: number;
  readonly expandUs: number;
  readonly lowerBoundUs: number;
}

/** One group of required operations in two implementations (µs per transfer, CPU, best slice). */
export interface FloorRow {
  readonly group: string;
  readonly native: number;
  readonly js: number;
  readonly hybrid: number;
}

function dbl(b: Uint8Array): void {
  const carry = b[0]! >>> 7;
  for (let i = 0; i < BLOCK - 1; i++) b[i] = ((b[i]! << 1) | (b[i + 1]! >>> 7)) & 0xff;
  b[BLOCK - 1] = ((b[BLOCK - 1]! << 1) & 0xff) ^ (0x87 & -carry);
}

const xor16 = (d: Uint8Array, s: Uint8Array): void => {
  for (let i = 0; i < BLOCK; i++) d[i]! ^= s[i]!;
};

/** The fewest-calls node:crypto AES-SIV: one CBC context (CMAC, chain cancelled) and one ECB (CTR). */
class NativeSiv {
  readonly cbc: Cipher;
  readonly ecb: Cipher;
  private readonly chain = new Uint8Array(BLOCK);
  private readonly k1: Uint8Array;
  private readonly k2: Uint8Array;
  readonly d0: Uint8Array;
  private readonly scratch = new Uint8Array(4096);

  /** `js`: L and d0 already computed in JS (a hybrid key builds only the two contexts). */
  constructor(key: Uint8Array, js?: { readonly l: Uint8Array; readonly d0: Uint8Array }) {
    this.cbc = createCipheriv("aes-128-cbc", key.subarray(0, 16), new Uint8Array(BLOCK));
    this.cbc.setAutoPadding(false);
    this.ecb = createCipheriv("aes-128-ecb", key.subarray(16), null);
    this.ecb.setAutoPadding(false);
    this.k1 = js === undefined ? this.run(new Uint8Array(BLOCK)) : js.l.slice();
    dbl(this.k1);
    this.k2 = this.k1.slice();
    dbl(this.k2);
    this.d0 = js === undefined ? this.mac(new Uint8Array(BLOCK)) : js.d0;
  }

  private run(buf: Uint8Array): Uint8Array {
    xor16(buf, this.chain);
    const out = this.cbc.update(buf);
    this.chain.set(out.subarray(out.length - BLOCK));
    return this.chain.slice();
  }

  /** CMAC(m xorend d) (d only when m.length ≥ 16). */
  mac(m: Uint8Array, d?: Uint8Array): Uint8Array {
    const n = m.length;
    const padded = n === 0 ? BLOCK : Math.ceil(n / BLOCK) * BLOCK;
    const buf = this.scratch.subarray(0, padded);
    buf.set(m);
    buf.fill(0, n);
    if (d !== undefined) for (let i = 0; i < BLOCK; i++) buf[n - BLOCK + i]! ^= d[i]!;
    const last = buf.subarray(padded - BLOCK);
    if (n > 0 && n % BLOCK === 0) xor16(last, this.k1);
    else {
      buf[n] = 0x80;
      xor16(last, this.k2);
    }
    return this.run(buf);
  }

  /** CTR keystreams of several messages in one ECB call. */
  ctrAll(items: readonly { v: Uint8Array; data: Uint8Array; out: Uint8Array }[]): void {
    let blocks = 0;
    for (const it of items) blocks += Math.ceil(it.data.length / BLOCK);
    const ctr = this.scratch.subarray(0, blocks * BLOCK);
    let at = 0;
    for (const it of items) {
      const q = it.v.slice();
      q[8]! &= 0x7f;
      q[12]! &= 0x7f;
      for (let i = 0; i < it.data.length; i += BLOCK) {
        ctr.set(q, at);
        at += BLOCK;
        for (let j = BLOCK - 1; j >= 0 && ++q[j]! === 0x100; j--) q[j] = 0;
      }
    }
    const stream = this.ecb.update(ctr);
    at = 0;
    for (const it of items) {
      for (let i = 0; i < it.data.length; i++) it.out[i] = it.data[i]! ^ stream[at + i]!;
      at += Math.ceil(it.data.length / BLOCK) * BLOCK;
    }
  }
}

type Mac = (m: Uint8Array, d?: Uint8Array) => Uint8Array;
export type Engine = "native" | "js" | "hybrid";
const ENGINES: readonly Engine[] = ["native", "js", "hybrid"];
/** The hybrid's rule (as ../../crypto/aesSiv.ts): up to this many blocks in JS, longer natively. */
const JS_MAX_BLOCKS = 12;

/** S2V over given AD MACs: the JS glue is the same for every engine. */
function s2v(mac: Mac, d0: Uint8Array, adMacs: readonly Uint8Array[], p: Uint8Array): Uint8Array {
  const d = d0.slice();
  for (const m of adMacs) {
    dbl(d);
    xor16(d, m);
  }
  if (p.length >= BLOCK) return mac(p, d);
  dbl(d);
  for (let i = 0; i < p.length; i++) d[i]! ^= p[i]!;
  d[p.length]! ^= 0x80;
  return mac(d);
}

interface CtrItem {
  readonly v: Uint8Array;
  readonly data: Uint8Array;
  readonly out: Uint8Array;
}

/** One AES-SIV key under one engine: its CMAC, d0 and batched CTR. */
interface SivOps {
  readonly mac: Mac;
  readonly d0: Uint8Array;
  readonly ctrAll: (items: readonly CtrItem[]) => void;
}

/** L = AES(K1, 0^128) in JS (CMAC's subkey source), for a hybrid key's native contexts. */
function jsL(key: Uint8Array): Uint8Array {
  const st = new Int32Array(4);
  encryptWords(expandKey128(key.subarray(0, BLOCK)), st);
  const l = new Uint8Array(BLOCK);
  for (let i = 0; i < 4; i++) storeWord(l, 4 * i, st[i]!);
  return l;
}

/** Builds a key's operations; a hybrid key makes its native contexts only when an input needs them. */
function sivOps(key: Uint8Array, engine: Engine): SivOps {
  if (engine === "native") {
    const n = new NativeSiv(key);
    return {
      mac: (m, d) => n.mac(m, d),
      d0: n.d0,
      ctrAll: (items) => {
        n.ctrAll(items);
      },
    };
  }
  const j = new JsSiv(key);
  const d0 = j.cmac(new Uint8Array(BLOCK));
  const jsCtr = (items: readonly CtrItem[]): void => {
    for (const it of items) j.ctr(it.v, it.data, it.out, 0);
  };
  if (engine === "js") return { mac: (m, d) => j.cmac(m, d), d0, ctrAll: jsCtr };
  let n: NativeSiv | undefined;
  const nat = (): NativeSiv => (n ??= new NativeSiv(key, { l: jsL(key), d0 }));
  const small = (bytes: number): boolean => bytes <= JS_MAX_BLOCKS * BLOCK;
  return {
    mac: (m, d) => (small(m.length) ? j.cmac(m, d) : nat().mac(m, d)),
    d0,
    ctrAll: (items) => {
      let total = 0;
      for (const it of items) total += Math.ceil(it.data.length / BLOCK) * BLOCK;
      if (small(total)) jsCtr(items);
      else nat().ctrAll(items);
    },
  };
}

const SALT_HMAC = new HmacSha256Key(HKDF_SALT);
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

interface Group {
  readonly group: string;
  /** Does the group's work once; returns what it produced (tests compare the engines on it). */
  readonly run: (engine: Engine) => Uint8Array[];
}

/** The groups of required work, each runnable under every engine. */
function groups(shape: TransferShape): Group[] {
  const stateKey = bytes(32, 7);
  const state = {
    native: sivOps(stateKey, "native"),
    js: sivOps(stateKey, "js"),
    hybrid: sivOps(stateKey, "hybrid"),
  };
  const txKey = bytes(32, 9);
  const msg = bytes(shape.msgLength, 0x41);
  const outputs = shape.outputLengths.map((n) => bytes(n, 0x42));
  const salt = bytes(24, 3);
  const ogKey = bytes(64, 4);
  const names = shape.newKeyLengths.map((n) => bytes(n, 5));
  const values = shape.valueLengths.map((n) => bytes(n, 6));
  const nameMac = bytes(BLOCK, 8);
  const ikm = bytes(64, 10);
  const tx = (engine: Engine): Uint8Array[] => {
    const k = sivOps(txKey, engine); // a fresh key per message: setup counts
    const ad = [k.mac(new Uint8Array(0))];
    const pt = new Uint8Array(msg.length);
    const v = bytes(BLOCK, 1);
    k.ctrAll([{ v, data: msg, out: pt }]); // open: CTR, S2V, constant-time compare
    timingSafeEqual(s2v(k.mac, k.d0, ad, pt), v);
    const out = [pt];
    for (const output of outputs) {
      const sealed = new Uint8Array(BLOCK + output.length);
      const tag = s2v(k.mac, k.d0, ad, output);
      sealed.set(tag);
      k.ctrAll([{ v: tag, data: output, out: sealed.subarray(BLOCK) }]);
      out.push(sealed);
    }
    return out;
  };
  const newNames = (engine: Engine): Uint8Array[] => {
    const k = state[engine];
    const encNames = names.map((n) => new Uint8Array(BLOCK + n.length));
    const items = names.map((n, i) => {
      const v = s2v(k.mac, k.d0, [], n);
      encNames[i]!.set(v);
      return { v, data: n, out: encNames[i]!.subarray(BLOCK) };
    });
    k.ctrAll(items);
    return [...encNames, ...encNames.map((e) => k.mac(e))]; // + each name's CMAC: S2V input of its values
  };
  const valuesOp = (engine: Engine): Uint8Array[] => {
    const k = state[engine];
    const saltMac = k.mac(salt);
    const items = values.map((p) => {
      const sealed = new Uint8Array(BLOCK + p.length);
      const v = s2v(k.mac, k.d0, [nameMac, saltMac], p);
      sealed.set(v);
      return { v, data: p, out: sealed.subarray(BLOCK), sealed };
    });
    k.ctrAll(items);
    return items.map((it) => it.sealed);
  };
  return [
    {
      group: "HKDF of the tx key (2 HMAC-SHA256; JS = ours, hybrid = @noble/hashes)",
      run: (engine) => {
        if (engine === "js") {
          const prk = SALT_HMAC.mac(ikm); // the salt is a public constant: its pad states are precomputed
          return [new HmacSha256Key(prk).mac(Uint8Array.of(1))];
        }
        if (engine === "hybrid")
          return [nobleHmac(nobleSha256, nobleHmac(nobleSha256, HKDF_SALT, ikm), Uint8Array.of(1))];
        const prk = createHmac("sha256", HKDF_SALT).update(ikm).digest();
        return [createHmac("sha256", prk).update(Uint8Array.of(1)).digest()];
      },
    },
    {
      group: `tx key: SIV setup, open msg (${shape.msgLength} B), seal outputs (${shape.outputLengths.join(", ")} B)`,
      run: tx,
    },
    { group: `new key names (${shape.newKeyLengths.join(", ")} B): SIV, CMAC`, run: newNames },
    {
      group: `old store keys: SHA-256 (hybrid = noble) of ${shape.newKeyLengths.map((n) => n + 64).join(", ")} B`,
      run: (engine) => {
        return names.map((n) =>
          engine === "js"
            ? sha256Js(n, ogKey)
            : engine === "hybrid"
              ? nobleSha256.create().update(n).update(ogKey).digest()
              : createHash("sha256").update(n).update(ogKey).digest(),
        );
      },
    },
    { group: `salt CMAC; values (${shape.valueLengths.join(", ")} B): S2V each, CTR`, run: valuesOp },
  ];
}

/** Every group's outputs under `engine` (tests: the engines must agree with each other and AesSivKey). */
export function floorOutputs(shape: TransferShape, engine: Engine): Uint8Array[][] {
  return groups(shape).map((g) => g.run(engine).map((b) => new Uint8Array(b)));
}

/** µs of CPU per call of `fn`: the best of `rounds` slices of `ms` (the least-disturbed estimate). */
function cpuUs(fn: () => void, rounds: number, ms: number): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < ms) {
      for (let i = 0; i < 20; i++) fn();
      n += 20;
    }
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / n);
  }
  return best;
}

const blocksOf = (n: number): number => Math.ceil(n / BLOCK);
/** S2V's last CMAC covers max(len, 16) bytes (a short plaintext becomes one padded block). */
const s2vBlocks = (n: number): number => Math.max(1, blocksOf(n));

/** AES block operations the shape needs: tx key setup (L, CMAC(0), CMAC("")), then CMAC + CTR per message. */
export function requiredBlocks(shape: TransferShape): number {
  let b = 3 + s2vBlocks(shape.msgLength) + blocksOf(shape.msgLength);
  for (const n of shape.outputLengths) b += s2vBlocks(n) + blocksOf(n);
  for (const n of shape.newKeyLengths) b += s2vBlocks(n) + blocksOf(n) + blocksOf(BLOCK + n); // name SIV + CMAC
  b += blocksOf(24); // the salt's CMAC
  for (const n of shape.valueLengths) b += s2vBlocks(n) + blocksOf(n);
  return b;
}

/**
 * Primitive-only lower bound: the required AES blocks at the JS core's cost per block (no glue, no native
 * call), two key expansions, plus the native HKDF and SHA-256 groups. No implementation can go below it here.
 */
function lowerBound(shape: TransferShape, rows: readonly FloorRow[], rounds: number, ms: number) {
  const rk = expandKey128(new Uint8Array(BLOCK).fill(1));
  const st = new Int32Array(4);
  const key = new Uint8Array(BLOCK).fill(2);
  let block = Infinity;
  let expand = Infinity;
  for (let r = 0; r < rounds; r++) {
    block = Math.min(
      block,
      cpuUs(
        () => {
          for (let i = 0; i < 100; i++) encryptWords(rk, st);
        },
        1,
        ms,
      ) / 100,
    );
    expand = Math.min(
      expand,
      cpuUs(() => expandKey128(key), 1, ms),
    );
  }
  const blocks = requiredBlocks(shape);
  const hashes = rows.filter((x) => x.group.startsWith("HKDF") || x.group.startsWith("old store keys"));
  const hashUs = hashes.reduce((sum, x) => sum + Math.min(x.native, x.js, x.hybrid), 0);
  return { blocks, blockUs: block, expandUs: expand, lowerBoundUs: blocks * block + 2 * expand + hashUs };
}

/**
 * Times every group under each engine, interleaved round by round (load falls on all alike); each figure is
 * the best round. The floor is the sum of the fastest engine of each group.
 */
export function measureFloor(shape: TransferShape, quick: boolean): FloorResult {
  const gs = groups(shape);
  const rounds = quick ? 1 : 9;
  const ms = quick ? 5 : 80;
  const runner = (g: Group, e: Engine) => (): void => {
    g.run(e);
  };
  if (!quick) for (const g of gs) for (const e of ENGINES) cpuUs(runner(g, e), 1, 200); // JIT warm-up
  const best = gs.map(() => ({ native: Infinity, js: Infinity, hybrid: Infinity }));
  for (let r = 0; r < rounds; r++) {
    gs.forEach((g, i) => {
      for (const e of ENGINES) best[i]![e] = Math.min(best[i]![e], cpuUs(runner(g, e), 1, ms));
    });
  }
  const rows = gs.map((g, i) => ({ group: g.group, ...best[i]! }));
  const floorUs = rows.reduce((sum, x) => sum + Math.min(x.native, x.js, x.hybrid), 0);
  return { rows, floorUs, ...lowerBound(shape, rows, rounds, ms) };
}
