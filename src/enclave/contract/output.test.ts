// Pins processOutput byte for byte: data/attribute/error encryption, reply ids and signatures, the plaintext
// path. The digests below were produced by the output.ts of commit 57eb355 (before data decoding was made lazy).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromBase64, toBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { TxCrypto, type ReplyParam } from "../io.js";
import { keys } from "./testing/harness.js";
import { isCanonicalBase64, processOutput, type OutputContext, type ProcessedOutput } from "./output.js";

const CODE_HASH_HEX = "ab".repeat(32);
const REPLY_PARAMS: readonly ReplyParam[] = [
  { subMsgId: 7n, recipientCodeHash: utf8.encode("cd".repeat(32)) },
  { subMsgId: 9n, recipientCodeHash: utf8.encode("ef".repeat(32)) },
];

function ctx(encrypted: boolean, replyParams?: readonly ReplyParam[]): OutputContext {
  const tx = encrypted
    ? new TxCrypto(keys, new Uint8Array(32).fill(3), x25519PublicKey(new Uint8Array(32).fill(4)))
    : undefined;
  return { keys, tx, ownCodeHashHex: CODE_HASH_HEX, contractAddress: "secret1contract", replyParams };
}

const DATA = toBase64(utf8.encode('{"transfer":{"status":"success"}}'));

/** Fresh objects each time: processOutput rewrites sub-messages in place. */
const v1Ok = (data: unknown = DATA) => ({
  ok: {
    messages: [],
    attributes: [{ key: "a", value: "1" }],
    events: [{ type: "wasm-x", attributes: [{ key: "k", value: "v", encrypted: false }] }],
    data,
  },
});
const v010Ok = () => ({ ok: { messages: [], log: [{ key: "l", value: "2" }], data: DATA } });

/** A stable digest of everything that leaves the enclave. */
function digest(p: ProcessedOutput): string {
  const j = JSON.stringify({
    ok: p.ok,
    err: p.err,
    id: p.internalMsgId === undefined ? null : toHex(p.internalMsgId),
    sig: p.internalReplyEnclaveSig === undefined ? null : toHex(p.internalReplyEnclaveSig),
  });
  return toHex(sha256(utf8.encode(j)));
}

describe("processOutput (pinned outputs)", () => {
  test("v1 Ok, encrypted, no reply params: data encrypted, no reply id/signature", () => {
    const p = processOutput(ctx(true), v1Ok(), "v1");
    assert.equal(p.internalMsgId, undefined);
    assert.equal(p.internalReplyEnclaveSig, undefined);
    assert.equal(digest(p), PINNED.v1NoReply);
  });
  test("v1 Ok, encrypted, reply params: id and signature over the encrypted data", () => {
    const p = processOutput(ctx(true, REPLY_PARAMS), v1Ok(), "v1");
    assert.ok(p.internalMsgId !== undefined && p.internalReplyEnclaveSig !== undefined);
    assert.equal(digest(p), PINNED.v1Reply);
  });
  test("v1 Ok with null data, reply params", () => {
    assert.equal(digest(processOutput(ctx(true, REPLY_PARAMS), v1Ok(null), "v1")), PINNED.v1NullReply);
  });
  test("v0.10 Ok, encrypted, with and without reply params", () => {
    assert.equal(digest(processOutput(ctx(true), v010Ok(), "v010")), PINNED.v010NoReply);
    assert.equal(digest(processOutput(ctx(true, REPLY_PARAMS), v010Ok(), "v010")), PINNED.v010Reply);
  });
  test("v1 Err, encrypted, reply params", () => {
    const p = processOutput(ctx(true, REPLY_PARAMS), { err: "boom" }, "v1");
    assert.equal(digest(p), PINNED.v1ErrReply);
  });
  test("plaintext: data passes through unchanged; bad base64 data is still rejected", () => {
    const p = processOutput(ctx(false), v1Ok(), "v1");
    assert.equal((p.ok as { data: string }).data, DATA);
    assert.equal(digest(p), PINNED.plain);
    assert.throws(() => processOutput(ctx(false), v1Ok("not base64!"), "v1"));
    assert.throws(() => processOutput(ctx(true), v1Ok("not base64!"), "v1"));
  });
});

/** Data strings: non-canonical (nonzero trailing bits: re-encoded before encryption), canonical, empty. */
const EDGE_DATA = {
  "QR==": {
    none: "88211c7c24ec73baac9124824149d21246601387a74fc542668c8ae804a217d7",
    reply: "ef6eae511e5831a61d977e5c8484d736e4bc1253db7c8e38271a093c579f1f05",
    plain: "2877ec1cac32adc5a8e115597923505379ad323265542c774e27bccd07fccf91",
  },
  "QUJ=": {
    none: "882bba1bdcde744a8898e5fe8d488b6095fc258eafac77d36f464b1aacbb0080",
    reply: "b56eee28c9675bf2a7ab650600132772013798cb1459fec31ee54298bcfd076e",
    plain: "3813c7fe5d4334989bbbd0207e6580648e05ac069b1501d2b4630bbe87716d7f",
  },
  "": {
    none: "a98cbdfc758fddfef23bb38b72999b17ee3ecfb7518450c0b6d4b365ec81ba19",
    reply: "bac815f639857669940fd8db64534857e10d2dfd9c63b4efd30ab9f273a749c4",
    plain: "4519ba904debdbf0657b12208d7fa69e6c62b80c51732a27f4ff3ace2b271802",
  },
  QUJD: {
    none: "7954a17b27e331a220e428662559d0e7fba4b3275b23754bcab1ce93e44e5ecb",
    reply: "f3066cf003341a25e34bebf040cf3368588c3d87cc3fb5268864cbeb709a7952",
    plain: "a270c3e077186b7da9bd72f6a69dc7db4532ec557ef3df570d8b944ede91328e",
  },
} as const;

describe("data field edge cases (pinned from the pre-change output.ts)", () => {
  const bare = (data: string) => ({ ok: { messages: [], attributes: [], events: [], data } });
  const ctxOf = (encrypted: boolean, rp?: readonly ReplyParam[]): OutputContext => ({
    ...ctx(encrypted, rp),
    contractAddress: "x",
  });
  for (const [data, want] of Object.entries(EDGE_DATA)) {
    test(`data ${JSON.stringify(data)}: encrypted, with reply params, plaintext`, () => {
      assert.equal(digest(processOutput(ctxOf(true), bare(data), "v1")), want.none);
      assert.equal(
        digest(processOutput(ctxOf(true, REPLY_PARAMS.slice(0, 1)), bare(data), "v1")),
        want.reply,
      );
      assert.equal(digest(processOutput(ctxOf(false), bare(data), "v1")), want.plain);
    });
  }

  test("isCanonicalBase64(s) iff s is valid base64 that re-encodes to itself", () => {
    const chars = "ABCDQRSTYZabgwxy0189+/=".split("");
    const b64ish = fc
      .array(fc.constantFrom(...chars), { maxLength: 16 })
      .map((a) => a.join(""))
      .map((x) => x.padEnd(Math.ceil(x.length / 4) * 4, "="));
    const roundTrips = (x: string): boolean => {
      try {
        return toBase64(fromBase64(x)) === x;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(b64ish, (x) => isCanonicalBase64(x) === roundTrips(x)),
      { seed: 42, numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => isCanonicalBase64(toBase64(b))),
      { seed: 42, numRuns: 300 },
    );
    for (const x of ["QR==", "QUJ=", "Q===", "=AAA", "QQ=A", "QQ", "QQ==QQ==", "QQ-_"]) {
      assert.equal(isCanonicalBase64(x), false, x);
    }
  });
});

const PINNED = {
  v1NoReply: "ee66616ed2886db6556b50ed48feef402b816e7629111e5084b443e8f1731369",
  v1Reply: "8480aa155efe4ef6bfbd3bab92d248e5638752e7d6c52972bfd9784d6f964325",
  v1NullReply: "57173fd7422bc3f4791b0ccea53f160cfabef5c9b166e1d43a02a3570603e740",
  v010NoReply: "bea9399a42acbff6f9d3a329952ec28b166842913f1253af7b5624ca46d7a001",
  v010Reply: "ca29171dc9b410a29bb263756684330576afe5a6c43b38f3f0c65e5846309166",
  v1ErrReply: "b985dd79f027bb2819372abcd8a30038f89c665d5cdd055fa12100decaf1936e",
  plain: "2eb007f61d160307182168e034ea09a17733e5f9fb7de247aa8ddbeca3d4b2f5",
};
