// The reply input decoder's plaintext path (SN reply_message.rs parse_plaintext_reply_message): a reply to a
// non-wasm sub-message carries the decimal id in clear and no signature; encrypted replies still need one. The
// host's `events` reach the contract rebuilt as `{type, attributes: [{key, value}]}` (SN passes them on unverified).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concatBytes, toBase64, utf8 } from "../../util/bytes.js";
import { EnclaveError } from "../errors.js";
import { decodeReplyInput } from "./reply.js";
import { keys } from "./testing/harness.js";

const NONCE_PK = new Uint8Array(64).fill(3);
const CODE_HASH = new Uint8Array(32).fill(4);
const input = (wire: object) => concatBytes(NONCE_PK, utf8.encode(JSON.stringify(wire)));
const idOf = (s: string) => toBase64(utf8.encode(s));

describe("reply input: plaintext replies (non-wasm sub-messages)", () => {
  test("ok and error results pass as they are, with the decimal id; output encryption follows the flag", () => {
    const ok = decodeReplyInput(
      keys,
      input({
        id: idOf("42"),
        result: { ok: { events: [], data: toBase64(Uint8Array.of(1, 2)) } },
        was_orig_msg_encrypted: true,
        is_encrypted: false,
      }),
      CODE_HASH,
      undefined,
    );
    assert.equal(utf8.decode(ok.replyJson), '{"id":42,"result":{"ok":{"events":[],"data":"AQI="}}}');
    assert.equal(ok.encrypted, true);
    assert.equal(ok.callerParams, undefined);
    const err = decodeReplyInput(
      keys,
      input({
        id: idOf("18446744073709551615"),
        result: { error: "redacted" },
        was_orig_msg_encrypted: false,
        is_encrypted: false,
      }),
      CODE_HASH,
      undefined,
    );
    assert.equal(utf8.decode(err.replyJson), '{"id":18446744073709551615,"result":{"error":"redacted"}}');
    assert.equal(err.encrypted, false);
  });

  test("a non-decimal or too-large id is refused; an encrypted reply without a signature is refused", () => {
    for (const id of ["abc", "-1", "18446744073709551616", ""]) {
      assert.throws(
        () =>
          decodeReplyInput(
            keys,
            input({ id: idOf(id), result: { error: "x" }, is_encrypted: false }),
            CODE_HASH,
            undefined,
          ),
        (e: unknown) => e instanceof EnclaveError && e.code === "FailedToDeserialize",
        id,
      );
    }
    assert.throws(
      () =>
        decodeReplyInput(
          keys,
          input({ id: idOf("1"), result: { error: "x" }, is_encrypted: true }),
          CODE_HASH,
          undefined,
        ),
      (e: unknown) => e instanceof EnclaveError && e.code === "FailedTxVerification",
    );
  });

  test("events pass to the contract as {type, attributes: [{key, value}]}; extra fields dropped; malformed refused", () => {
    const events = [
      { type: "wasm", attributes: [{ key: "contract_address", value: "secret1x", encrypted: false, x: 1 }] },
      { type: "instantiate", attributes: [], extra: true },
    ];
    const out = decodeReplyInput(
      keys,
      input({ id: idOf("5"), result: { ok: { events, data: null } }, is_encrypted: false }),
      CODE_HASH,
      undefined,
    );
    assert.equal(
      utf8.decode(out.replyJson),
      '{"id":5,"result":{"ok":{"events":[{"type":"wasm","attributes":[{"key":"contract_address","value":"secret1x"}]},' +
        '{"type":"instantiate","attributes":[]}],"data":null}}}',
    );
    for (const bad of [
      {},
      [{ type: 1, attributes: [] }],
      [{ type: "t" }],
      [{ type: "t", attributes: [{ key: "k" }] }],
    ]) {
      assert.throws(
        () =>
          decodeReplyInput(
            keys,
            input({ id: idOf("5"), result: { ok: { events: bad, data: null } }, is_encrypted: false }),
            CODE_HASH,
            undefined,
          ),
        (e: unknown) => e instanceof EnclaveError && e.code === "FailedToDeserialize",
        JSON.stringify(bad),
      );
    }
  });
});
