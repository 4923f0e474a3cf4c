// Pins processOutput byte for byte: data/attribute/error encryption, reply ids and signatures, the plaintext
// path. The digests below were produced by the output.ts of commit 57eb355 (before data decoding was made lazy).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { toBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { TxCrypto, type ReplyParam } from "../io.js";
import { keys } from "./testing/harness.js";
import { processOutput, type OutputContext, type ProcessedOutput } from "./output.js";

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

const PINNED = {
  v1NoReply: "ee66616ed2886db6556b50ed48feef402b816e7629111e5084b443e8f1731369",
  v1Reply: "8480aa155efe4ef6bfbd3bab92d248e5638752e7d6c52972bfd9784d6f964325",
  v1NullReply: "57173fd7422bc3f4791b0ccea53f160cfabef5c9b166e1d43a02a3570603e740",
  v010NoReply: "bea9399a42acbff6f9d3a329952ec28b166842913f1253af7b5624ca46d7a001",
  v010Reply: "ca29171dc9b410a29bb263756684330576afe5a6c43b38f3f0c65e5846309166",
  v1ErrReply: "b985dd79f027bb2819372abcd8a30038f89c665d5cdd055fa12100decaf1936e",
  plain: "2eb007f61d160307182168e034ea09a17733e5f9fb7de247aa8ddbeca3d4b2f5",
};
