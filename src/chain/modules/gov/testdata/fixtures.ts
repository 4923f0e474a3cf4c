// Shared fixtures for gov tests: addresses, message builders and a chain with two validators and a delegator.
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { MsgUpdateParams, type MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgSubmitProposal as SubmitCodec } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Params } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { toBech32 } from "../../../address.js";
import { GOV_AUTHORITY } from "../authority.js";
import { defaultGovParams } from "../params.js";
import { encodeToy, makeGovChain, TOY_UPDATE_PARAMS, type GovTestChain } from "./govHarness.js";

export const addr = (i: number): Uint8Array => new Uint8Array(20).fill(i);
export const A = addr(1);
export const B = addr(2);
export const V1 = addr(11);
export const V2 = addr(12);
export const D = addr(13);
export const POOR = addr(20);
export const bech = (a: Uint8Array): string => toBech32(a);
export const uscrt = (amount: bigint | number): { denom: string; amount: string }[] => [
  { denom: "uscrt", amount: String(amount) },
];

export const toyAny = (value: string, authority = GOV_AUTHORITY): Any => ({
  typeUrl: TOY_UPDATE_PARAMS,
  value: encodeToy({ authority, value }),
});

export function govParamsAny(change: Partial<Params>, authority = GOV_AUTHORITY): Any {
  const params = { ...defaultGovParams(), ...change };
  return {
    typeUrl: "/cosmos.gov.v1.MsgUpdateParams",
    value: MsgUpdateParams.encode({ authority, params }).finish(),
  };
}

export function sendAny(from: Uint8Array, to: Uint8Array, amount = 1): Any {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode({ fromAddress: bech(from), toAddress: bech(to), amount: uscrt(amount) }).finish(),
  };
}

export function submitMsg(over: Partial<MsgSubmitProposal> = {}): MsgSubmitProposal {
  return SubmitCodec.fromPartial({
    messages: [],
    initialDeposit: uscrt(10_000_000),
    proposer: bech(A),
    metadata: "ipfs://meta",
    title: "Title",
    summary: "Summary",
    expedited: false,
    ...over,
  });
}

/** V1: 600 self + 200 from D = 800 bonded; V2: 400 self. Total bonded 1200. */
export function standardChain(): GovTestChain {
  const c = makeGovChain({
    [bech(A)]: 100_000_000n,
    [bech(B)]: 100_000_000n,
    [bech(V1)]: 1_000n,
    [bech(V2)]: 1_000n,
    [bech(D)]: 1_000n,
    [bech(POOR)]: 10n,
  });
  c.staking.addValidator(V1, 600n);
  c.staking.addValidator(V2, 400n);
  c.staking.delegate(D, V1, 200n);
  return c;
}
