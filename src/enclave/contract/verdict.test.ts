// Signature verdict tokens (./verdict.ts) and their use in the signature check (./txSignature.ts): a token
// stands for the secp256k1 verify of exactly the bytes it binds, for this node's key only; anything else is
// refused and the check verifies as before. Fixtures: ./testing/signedTx.ts (secp256k1 via @noble/curves).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { concatBytes, InvalidInputError, u32be } from "../../util/bytes.js";
import { HKDF_SALT, hkdfSha256 } from "../crypto/kdf.js";
import { EnclaveError } from "../errors.js";
import { humanize } from "../vm/testing/mockApi.js";
import { accountOf, msgExecute, signAminoTx, signTx } from "./testing/signedTx.js";
import { issueVerdict, verifyTxBinding, type SigInfo, type SignedCall } from "./txSignature.js";
import {
  splitVerdictToken,
  VERDICT_KEY_LABEL,
  VERDICT_TOKEN_LENGTH,
  VerdictMac,
  withVerdictToken,
  type VerdictBinding,
} from "./verdict.js";

const SK = new Uint8Array(32).fill(0x41);
const OTHER_SK = new Uint8Array(32).fill(0x42);
const user = accountOf(SK);
const other = accountOf(OTHER_SK);
const CONTRACT = new Uint8Array(20).fill(6);
const FUNDS = [{ denom: "uscrt", amount: "10" }];
const MSG_A = new Uint8Array(80).fill(1);
const MSG_B = new Uint8Array(80).fill(2);
const mac = VerdictMac.derive(new Uint8Array(32).fill(0x51));
const otherNode = VerdictMac.derive(new Uint8Array(32).fill(0x52));

const callOf = (msg: Uint8Array, sender = user.canonical): SignedCall => ({
  op: "execute",
  senderCanonical: sender,
  senderHuman: humanize(sender),
  contractCanonical: CONTRACT,
  contractHuman: humanize(CONTRACT),
  funds: FUNDS,
  message: msg,
  admin: "",
});
const txA = signTx(SK, [msgExecute(user.canonical, CONTRACT, MSG_A, FUNDS)]);
const txB = signTx(SK, [msgExecute(user.canonical, CONTRACT, MSG_B, FUNDS)]);
const txOther = signTx(OTHER_SK, [msgExecute(other.canonical, CONTRACT, MSG_A, FUNDS)]);
/** txA with one signature byte flipped: the secp256k1 verify fails. */
const badA: SigInfo = { ...txA, signature: txA.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) };

const withToken = (sig: SigInfo, token: Uint8Array, m = mac): SigInfo => ({
  ...sig,
  verdict: { token, mac: m },
});
const refused = (f: () => void): void => {
  assert.throws(f, (e) => e instanceof EnclaveError && e.code === "FailedTxVerification");
};

describe("verdict tokens: issued only for signatures that hold", () => {
  test("a good DIRECT signature gets a 32-byte token, the same each time, and another node's key differs", () => {
    const t = issueVerdict(txA, user.canonical, mac);
    assert.ok(t !== undefined);
    assert.equal(t.length, VERDICT_TOKEN_LENGTH);
    assert.deepEqual(issueVerdict(txA, user.canonical, mac), t);
    assert.notDeepEqual(issueVerdict(txA, user.canonical, otherNode), t);
    assert.notDeepEqual(issueVerdict(txB, user.canonical, mac), t);
  });

  test("no token for a bad signature, a sender who is not the signer, or an unknown sign mode", () => {
    assert.equal(issueVerdict(badA, user.canonical, mac), undefined);
    assert.equal(issueVerdict(txA, other.canonical, mac), undefined);
    assert.equal(issueVerdict({ ...txA, signMode: 2 }, user.canonical, mac), undefined);
    assert.equal(issueVerdict({ ...txA, signBytes: Uint8Array.of(0xff, 0) }, user.canonical, mac), undefined);
  });

  test("LEGACY_AMINO_JSON: a token when the key in the sig info is the sender's", () => {
    const amino = signAminoTx(
      SK,
      [msgExecute(user.canonical, CONTRACT, MSG_A, FUNDS)],
      [{ type: "wasm/MsgExecuteContract", value: { sender: "x" } }],
    );
    assert.ok(issueVerdict(amino, user.canonical, mac) !== undefined);
    assert.equal(issueVerdict(amino, other.canonical, mac), undefined);
    const { publicKey: _pk, ...noKey } = amino;
    assert.equal(issueVerdict(noKey, user.canonical, mac), undefined);
  });
});

describe("the token's bytes", () => {
  // The definition the tokens had through session 6 (node:crypto HMAC over the joined binding): the JS HMAC
  // from pad states must give the same bytes, so a lane and an execute ECALL of either version agree.
  const secret = new Uint8Array(32).fill(0x51);
  const reference = (b: VerdictBinding): Uint8Array => {
    const lp = (x: Uint8Array): Uint8Array[] => [u32be(x.length), x];
    const bytes = concatBytes(
      new TextEncoder().encode("shroud:verdict:secp256k1-sha256-lowS:v1"),
      u32be(b.signMode),
      createHash("sha256").update(b.signBytes).digest(),
      ...lp(b.publicKey),
      ...lp(b.signature),
      ...lp(b.signer),
    );
    const key = hkdfSha256(secret, HKDF_SALT, VERDICT_KEY_LABEL);
    return new Uint8Array(createHmac("sha256", key).update(bytes).digest());
  };
  test("equal to HMAC-SHA256(HKDF key, domain ‖ mode ‖ sha256(sign bytes) ‖ lp(pk) ‖ lp(sig) ‖ lp(signer))", () => {
    const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        bytes(700),
        bytes(70),
        bytes(80),
        bytes(40),
        (signMode, signBytes, publicKey, signature, signer) => {
          const b = { signMode, signBytes, publicKey, signature, signer };
          assert.deepEqual(mac.token(b), reference(b));
        },
      ),
      { seed: 42, numRuns: 400 },
    );
  });
});

describe("verdict tokens in the signature check", () => {
  const tokenA = issueVerdict(txA, user.canonical, mac)!;

  test("with its token or without, the signed call passes the same way", () => {
    verifyTxBinding(txA, callOf(MSG_A));
    verifyTxBinding(withToken(txA, tokenA), callOf(MSG_A));
  });

  test("a token vouches for the signature only: a call the tx does not carry is still refused", () => {
    refused(() => {
      verifyTxBinding(withToken(txA, tokenA), callOf(MSG_B));
    });
    refused(() => {
      verifyTxBinding(withToken(txA, tokenA), { ...callOf(MSG_A), funds: [] });
    });
    refused(() => {
      verifyTxBinding(withToken({ ...txA, txBytes: Uint8Array.of(1, 2) }, tokenA), callOf(MSG_A));
    });
  });

  test("another tx's token, another signer's token or another node's token is refused: full verify decides", () => {
    const tokenB = issueVerdict(txB, user.canonical, mac)!;
    const tokenOther = issueVerdict(txOther, other.canonical, mac)!;
    const foreign = issueVerdict(txA, user.canonical, otherNode)!;
    // The altered signature with a token for something else: the verify runs and fails.
    for (const t of [tokenA, tokenB, tokenOther, foreign])
      refused(() => {
        verifyTxBinding(withToken(badA, t), callOf(MSG_A));
      });
    // A good tx with a wrong token still passes (by its own verify).
    for (const t of [tokenB, tokenOther, foreign]) verifyTxBinding(withToken(txA, t), callOf(MSG_A));
    // The other signer's tx cannot borrow user's token either.
    const badOther: SigInfo = { ...txOther, signature: new Uint8Array(64).fill(3) };
    refused(() => {
      verifyTxBinding(withToken(badOther, tokenA), callOf(MSG_A, other.canonical));
    });
  });

  test("forged random tokens (any length) never pass a bad signature", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (token) => {
        refused(() => {
          verifyTxBinding(withToken(badA, token), callOf(MSG_A));
        });
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("the skip is real: a token the key holder made over a bad signature lets it pass (only the enclave holds the key)", () => {
    const binding: VerdictBinding = {
      signMode: badA.signMode,
      signBytes: badA.signBytes,
      publicKey: user.pubkey,
      signature: badA.signature,
      signer: user.canonical,
    };
    verifyTxBinding(withToken(badA, mac.token(binding)), callOf(MSG_A));
    refused(() => {
      verifyTxBinding(withToken(badA, mac.token(binding), otherNode), callOf(MSG_A));
    });
    for (const field of ["signMode", "signBytes", "publicKey", "signature", "signer"] as const) {
      const altered = { ...binding, [field]: field === "signMode" ? 127 : other.canonical };
      assert.equal(mac.accepts(mac.token(binding), altered), false, field);
    }
  });
});

describe("the token in front of a contract ECALL payload", () => {
  const request = Uint8Array.of(0, 0, 0, 2, 0x7b, 0x7d, 9, 9);
  const token = new Uint8Array(32).fill(0xab);

  test("round trip; a payload without the marker is the request itself", () => {
    const both = withVerdictToken(request, token);
    assert.equal(both.length, request.length + 36);
    const split = splitVerdictToken(both);
    assert.deepEqual(split.token, token);
    assert.deepEqual(split.request, request);
    assert.deepEqual(splitVerdictToken(request), { request });
    assert.deepEqual(splitVerdictToken(Uint8Array.of(1)), { request: Uint8Array.of(1) });
  });

  test("a truncated prefix or a token of the wrong size is InvalidInput", () => {
    assert.throws(
      () => splitVerdictToken(withVerdictToken(request, token).subarray(0, 20)),
      InvalidInputError,
    );
    assert.throws(() => withVerdictToken(request, new Uint8Array(31)), InvalidInputError);
  });
});
