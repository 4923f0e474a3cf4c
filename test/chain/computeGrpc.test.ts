// x/compute's gRPC queries over ABCI Query against a real enclave and the counter contract: every answer decodes
// with secretjs' own generated codecs (re-encoding gives our bytes back: canonical protobuf), carries the facts
// the REST answers carry, and the encrypted smart query decrypts with secretjs' EncryptionUtils; bad requests get
// the SDK's query error codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode, type Msg } from "secretjs";
import * as sjs from "secretjs/dist/protobuf/secret/compute/v1beta1/query.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import { fromBech32, toBech32 } from "../../src/chain/address.js";
import { fromBase64, toBase64, toHex, utf8 } from "../../src/util/bytes.js";
import { enclaveFixture } from "./fixtures.js";
import { runHeight, timeOf } from "./lifecycle.js";
import { appSigners, bootApp, eventAttr, counterGz, counterHash, counterWasm } from "./twinApps.js";

const Q = "/secret.compute.v1beta1.Query/";

const fx = enclaveFixture("shroud-compute-grpc-");

/** A generated codec: decode, then encode the result again. */
interface Codec<T> {
  decode(b: Uint8Array): T;
  encode(m: T): { finish(): Uint8Array };
}

/** Decodes with secretjs' codec and checks our bytes are the canonical encoding of what was decoded. */
function decodeCanonical<T>(codec: Codec<T>, bytes: Uint8Array): T {
  const m = codec.decode(bytes);
  assert.equal(toHex(codec.encode(m).finish()), toHex(bytes), "re-encoding gives the same bytes");
  return m;
}

test(
  "x/compute gRPC queries over ABCI: secretjs' codecs, REST's facts, SDK errors",
  { timeout: 90_000 },
  async () => {
    const { app, g } = await bootApp(fx.enclave, fx.t.store);
    const ask = (path: string, data: Uint8Array) => app.query({ path, data, height: 0n, prove: false });
    const q = (path: string, data: Uint8Array) => {
      const r = ask(path, data);
      assert.equal(r.code, 0, r.log);
      return r.value;
    };
    const { clients, sign } = appSigners(app, g.chain_id, ["a"]);
    const { wallet, utils } = clients[0]!;
    let height = 2n;
    const deliver = async (msg: Msg) => {
      const h = await runHeight(app, height, timeOf(g, height), [await sign(0, msg)]);
      height++;
      const r = h.finalize.txResults[1]!;
      assert.equal(r.code, 0, r.log);
      return r;
    };
    await deliver(
      new MsgStoreCode({ sender: wallet.address, wasm_byte_code: counterGz, source: "s", builder: "b" }),
    );
    const inst = await deliver(
      new MsgInstantiateContract({
        sender: wallet.address,
        code_id: 1,
        code_hash: counterHash,
        label: "counter-grpc",
        init_msg: { count: 41 },
        admin: wallet.address,
      }),
    );
    const address = eventAttr(inst.events, "message", "contract_address")!;
    await deliver(
      new MsgExecuteContract({
        sender: wallet.address,
        contract_address: address,
        code_hash: counterHash,
        msg: { increment: {} },
        sent_funds: [],
      }),
    );
    const rest = app.modules.compute.query;
    const ctx = appContext(new MemoryOverlay(fx.t.store.committed), g.chain_id, height, 0n);
    const byAddress = sjs.QueryByContractAddressRequest.encode({ contract_address: address }).finish();
    const byCode = sjs.QueryByCodeIdRequest.encode({ code_id: "1" }).finish();

    // Contract info: the REST JSON's facts, with creator as canonical bytes and admin_proof as bytes.
    const info = decodeCanonical(sjs.QueryContractInfoResponse, q(`${Q}ContractInfo`, byAddress));
    const restInfo = rest.contractInfo(ctx, address) as {
      contract_info: { creator: string; admin_proof: string; label: string; admin: string; created: object };
    };
    assert.equal(info.contract_address, address);
    const ci = info.contract_info!;
    assert.deepEqual(ci.creator, fromBech32(restInfo.contract_info.creator));
    assert.equal(ci.code_id, "1");
    assert.equal(ci.label, "counter-grpc");
    assert.equal(ci.admin, wallet.address);
    assert.equal(ci.admin, restInfo.contract_info.admin);
    assert.ok(ci.admin_proof.length > 0);
    assert.equal(toBase64(ci.admin_proof), restInfo.contract_info.admin_proof);
    assert.deepEqual(ci.created, restInfo.contract_info.created);

    const list = decodeCanonical(sjs.QueryContractsByCodeIdResponse, q(`${Q}ContractsByCodeId`, byCode));
    assert.deepEqual(list.contract_infos, [{ contract_address: address, contract_info: ci }]);

    const code = decodeCanonical(sjs.QueryCodeResponse, q(`${Q}Code`, byCode));
    assert.deepEqual(code.code_info, {
      code_id: "1",
      creator: wallet.address,
      code_hash: counterHash,
      source: "s",
      builder: "b",
    });
    assert.deepEqual(code.wasm, counterWasm, "the uncompressed wasm, as REST serves it");
    const codes = decodeCanonical(sjs.QueryCodesResponse, q(`${Q}Codes`, new Uint8Array()));
    assert.deepEqual(codes.code_infos, [code.code_info]);

    const hashByAddr = decodeCanonical(
      sjs.QueryCodeHashResponse,
      q(`${Q}CodeHashByContractAddress`, byAddress),
    );
    assert.equal(hashByAddr.code_hash, counterHash);
    assert.equal(
      decodeCanonical(sjs.QueryCodeHashResponse, q(`${Q}CodeHashByCodeId`, byCode)).code_hash,
      counterHash,
    );
    assert.equal(
      decodeCanonical(sjs.QueryContractLabelResponse, q(`${Q}LabelByAddress`, byAddress)).label,
      "counter-grpc",
    );
    const byLabel = sjs.QueryByLabelRequest.encode({ label: "counter-grpc" }).finish();
    assert.equal(
      decodeCanonical(sjs.QueryContractAddressResponse, q(`${Q}AddressByLabel`, byLabel)).contract_address,
      address,
    );

    const history = decodeCanonical(
      sjs.QueryContractHistoryResponse,
      q(
        `${Q}ContractHistory`,
        sjs.QueryContractHistoryRequest.encode({ contract_address: address }).finish(),
      ),
    );
    const restHistory = rest.contractHistory(ctx, address) as { entries: { msg: string; updated: object }[] };
    assert.equal(history.entries.length, 1);
    assert.equal(history.entries[0]!.operation, 1, "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT");
    assert.equal(history.entries[0]!.code_id, "1");
    assert.deepEqual(history.entries[0]!.updated, restHistory.entries[0]!.updated);
    assert.equal(toBase64(history.entries[0]!.msg), restHistory.entries[0]!.msg);

    // The encrypted smart query: only the sender's key opens the answer.
    const query = await utils.encrypt(counterHash, { get_count: {} });
    const smart = decodeCanonical(
      sjs.QuerySecretContractResponse,
      q(
        `${Q}QuerySecretContract`,
        sjs.QuerySecretContractRequest.encode({ contract_address: address, query }).finish(),
      ),
    );
    const answerB64 = utf8.decode(await utils.decrypt(smart.data, query.slice(0, 32)));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(answerB64))), { count: 42 });

    // Errors, as SN's querier returns them and the SDK maps them over ABCI (baseapp gRPCErrorToSDKError):
    // a registered compute/sdk error (gRPC Unknown) → sdk 6 "…: unknown request"; a bech32 failure → sdk 18.
    const other = sjs.QueryByContractAddressRequest.encode({
      contract_address: toBech32(new Uint8Array(20).fill(9)),
    }).finish();
    const codeReq = (id: string): Uint8Array => sjs.QueryByCodeIdRequest.encode({ code_id: id }).finish();
    const cases: [string, Uint8Array, number, string][] = [
      [`${Q}ContractInfo`, other, 6, "not found: unknown request"],
      [`${Q}LabelByAddress`, other, 6, "not found: unknown request"],
      [`${Q}CodeHashByContractAddress`, other, 6, "not found: unknown request"],
      [
        `${Q}ContractInfo`,
        sjs.QueryByContractAddressRequest.encode({ contract_address: "nope" }).finish(),
        18,
        "",
      ],
      [`${Q}ContractInfo`, Uint8Array.of(0x0a, 0x05, 0x61), 18, ""],
      [`${Q}Code`, codeReq("9"), 6, "not found: unknown request"],
      [`${Q}Code`, codeReq("0"), 6, "code id: invalid: unknown request"],
      [`${Q}ContractsByCodeId`, codeReq("0"), 6, "code id: invalid: unknown request"],
      // No contract of that code (here: no such code): SN's nil list is ErrNotFound.
      [`${Q}ContractsByCodeId`, codeReq("9"), 6, "not found: unknown request"],
      [`${Q}CodeHashByCodeId`, codeReq("9"), 6, "not found: unknown request"],
      [`${Q}AddressByLabel`, sjs.QueryByLabelRequest.encode({ label: "none" }).finish(), 6, ""],
    ];
    for (const [path, data, code, log] of cases) {
      const r = ask(path, data);
      assert.deepEqual([r.codespace, r.code], ["sdk", code], `${path}: ${r.log}`);
      if (log !== "") assert.equal(r.log, log, path);
    }
    // An unknown contract's history is empty, not an error (SN answers GetContractHistory's empty list).
    const none = ask(`${Q}ContractHistory`, other);
    assert.equal(none.code, 0, none.log);
    assert.deepEqual(sjs.QueryContractHistoryResponse.decode(none.value).entries, []);
    assert.deepEqual(rest.contractHistory(ctx, toBech32(new Uint8Array(20).fill(9))), { entries: [] });
    const failing = await utils.encrypt(counterHash, { no_such_query: {} });
    const bad = ask(
      `${Q}QuerySecretContract`,
      sjs.QuerySecretContractRequest.encode({ contract_address: address, query: failing }).finish(),
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.log, /encrypted: /, "the contract's error travels encrypted for the sender");
  },
);
