// Our compute/registration codecs against secretjs' own generated encoders (reference implementation, read
// from node_modules/secretjs at test time), both directions, seeded property test.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as sjs from "secretjs/dist/protobuf/secret/compute/v1beta1/msg.js";
import * as sjsReg from "secretjs/dist/protobuf/secret/registration/v1beta1/msg.js";
import * as ours from "./proto.js";
import * as reg from "../registration/proto.js";
import { ProtoDecodeError } from "../../tx/proto.js";

const bytes = fc.uint8Array({ maxLength: 40 });
const str = fc.string({ maxLength: 20 });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const coin = fc.record({ denom: str, amount: str }).map((c) => ({ denom: c.denom, amount: c.amount }));
const opts = { seed: 42, numRuns: 300 };

test("MsgExecuteContract / MsgInstantiateContract match secretjs encoding both ways", () => {
  fc.assert(
    fc.property(
      bytes,
      bytes,
      bytes,
      str,
      fc.array(coin, { maxLength: 3 }),
      bytes,
      (sender, contract, msg, h, funds, sig) => {
        const m: ours.MsgExecuteContract = {
          sender,
          contract,
          msg,
          callbackCodeHash: h,
          sentFunds: funds,
          callbackSig: sig,
        };
        const theirs = sjs.MsgExecuteContract.encode({
          sender,
          contract,
          msg,
          callback_code_hash: h,
          sent_funds: funds,
          callback_sig: sig,
        }).finish();
        assert.deepEqual(ours.encodeMsgExecuteContract(m), new Uint8Array(theirs));
        assert.deepEqual(ours.decodeMsgExecuteContract(theirs), m);
      },
    ),
    opts,
  );
  fc.assert(
    fc.property(
      bytes,
      str,
      u64,
      str,
      bytes,
      fc.array(coin, { maxLength: 2 }),
      str,
      (sender, h, codeId, label, init, funds, admin) => {
        const m: ours.MsgInstantiateContract = {
          sender,
          callbackCodeHash: h,
          codeId,
          label,
          initMsg: init,
          initFunds: funds,
          callbackSig: new Uint8Array(),
          admin,
        };
        const theirs = sjs.MsgInstantiateContract.encode({
          sender,
          callback_code_hash: h,
          code_id: codeId.toString(),
          label,
          init_msg: init,
          init_funds: funds,
          callback_sig: new Uint8Array(),
          admin,
        }).finish();
        assert.deepEqual(ours.encodeMsgInstantiateContract(m), new Uint8Array(theirs));
        assert.deepEqual(ours.decodeMsgInstantiateContract(theirs), m);
      },
    ),
    opts,
  );
});

test("store/migrate/admin messages and responses match secretjs", () => {
  fc.assert(
    fc.property(bytes, bytes, str, str, u64, (sender, wasm, s1, s2, n) => {
      const sc = sjs.MsgStoreCode.encode({ sender, wasm_byte_code: wasm, source: s1, builder: s2 }).finish();
      assert.deepEqual(ours.decodeMsgStoreCode(sc), { sender, wasmByteCode: wasm, source: s1, builder: s2 });
      assert.deepEqual(
        ours.encodeMsgStoreCode({ sender, wasmByteCode: wasm, source: s1, builder: s2 }),
        new Uint8Array(sc),
      );
      const mg = {
        sender: s1,
        contract: s2,
        codeId: n,
        msg: wasm,
        callbackSig: sender,
        callbackCodeHash: s1,
      };
      const mgT = sjs.MsgMigrateContract.encode({
        sender: s1,
        contract: s2,
        code_id: n.toString(),
        msg: wasm,
        callback_sig: sender,
        callback_code_hash: s1,
      }).finish();
      assert.deepEqual(ours.encodeMsgMigrateContract(mg), new Uint8Array(mgT));
      assert.deepEqual(ours.decodeMsgMigrateContract(mgT), mg);
      const ua = sjs.MsgUpdateAdmin.encode({
        sender: s1,
        new_admin: s2,
        contract: s1,
        callback_sig: wasm,
      }).finish();
      assert.deepEqual(ours.decodeMsgUpdateAdmin(ua), {
        sender: s1,
        newAdmin: s2,
        contract: s1,
        callbackSig: wasm,
      });
      const ca = sjs.MsgClearAdmin.encode({ sender: s1, contract: s2, callback_sig: wasm }).finish();
      assert.deepEqual(
        ours.encodeMsgClearAdmin({ sender: s1, contract: s2, callbackSig: wasm }),
        new Uint8Array(ca),
      );
      const scr = sjs.MsgStoreCodeResponse.encode({ code_id: n.toString() }).finish();
      assert.deepEqual(ours.encodeMsgStoreCodeResponse({ codeId: n }), new Uint8Array(scr));
      const ir = sjs.MsgInstantiateContractResponse.encode({ address: s1, data: wasm }).finish();
      assert.deepEqual(ours.decodeMsgInstantiateContractResponse(ir), { address: s1, data: wasm });
      const er = sjs.MsgExecuteContractResponse.encode({ data: wasm }).finish();
      assert.deepEqual(ours.encodeMsgDataResponse({ data: wasm }), new Uint8Array(er));
      const ra = sjsReg.RaAuthenticate.encode({ sender, certificate: wasm }).finish();
      assert.deepEqual(reg.decodeMsgRaAuthenticate(ra), { sender, certificate: wasm, replaceMachineId: "" });
    }),
    opts,
  );
  const withId = reg.encodeMsgRaAuthenticate({
    sender: new Uint8Array([1]),
    certificate: new Uint8Array([2]),
    replaceMachineId: "m1",
  });
  assert.deepEqual(reg.decodeMsgRaAuthenticate(withId).replaceMachineId, "m1");
});

test("malformed input: wrong wire type, truncation, invalid UTF-8 are ProtoDecodeError", () => {
  assert.throws(() => ours.decodeMsgExecuteContract(Uint8Array.of(0x08, 0x01)), ProtoDecodeError); // field 1 as varint
  assert.throws(() => ours.decodeMsgExecuteContract(Uint8Array.of(0x0a, 0x05, 0x01)), ProtoDecodeError);
  assert.throws(() => ours.decodeMsgMigrateContract(Uint8Array.of(0x0a, 0x01, 0xff)), ProtoDecodeError);
  assert.throws(() => ours.decodeMsgStoreCode(Uint8Array.of(0x00)), ProtoDecodeError);
  // Unknown fields are skipped (proto3).
  assert.deepEqual(
    ours.decodeMsgDataResponse(Uint8Array.of(0x10, 0x05, 0x0a, 0x01, 0x07)).data,
    Uint8Array.of(7),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      try {
        ours.decodeMsgInstantiateContract(b);
      } catch (e) {
        assert.ok(e instanceof ProtoDecodeError, String(e));
      }
    }),
    { seed: 7, numRuns: 5000 },
  );
});
