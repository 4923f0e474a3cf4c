// The registry codecs of MsgSend/MsgMultiSend decode over the input (readerOver, interned strings): the same
// values and errors as cosmjs-types' own decode, on real and mutated encodings (seeded).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { MsgMultiSendType, MsgSendType } from "./msgs.js";

const A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
const B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const bases = [
  MsgSend.encode({ fromAddress: A, toAddress: B, amount: [{ denom: "uscrt", amount: "7" }] }).finish(),
  MsgSend.encode({ fromAddress: "é∂", toAddress: "", amount: [{ denom: "ibc/AB", amount: "1" }] }).finish(),
  MsgMultiSend.encode({
    inputs: [{ address: A, coins: [{ denom: "uscrt", amount: "3" }] }],
    outputs: [{ address: B, coins: [{ denom: "uscrt", amount: "3" }] }],
  }).finish(),
];

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: e instanceof Error ? `${e.constructor.name}: ${e.message}` : "?" };
  }
}

test("MsgSend/MsgMultiSend registry decode ≡ cosmjs-types decode on mutated bytes", () => {
  const edit = fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 }), fc.boolean());
  fc.assert(
    fc.property(fc.nat(bases.length - 1), fc.array(edit, { maxLength: 3 }), (i, edits) => {
      let b = Uint8Array.from(bases[i]!);
      for (const [at, byte, cut] of edits) {
        if (cut) b = b.slice(0, at % (b.length + 1));
        else if (b.length > 0) b[at % b.length] = byte;
      }
      const buf = Buffer.from(b); // a Buffer input, as from a socket, must decode the same
      assert.deepEqual(
        outcome(() => MsgSendType.decode(buf)),
        outcome(() => MsgSend.decode(b)),
      );
      assert.deepEqual(
        outcome(() => MsgMultiSendType.decode(b)),
        outcome(() => MsgMultiSend.decode(b)),
      );
    }),
    { seed: 46, numRuns: 5000 },
  );
});
