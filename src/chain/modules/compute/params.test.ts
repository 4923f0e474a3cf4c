// x/compute params: Secret's Params/MsgUpdateParams wire forms (checked against secretjs' generated codecs), the
// JSON of genesis and the params query, compile gas rounding, and at store-code (real enclave) the
// max_contract_size limit (compute 31) and CompileCost gas per uncompressed byte; a user-sent MsgUpdateParams is
// refused with gov 13 (the gov-proposal path is in test/chain/updateParams.test.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { MsgStoreCode, type Msg } from "secretjs";
import * as sjsParams from "secretjs/dist/protobuf/secret/compute/v1beta1/params.js";
import * as sjsMsg from "secretjs/dist/protobuf/secret/compute/v1beta1/msg.js";
import { concatBytes } from "../../../util/bytes.js";
import { ChainError } from "../../errors.js";
import { GOV_AUTHORITY } from "../gov/authority.js";
import { Dec } from "../staking/dec.js";
import { exportComputeGenesis, initComputeGenesis } from "./genesis.js";
import { PARAMS_KEY, STORE_PREFIX } from "./keys.js";
import {
  compileGas,
  decodeMsgUpdateParams,
  decodeParams,
  DEFAULT_PARAMS,
  encodeMsgUpdateParams,
  encodeParams,
  paramsFromJson,
  paramsJson,
} from "./params.js";
import { contract, fork, startHarness, type Harness } from "./testdata/computeHarness.js";

const P = (compileCost: string, maxContractSize: bigint) => ({
  compileCost: Dec.fromString(compileCost),
  maxContractSize,
});

describe("compute params codecs and JSON", () => {
  test("Params and MsgUpdateParams match secretjs' codecs both ways", () => {
    // Defaults: SN x/compute/internal/types/params.go (0.8 gas per byte, 2 MiB).
    const wire = encodeParams(DEFAULT_PARAMS);
    assert.deepEqual(sjsParams.Params.decode(wire), {
      compile_cost: "800000000000000000",
      max_contract_size: "2097152",
    });
    const back = decodeParams(
      sjsParams.Params.encode({ compile_cost: "1500000000000000000", max_contract_size: "1000" }).finish(),
    );
    assert.equal(back.compileCost.toString(), "1.500000000000000000");
    assert.equal(back.maxContractSize, 1000n);
    const m = { authority: GOV_AUTHORITY, params: P("0.25", 4096n) };
    const sj = sjsMsg.MsgUpdateParams.decode(encodeMsgUpdateParams(m));
    assert.deepEqual(sj, {
      authority: GOV_AUTHORITY,
      params: { compile_cost: "250000000000000000", max_contract_size: "4096" },
    });
    const d = decodeMsgUpdateParams(sjsMsg.MsgUpdateParams.encode(sj).finish());
    assert.equal(d.authority, GOV_AUTHORITY);
    assert.deepEqual(paramsJson(d.params), {
      compile_cost: "0.250000000000000000",
      max_contract_size: "4096",
    });
    // Absent fields are Go zero values; a non-integer compile_cost is malformed protobuf.
    assert.deepEqual(paramsJson(decodeParams(new Uint8Array())), {
      compile_cost: "0.000000000000000000",
      max_contract_size: "0",
    });
    const badDec = sjsParams.Params.encode({ compile_cost: "0.8", max_contract_size: "1" }).finish();
    assert.throws(() => decodeParams(badDec), /invalid decimal/);
  });

  test("genesis JSON: defaults for missing fields, Secret's shape, malformed values refused", () => {
    assert.deepEqual(paramsJson(paramsFromJson({})), {
      compile_cost: "0.800000000000000000",
      max_contract_size: "2097152",
    });
    const p = paramsFromJson({ compile_cost: "2.5", max_contract_size: "123", query_gas_limit: "9" });
    assert.deepEqual(paramsJson(p), { compile_cost: "2.500000000000000000", max_contract_size: "123" });
    for (const bad of [
      { compile_cost: "x" },
      { compile_cost: 1 },
      { max_contract_size: "-1" },
      { max_contract_size: "18446744073709551616" },
    ]) {
      assert.throws(
        () => paramsFromJson(bad),
        (e: unknown) => e instanceof ChainError && e.codespace === "compute" && e.code === 8,
        JSON.stringify(bad),
      );
    }
  });

  test("compile gas: CompileCost × bytes rounded half to even; negative wraps like Go's uint64", () => {
    assert.equal(compileGas(DEFAULT_PARAMS, 2_097_152), 1_677_722n); // 1677721.6
    assert.equal(compileGas(P("0.5", 0n), 3), 2n); // 1.5 → 2
    assert.equal(compileGas(P("0.5", 0n), 5), 2n); // 2.5 → 2
    assert.equal(compileGas(P("0", 0n), 1000), 0n);
    assert.equal(compileGas(P("-1", 0n), 1), (1n << 64n) - 1n);
  });
});

describe("compute params at store-code and in genesis (real enclave)", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });
  const gz = contract("counter.wasm.gz");
  const rawLen = gunzipSync(gz).length;
  const store = () => new MsgStoreCode({ sender: h.a.address, wasm_byte_code: gz, source: "", builder: "" });
  const withParams = (compileCost: string, max: bigint) => {
    const st = fork(h.chain.state);
    h.compute.keeper.setParams(h.chain.ctx(st), P(compileCost, max));
    return st;
  };

  test("max_contract_size bounds the uncompressed size (compute 31); compile gas is charged per raw byte", async () => {
    const raw = await h.sign(h.a, [store()], 5_000_000);
    const tooSmall = h.run(raw, withParams("0.8", BigInt(rawLen - 1)));
    assert.deepEqual([tooSmall.res.codespace, tooSmall.res.code], ["compute", 31], tooSmall.res.log);
    assert.match(tooSmall.res.log, /max contract size exceeded/);
    const exact = h.run(raw, withParams("0.8", BigInt(rawLen)));
    assert.equal(exact.res.code, 0, exact.res.log);
    // Same state and tx; compile costs with equally long atomics, so the params read costs the same gas.
    const dearer = h.run(raw, withParams("0.9", BigInt(rawLen)));
    const cheaper = h.run(raw, withParams("0.1", BigInt(rawLen)));
    assert.equal(dearer.res.code, 0, dearer.res.log);
    const g = (c: string) => compileGas(P(c, 0n), rawLen);
    assert.equal(dearer.res.gasUsed - exact.res.gasUsed, g("0.9") - g("0.8"));
    assert.equal(exact.res.gasUsed - cheaper.res.gasUsed, g("0.8") - g("0.1"));
    assert.ok(g("0.8") - g("0.1") > 10_000n, "a visible charge");
  });

  test("a user-sent MsgUpdateParams is refused with gov 13 and changes nothing", async () => {
    const st = fork(h.chain.state);
    const msg: Msg = {
      toProto: () =>
        Promise.resolve({
          type_url: "/secret.compute.v1beta1.MsgUpdateParams",
          value: {},
          encode: () => encodeMsgUpdateParams({ authority: h.a.address, params: P("9", 1n) }),
        }),
      toAmino: () => Promise.reject(new Error("no amino form")),
    };
    const { res } = h.run(await h.sign(h.a, [msg]), st);
    assert.deepEqual([res.codespace, res.code], ["gov", 13], res.log);
    assert.ok(
      res.log.includes(`invalid authority; expected ${GOV_AUTHORITY}, got ${h.a.address}: expected gov`),
      res.log,
    );
    assert.deepEqual(paramsJson(h.compute.keeper.getParams(h.chain.ctx(st))), paramsJson(DEFAULT_PARAMS));
  });

  test("genesis params import/export in Secret's JSON shape; the params query answers them", () => {
    const st = fork(h.chain.state);
    const ctx = h.chain.ctx(st);
    initComputeGenesis(ctx, h.compute.keeper, undefined, {
      params: { compile_cost: "1.250000000000000000", max_contract_size: "65536" },
    });
    const want = { compile_cost: "1.250000000000000000", max_contract_size: "65536" };
    assert.deepEqual(exportComputeGenesis(ctx, h.compute.keeper).params, want);
    assert.deepEqual(h.compute.query.params(ctx), { params: want });
    // No params section: the defaults are stored (SN InitGenesis always SetParams), as Secret's proto bytes.
    const empty = h.chain.ctx(fork(h.chain.state));
    initComputeGenesis(empty, h.compute.keeper, undefined, {});
    assert.deepEqual(empty.store.get(concatBytes(STORE_PREFIX, PARAMS_KEY)), encodeParams(DEFAULT_PARAMS));
  });
});
