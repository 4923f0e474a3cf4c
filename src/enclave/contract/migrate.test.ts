// migrate (new contract key + proof, admin proof checked, state stays under the og key) and updateAdmin.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../../util/bytes.js";
import { validateAdminProof } from "../contractKey.js";
import { TxCrypto, callbackSig } from "../io.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { updateAdmin } from "./admin.js";
import { isEnclaveError } from "../errors.js";
import { humanize } from "../vm/testing/mockApi.js";
import { accountOf, msgClearAdmin, msgUpdateAdmin, signTx } from "./testing/signedTx.js";
import { OperationError, runContract } from "./operations.js";
import { CONTRACT, MemStore, baseEnv, keys, loadWat, noQuery } from "./testing/harness.js";
import type { ContractCallInput } from "./types.js";

const code = await loadWat("harness.wat");
const v010 = await loadWat("v010.wat");
const USER_PK = x25519PublicKey(new Uint8Array(32).fill(9));
const ADMIN = new Uint8Array(20).fill(5);
const EMPTY = '{"Ok":{"messages":[],"attributes":[],"events":[],"data":null}}';

function seal(hex: string, raw: string): Uint8Array {
  return new TxCrypto(keys, new Uint8Array(32).fill(3), USER_PK).seal(utf8.encode(hex + raw)).message;
}
function input(over: Partial<ContractCallInput> & Pick<ContractCallInput, "op" | "msg">): ContractCallInput {
  return {
    module: code.module,
    codeHash: code.codeHash,
    env: baseEnv(),
    msgCounter: 0n,
    queryDepth: 0,
    gasLimit: 50_000_000n,
    ...over,
  };
}
const svc = (store: MemStore) => ({ keys, store, query: noQuery, verifyTxSignatures: false });

describe("migrate", () => {
  test("admin proof checked; new key + proof; state still readable under the og key", () => {
    const store = new MemStore();
    const init = runContract(
      svc(store),
      input({ op: "instantiate", msg: seal(code.hex, '!{"Ok":"aGk="}'), admin: ADMIN }),
    );
    const og = init.contractKey!;
    // Migrate the harness to itself: the key logic is the same for any new code, and the state stays readable.
    const mig = runContract(
      svc(store),
      input({
        op: "migrate",
        msg: seal(code.hex, "!"),
        contractKey: { ogContractKey: og },
        admin: ADMIN,
        adminProof: init.adminProof,
      }),
    );
    assert.equal(mig.contractKey?.length, 64);
    assert.equal(mig.contractKeyProof?.length, 32);
    assert.notDeepEqual(mig.contractKey, og);
    const migrated = {
      ogContractKey: og,
      currentContractKey: mig.contractKey ?? new Uint8Array(),
      currentContractKeyProof: mig.contractKeyProof ?? new Uint8Array(),
    };
    // The "init" value written at instantiate is still there (state keyed by og key).
    const q = runContract(
      svc(store),
      input({ op: "query", msg: seal(code.hex, "init"), contractKey: migrated }),
    );
    const pt = new TxCrypto(keys, new Uint8Array(32).fill(3), USER_PK).decrypt(
      Buffer.from(q.output.ok as string, "base64"),
    );
    assert.equal(utf8.decode(pt), "aGk=");
    assert.throws(
      () =>
        runContract(
          svc(store),
          input({
            op: "execute",
            msg: seal(code.hex, "!"),
            contractKey: { ...migrated, currentContractKeyProof: new Uint8Array(32) },
          }),
        ),
      (e) => e instanceof OperationError,
    );
    runContract(svc(store), input({ op: "execute", msg: seal(code.hex, "!"), contractKey: migrated }));
  });

  test("a sender that is not the admin (the proof is checked against the sender) is refused", () => {
    const store = new MemStore();
    const init = runContract(
      svc(store),
      input({ op: "instantiate", msg: seal(code.hex, EMPTY), admin: ADMIN }),
    );
    assert.throws(
      () =>
        runContract(
          svc(store),
          input({
            op: "migrate",
            msg: seal(code.hex, "!"),
            contractKey: { ogContractKey: init.contractKey! },
            env: baseEnv({ sender: humanize(new Uint8Array(20).fill(6)) }),
            admin: ADMIN,
            adminProof: init.adminProof,
          }),
        ),
      (e) => e instanceof OperationError && e.error.code === "ValidationFailure",
    );
  });
});

describe("updateAdmin", () => {
  const ADMIN_SK = new Uint8Array(32).fill(0x51);
  const admin = accountOf(ADMIN_SK);
  const adminHuman = humanize(admin.canonical);

  test("signed by the current admin: new admin's proof; clearing: empty proof; forged or unsigned refused", () => {
    const init = runContract(
      svc(new MemStore()),
      input({ op: "instantiate", msg: seal(code.hex, EMPTY), admin: admin.canonical }),
    );
    const og = init.contractKey!;
    const next = new Uint8Array(20).fill(0x11);
    const base = {
      sender: adminHuman,
      contract: CONTRACT,
      ogContractKey: og,
      currentAdmin: admin.canonical,
      currentAdminProof: init.adminProof!,
    };
    const sigInfo = signTx(ADMIN_SK, [msgUpdateAdmin(adminHuman, humanize(next), CONTRACT)]);
    const proof = updateAdmin(keys, { ...base, newAdmin: next, sigInfo });
    validateAdminProof(keys, next, og, proof);
    const clear = signTx(ADMIN_SK, [msgClearAdmin(adminHuman, CONTRACT)]);
    assert.equal(updateAdmin(keys, { ...base, newAdmin: new Uint8Array(), sigInfo: clear }).length, 0);
    // Unsigned, signed for another new admin, or a clear presented as an update: refused.
    assert.throws(
      () => updateAdmin(keys, { ...base, newAdmin: next }),
      (e) => isEnclaveError(e, "FailedTxVerification"),
    );
    assert.throws(
      () => updateAdmin(keys, { ...base, newAdmin: new Uint8Array(20).fill(0x12), sigInfo }),
      (e) => isEnclaveError(e, "FailedTxVerification"),
    );
    assert.throws(
      () => updateAdmin(keys, { ...base, newAdmin: next, sigInfo: clear }),
      (e) => isEnclaveError(e, "FailedTxVerification"),
    );
    // A sender that is not the admin, or a wrong proof: refused before any signature check.
    assert.throws(
      () => updateAdmin(keys, { ...base, sender: humanize(next), newAdmin: next, sigInfo }),
      (e) => isEnclaveError(e, "ValidationFailure"),
    );
    assert.throws(
      () => updateAdmin(keys, { ...base, currentAdminProof: proof, newAdmin: next, sigInfo }),
      (e) => isEnclaveError(e, "ValidationFailure"),
    );
    // A contract admin uses a callback_sig over an empty msg and no funds.
    const cb = callbackSig(keys, new Uint8Array(), []);
    assert.equal(updateAdmin(keys, { ...base, newAdmin: next, callbackSig: cb }).length, 32);
  });
});

describe("v0.10 query", () => {
  test("query(msg) without env; the answer is encrypted", () => {
    const store = new MemStore();
    const init = runContract(
      svc(store),
      input({
        op: "instantiate",
        module: v010.module,
        codeHash: v010.codeHash,
        msg: seal(v010.hex, '{"Ok":{"messages":[],"log":[]}}'),
      }),
    );
    const q = runContract(
      svc(store),
      input({
        op: "query",
        module: v010.module,
        codeHash: v010.codeHash,
        msg: seal(v010.hex, '{"Ok":"eyJhIjoxfQ=="}'),
        contractKey: { ogContractKey: init.contractKey! },
      }),
    );
    const pt = new TxCrypto(keys, new Uint8Array(32).fill(3), USER_PK).decrypt(
      Buffer.from(q.output.ok as string, "base64"),
    );
    assert.equal(utf8.decode(pt), "eyJhIjoxfQ==");
  });
});
