// x/compute genesis: params (SN's JSON shape), codes (info + wasm), contracts (info, contract key, state, history)
// and sequences, in a JSON shape of our own close to SN's GenesisState. Import reloads each code into the enclave (loadCode) so the
// stored hash is checked against the bytes; contract state entries are the enclave's ciphertext as stored.
import { fromBase64, fromHex, toBase64, toHex } from "../../../util/bytes.js";
import { fromBech32, toBech32 } from "../../address.js";
import { ChainError } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import { ComputeErrors } from "./errors.js";
import type { ComputeEnclave } from "./expectedKeepers.js";
import type { ComputeKeeper } from "./keeper.js";
import { paramsFromJson, paramsJson } from "./params.js";
import {
  codeInfoFromJson,
  codeInfoJson,
  contractInfoFromJson,
  contractInfoJson,
  historyFromJson,
  historyJson,
} from "./types.js";

type J = Record<string, unknown>;

export interface ComputeGenesis {
  /** SN GenesisState.params: {compile_cost: "0.800000000000000000", max_contract_size: "2097152"}. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly codes?: readonly { readonly code_info: J; readonly code_bytes: string }[];
  readonly contracts?: readonly {
    readonly contract_address: string;
    readonly contract_info: J;
    readonly contract_key: { readonly og: string; readonly current?: string; readonly proof?: string };
    readonly contract_state: readonly { readonly key: string; readonly value: string }[];
    readonly history: readonly J[];
  }[];
  readonly sequences?: { readonly last_code_id?: string; readonly last_instance_id?: string };
}

export function initComputeGenesis(
  ctx: Context,
  k: ComputeKeeper,
  enclave: ComputeEnclave | undefined,
  g: ComputeGenesis,
): void {
  // Always stored, as SN InitGenesis SetParams(data.Params) does; absent fields are the defaults here (see
  // README). An old export's query_gas_limit is ignored (a node setting now).
  k.setParams(ctx, paramsFromJson(g.params ?? {}));
  for (const c of g.codes ?? []) {
    const info = codeInfoFromJson(c.code_info);
    const wasm = fromBase64(c.code_bytes, "code_bytes");
    if (enclave !== undefined) {
      const res = enclave.ecall("loadCode", wasm);
      if ("error" in res)
        throw new ChainError(ComputeErrors.InvalidGenesis, `code ${info.codeId}: ${res.error.message}`);
    }
    k.setCode(ctx, info, wasm);
  }
  for (const c of g.contracts ?? []) {
    const a = fromBech32(c.contract_address, "contract_address");
    const info = contractInfoFromJson(c.contract_info);
    k.setContract(ctx, a, info);
    k.setContractKey(ctx, a, {
      og: fromBase64(c.contract_key.og, "og"),
      ...(c.contract_key.current === undefined
        ? {}
        : { current: fromBase64(c.contract_key.current, "current") }),
      ...(c.contract_key.proof === undefined ? {} : { proof: fromBase64(c.contract_key.proof, "proof") }),
    });
    k.setLabel(ctx, info.label, a);
    k.indexByCode(ctx, info.codeId, info.created, a);
    const st = k.contractState(ctx, a);
    for (const e of c.contract_state) st.set(fromHex(e.key, "key"), fromBase64(e.value, "value"));
    for (const h of c.history) k.appendHistory(ctx, a, historyFromJson(h));
  }
  if (g.sequences?.last_code_id !== undefined) k.setSequence(ctx, "code", BigInt(g.sequences.last_code_id));
  if (g.sequences?.last_instance_id !== undefined)
    k.setSequence(ctx, "instance", BigInt(g.sequences.last_instance_id));
}

export function exportComputeGenesis(ctx: Context, k: ComputeKeeper): ComputeGenesis {
  const codes = k.listCodes(ctx).map((info) => ({
    code_info: codeInfoJson(info),
    code_bytes: toBase64(k.getWasm(ctx, info.codeId) ?? new Uint8Array()),
  }));
  const contracts = k.listContracts(ctx).map((a) => {
    const info = k.getContract(ctx, a);
    const key = k.getContractKey(ctx, a);
    if (info === undefined || key === undefined) throw new Error("contract without info or key");
    const state = [...k.contractState(ctx, a).iterate(undefined, undefined)].map(([kk, v]) => ({
      key: toHex(kk),
      value: toBase64(v),
    }));
    return {
      contract_address: toBech32(a),
      contract_info: contractInfoJson(info),
      contract_key: {
        og: toBase64(key.og),
        ...(key.current === undefined ? {} : { current: toBase64(key.current) }),
        ...(key.proof === undefined ? {} : { proof: toBase64(key.proof) }),
      },
      contract_state: state,
      history: k.history(ctx, a).map(historyJson),
    };
  });
  return {
    params: paramsJson(k.getParams(ctx)),
    codes,
    contracts,
    sequences: {
      last_code_id: k.peekSequence(ctx, "code").toString(),
      last_instance_id: k.peekSequence(ctx, "instance").toString(),
    },
  };
}
