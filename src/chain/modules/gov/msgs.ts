// Message types of the gov module for the tx registry (cosmos.gov.v1): codecs (cosmjs-types), signers
// (cosmos.msg.v1.signer) and REST JSON. SDK v0.50 gov messages have no ValidateBasic: every check runs in the
// msg server, so failures carry "message index: i" like the SDK's.
import {
  MsgCancelProposal,
  MsgDeposit,
  MsgSubmitProposal,
  MsgUpdateParams,
  MsgVote,
  MsgVoteWeighted,
} from "cosmjs-types/cosmos/gov/v1/tx";
import { voteOptionToJSON } from "cosmjs-types/cosmos/gov/v1/gov";
import { fromBech32 } from "../../address.js";
import type { MsgRegistry, MsgType } from "../../tx/msgRegistry.js";
import { MODULE_NAME } from "./keys.js";
import { messagesJson, paramsJson, unpackMessages } from "./types.js";

export const TYPE_URLS = {
  submitProposal: "/cosmos.gov.v1.MsgSubmitProposal",
  deposit: "/cosmos.gov.v1.MsgDeposit",
  vote: "/cosmos.gov.v1.MsgVote",
  voteWeighted: "/cosmos.gov.v1.MsgVoteWeighted",
  cancelProposal: "/cosmos.gov.v1.MsgCancelProposal",
  updateParams: "/cosmos.gov.v1.MsgUpdateParams",
} as const;

export const RESPONSE_TYPE_URLS = {
  submitProposal: "/cosmos.gov.v1.MsgSubmitProposalResponse",
  deposit: "/cosmos.gov.v1.MsgDepositResponse",
  vote: "/cosmos.gov.v1.MsgVoteResponse",
  voteWeighted: "/cosmos.gov.v1.MsgVoteWeightedResponse",
  cancelProposal: "/cosmos.gov.v1.MsgCancelProposalResponse",
  updateParams: "/cosmos.gov.v1.MsgUpdateParamsResponse",
} as const;

const coins = (cs: readonly { denom: string; amount: string }[]) =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount }));
const noCheck = (): void => undefined;

/** MsgSubmitProposal's type needs the registry: its nested messages must resolve at decode time (sdk 2). */
export function msgSubmitProposalType(registry: MsgRegistry): MsgType<MsgSubmitProposal> {
  return {
    typeUrl: TYPE_URLS.submitProposal,
    module: MODULE_NAME,
    decode: (b) => {
      const m = MsgSubmitProposal.decode(b);
      unpackMessages(registry, m.messages);
      return m;
    },
    encode: (m) => MsgSubmitProposal.encode(m).finish(),
    signers: (m) => [fromBech32(m.proposer, "proposer")],
    validateBasic: noCheck,
    toJson: (m) => ({
      messages: messagesJson(registry, m.messages),
      initial_deposit: coins(m.initialDeposit),
      proposer: m.proposer,
      metadata: m.metadata,
      title: m.title,
      summary: m.summary,
      expedited: m.expedited,
    }),
  };
}

export const MsgDepositType: MsgType<MsgDeposit> = {
  typeUrl: TYPE_URLS.deposit,
  module: MODULE_NAME,
  decode: (b) => MsgDeposit.decode(b),
  encode: (m) => MsgDeposit.encode(m).finish(),
  signers: (m) => [fromBech32(m.depositor, "depositor")],
  validateBasic: noCheck,
  toJson: (m) => ({ proposal_id: m.proposalId.toString(), depositor: m.depositor, amount: coins(m.amount) }),
};

export const MsgVoteType: MsgType<MsgVote> = {
  typeUrl: TYPE_URLS.vote,
  module: MODULE_NAME,
  decode: (b) => MsgVote.decode(b),
  encode: (m) => MsgVote.encode(m).finish(),
  signers: (m) => [fromBech32(m.voter, "voter")],
  validateBasic: noCheck,
  toJson: (m) => ({
    proposal_id: m.proposalId.toString(),
    voter: m.voter,
    option: voteOptionToJSON(m.option),
    metadata: m.metadata,
  }),
};

export const MsgVoteWeightedType: MsgType<MsgVoteWeighted> = {
  typeUrl: TYPE_URLS.voteWeighted,
  module: MODULE_NAME,
  decode: (b) => MsgVoteWeighted.decode(b),
  encode: (m) => MsgVoteWeighted.encode(m).finish(),
  signers: (m) => [fromBech32(m.voter, "voter")],
  validateBasic: noCheck,
  toJson: (m) => ({
    proposal_id: m.proposalId.toString(),
    voter: m.voter,
    options: m.options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })),
    metadata: m.metadata,
  }),
};

export const MsgCancelProposalType: MsgType<MsgCancelProposal> = {
  typeUrl: TYPE_URLS.cancelProposal,
  module: MODULE_NAME,
  decode: (b) => MsgCancelProposal.decode(b),
  encode: (m) => MsgCancelProposal.encode(m).finish(),
  signers: (m) => [fromBech32(m.proposer, "proposer")],
  validateBasic: noCheck,
  toJson: (m) => ({ proposal_id: m.proposalId.toString(), proposer: m.proposer }),
};

export const MsgUpdateParamsType: MsgType<MsgUpdateParams> = {
  typeUrl: TYPE_URLS.updateParams,
  module: MODULE_NAME,
  decode: (b) => MsgUpdateParams.decode(b),
  encode: (m) => MsgUpdateParams.encode(m).finish(),
  signers: (m) => [fromBech32(m.authority, "authority")],
  validateBasic: noCheck,
  toJson: (m) => ({ authority: m.authority, params: paramsJson(m.params) }),
};
