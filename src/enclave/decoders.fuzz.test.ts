// Seeded decoder fuzz: 100,000 random and mutated inputs through parseSecretMessage, validateBasicMsg, tag
// checks and decryptValue (every 8th), parseStoredValue, and (every 100th) the full decryptInput path. Only coded
// EnclaveErrors may escape; anything else (RangeError, TypeError, …) fails the test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../util/bytes.js";
import { sha256 } from "./crypto/hash.js";
import { x25519PublicKey } from "./crypto/x25519.js";
import {
  encryptKeyName,
  decryptValue,
  EncryptedStorage,
  parseStoredValue,
  type PlainStore,
} from "./encryptedStorage.js";
import { EnclaveError } from "./errors.js";
import { buildSubMsgPlaintext, decryptInput, parseSecretMessage, TxCrypto, validateBasicMsg } from "./io.js";
import { fixedKeys } from "./testing/fixedKeys.js";

/** xorshift32: a tiny seeded PRNG (no Math.random inside src/enclave). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const keys = fixedKeys([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
const codeHash = sha256(utf8.encode("wasm"));
const hashHex = Buffer.from(codeHash).toString("hex");
const tx = new TxCrypto(keys, new Uint8Array(32).fill(3), x25519PublicKey(new Uint8Array(32).fill(4)));
const ogKey = new Uint8Array(64).fill(5);

function seeds(): Uint8Array[] {
  const inner = buildSubMsgPlaintext(hashHex, utf8.encode('{"a":1}'), {
    reply: { subMsgId: 5n, callerCodeHashHex: hashHex },
  });
  const stored: Uint8Array[] = [];
  const store: PlainStore = {
    read: () => ({ value: undefined, gas: 0n }),
    write: (_k, v) => (stored.push(v), { gas: 0n }),
    remove: () => ({ gas: 0n }),
  };
  const s = new EncryptedStorage(store, {
    keys,
    ogContractKey: ogKey,
    blockTimeNs: 1n,
    msgCounter: { height: 1n, counter: 0n },
    writable: true,
  });
  s.set(utf8.encode("k"), utf8.encode("value"));
  s.flush();
  return [tx.seal(inner).message, inner, ...stored];
}

function mutate(next: () => number, base: Uint8Array): Uint8Array {
  const b = Uint8Array.from(base);
  switch (next() % 5) {
    case 0:
      b[next() % Math.max(1, b.length)]! ^= 1 << (next() % 8);
      return b;
    case 1:
      return b.subarray(0, next() % (b.length + 1));
    case 2: {
      const extra = new Uint8Array(next() % 40).map(() => next() & 0xff);
      return Uint8Array.from([...b, ...extra]);
    }
    case 3:
      for (let i = 0; i < 8 && b.length > 0; i++) b[next() % b.length] = 0xff;
      return b;
    default:
      return new Uint8Array(next() % 200).map(() => next() & 0xff);
  }
}

function onlyCoded(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof EnclaveError)) throw e;
  }
}

test("100,000 fuzzed decoder inputs raise only coded errors", () => {
  const next = rng(42);
  const corpus = seeds();
  const encName = encryptKeyName(keys, ogKey, utf8.encode("k"));
  let n = 0;
  for (; n < 100_000; n++) {
    const input = mutate(next, corpus[n % corpus.length]!);
    onlyCoded(() => parseSecretMessage(input));
    onlyCoded(() => validateBasicMsg(input, codeHash));
    onlyCoded(() => parseStoredValue(input));
    // The crypto paths cost ~20-100 µs each; sample them so the whole file stays a few seconds.
    if (n % 8 === 0) onlyCoded(() => tx.decrypt(input.subarray(64)));
    if (n % 8 === 4) onlyCoded(() => decryptValue(keys, ogKey, encName, input));
    if (n % 40 === 0)
      onlyCoded(() => decryptInput(keys, input, n % 2 === 0 ? "query" : "execute").tx?.dispose());
  }
  assert.equal(n, 100_000);
});
