// spec §4.2 binding of user calls to the signed tx (SIGN_MODE_DIRECT): every mismatch is refused with
// "failed to verify transaction signature"; contract-sent calls use callback_sig instead (operations.test.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { utf8 } from "../../util/bytes.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { TxCrypto } from "../io.js";
import { humanize } from "../vm/testing/mockApi.js";
import { OperationError, runContract } from "./operations.js";
import { MemStore, baseEnv, keys, loadWat, noQuery } from "./testing/harness.js";
import { accountOf, msgExecute, msgInstantiate, signAminoTx, signTx } from "./testing/signedTx.js";
import { toBase64 } from "../../util/bytes.js";
import type { ContractCallInput } from "./types.js";

const code = await loadWat("harness.wat");
const SK = new Uint8Array(32).fill(0x21);
const OTHER_SK = new Uint8Array(32).fill(0x22);
const user = accountOf(SK);
const SENDER = humanize(user.canonical);
const CONTRACT_CANON = new Uint8Array(20).fill(6);
const FUNDS = [{ denom: "uscrt", amount: "10" }];
const EMPTY = '{"Ok":{"messages":[],"attributes":[],"events":[],"data":null}}';

function seal(raw: string, nonceByte = 3): Uint8Array {
  return new TxCrypto(
    keys,
    new Uint8Array(32).fill(nonceByte),
    x25519PublicKey(new Uint8Array(32).fill(9)),
  ).seal(utf8.encode(code.hex + raw)).message;
}

const svc = { keys, store: new MemStore(), query: noQuery };
const init = runContract(
  { ...svc, verifyTxSignatures: false },
  {
    op: "instantiate",
    module: code.module,
    codeHash: code.codeHash,
    env: baseEnv({ sender: SENDER }),
    msg: seal(EMPTY),
    msgCounter: 0n,
    queryDepth: 0,
    gasLimit: 50_000_000n,
  },
);

function execute(over: Partial<ContractCallInput>): unknown {
  const msg = over.msg ?? seal("!");
  return runContract(svc, {
    op: "execute",
    module: code.module,
    codeHash: code.codeHash,
    env: baseEnv({ sender: SENDER, funds: FUNDS }),
    msg,
    contractKey: { ogContractKey: init.contractKey! },
    msgCounter: 1n,
    queryDepth: 0,
    gasLimit: 50_000_000n,
    ...over,
  });
}
const refused = (f: () => unknown) => {
  assert.throws(f, (e) => e instanceof OperationError && e.error.code === "FailedTxVerification");
};

describe("tx signature binding (SIGN_MODE_DIRECT)", () => {
  const msg = seal("!");
  const good = signTx(SK, [msgExecute(user.canonical, CONTRACT_CANON, msg, FUNDS)]);

  test("the signed message runs", () => {
    execute({ msg, sigInfo: good });
  });

  test("a tx body with other bytes but the signed messages runs (messages are compared, as in Secret)", () => {
    const raw = TxRaw.decode(good.txBytes);
    const body = TxBody.decode(raw.bodyBytes);
    const otherMemo = TxRaw.encode({ ...raw, bodyBytes: TxBody.encode({ ...body, memo: "other" }).finish() });
    execute({ msg, sigInfo: { ...good, txBytes: otherMemo.finish() } });
    refused(() => execute({ msg, sigInfo: { ...good, txBytes: Uint8Array.of(0xff, 1, 2) } }));
  });

  test("refused: no sig info, other signer, other sender, other bytes, other funds, other contract", () => {
    refused(() => execute({ msg }));
    refused(() =>
      execute({ msg, sigInfo: signTx(OTHER_SK, [msgExecute(user.canonical, CONTRACT_CANON, msg, FUNDS)]) }),
    );
    refused(() =>
      execute({
        msg,
        sigInfo: good,
        env: baseEnv({ sender: humanize(new Uint8Array(20).fill(1)), funds: FUNDS }),
      }),
    );
    refused(() => execute({ msg: seal("!", 4), sigInfo: good }));
    refused(() =>
      execute({ msg, sigInfo: signTx(SK, [msgExecute(user.canonical, CONTRACT_CANON, msg, [])]) }),
    );
    refused(() =>
      execute({
        msg,
        sigInfo: signTx(SK, [msgExecute(user.canonical, new Uint8Array(20).fill(7), msg, FUNDS)]),
      }),
    );
  });

  test("refused: tampered signature, tx body differing from the signed body, other sign mode", () => {
    const badSig = good.signature.slice();
    badSig[10]! ^= 1;
    refused(() => execute({ msg, sigInfo: { ...good, signature: badSig } }));
    const other = signTx(SK, [msgExecute(user.canonical, CONTRACT_CANON, seal("!", 5), FUNDS)]);
    const mixed = TxRaw.encode({
      ...TxRaw.decode(good.txBytes),
      bodyBytes: TxRaw.decode(other.txBytes).bodyBytes,
    }).finish();
    refused(() => execute({ msg, sigInfo: { ...good, txBytes: mixed } }));
    refused(() => execute({ msg, sigInfo: { ...good, signMode: 127 } }));
  });

  test("instantiate: the signed admin must match", () => {
    const m = seal(EMPTY, 6);
    const admin = humanize(new Uint8Array(20).fill(0x44));
    const base = {
      op: "instantiate" as const,
      module: code.module,
      codeHash: code.codeHash,
      env: baseEnv({ sender: SENDER }),
      msg: m,
      msgCounter: 2n,
      queryDepth: 0,
      gasLimit: 50_000_000n,
    };
    const sig = signTx(SK, [msgInstantiate(user.canonical, 1n, "l", m, [], admin)]);
    runContract(
      { ...svc, store: new MemStore() },
      { ...base, sigInfo: sig, admin: new Uint8Array(20).fill(0x44) },
    );
    refused(() =>
      runContract(
        { ...svc, store: new MemStore() },
        { ...base, sigInfo: sig, admin: new Uint8Array(20).fill(0x45) },
      ),
    );
  });

  test("LEGACY_AMINO_JSON (secretjs amino shape): runs; other bytes or a body differing from the signed msgs refused", () => {
    const aminoExec = (m: Uint8Array, funds = FUNDS) => ({
      type: "wasm/MsgExecuteContract",
      value: {
        sender: toBase64(user.canonical),
        contract: toBase64(CONTRACT_CANON),
        msg: toBase64(m),
        sent_funds: funds,
      },
    });
    const ok = signAminoTx(SK, [msgExecute(user.canonical, CONTRACT_CANON, msg, FUNDS)], [aminoExec(msg)]);
    execute({ msg, sigInfo: ok });
    refused(() => execute({ msg: seal("!", 8), sigInfo: ok }));
    const lying = signAminoTx(
      SK,
      [msgExecute(user.canonical, CONTRACT_CANON, seal("!", 9), FUNDS)],
      [aminoExec(msg)],
    );
    refused(() => execute({ msg, sigInfo: lying }));
    refused(() => execute({ msg, sigInfo: { ...ok, publicKey: undefined } }));
    refused(() =>
      execute({
        msg,
        sigInfo: signAminoTx(
          OTHER_SK,
          [msgExecute(user.canonical, CONTRACT_CANON, msg, FUNDS)],
          [aminoExec(msg)],
        ),
      }),
    );
  });
});
