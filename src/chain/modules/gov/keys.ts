// Store layout of the gov module (the only keys gov's keeper touches). Prefix bytes follow cosmos-sdk v0.50
// x/gov/types/keys.go (collections prefixes: proposals 0x00, active queue 0x01, inactive queue 0x02, proposal id
// 0x03, voting-period index 0x04, deposits 0x10, votes 0x20, params 0x30, constitution 0x31).
import { concatBytes, u64be, utf8 } from "../../../util/bytes.js";
import { moduleAddress } from "../../address.js";

export const MODULE_NAME = "gov";
export const STORE_PREFIX = utf8.encode("gov/");
/** The gov module account: the authority of every MsgUpdateParams and the signer of proposal messages. */
export const GOV_MODULE_ADDRESS = moduleAddress(MODULE_NAME);

/** 0x00 | u64be(id) -> cosmos.gov.v1.Proposal proto. */
export const PROPOSALS_PREFIX = Uint8Array.of(0x00);
/** 0x01 | u64be(voting end, ns) | u64be(id) -> empty (proposals in voting, by end time). */
export const ACTIVE_QUEUE_PREFIX = Uint8Array.of(0x01);
/** 0x02 | u64be(deposit end, ns) | u64be(id) -> empty (proposals in deposit period, by end time). */
export const INACTIVE_QUEUE_PREFIX = Uint8Array.of(0x02);
/** 0x03 -> u64be(next proposal id). */
export const PROPOSAL_ID_KEY = Uint8Array.of(0x03);
/** 0x04 | u64be(id) -> 0x01 while the proposal is in its voting period (SDK VotingPeriodProposals). */
export const VOTING_PERIOD_PREFIX = Uint8Array.of(0x04);
/** 0x10 | u64be(id) | len(addr) | addr -> cosmos.gov.v1.Deposit proto. */
export const DEPOSITS_PREFIX = Uint8Array.of(0x10);
/** 0x20 | u64be(id) | len(addr) | addr -> cosmos.gov.v1.Vote proto. */
export const VOTES_PREFIX = Uint8Array.of(0x20);
/** 0x30 -> cosmos.gov.v1.Params proto. */
export const PARAMS_KEY = Uint8Array.of(0x30);
/** 0x31 -> constitution (UTF-8). */
export const CONSTITUTION_KEY = Uint8Array.of(0x31);

function lenAddr(addr: Uint8Array): Uint8Array {
  if (addr.length === 0 || addr.length > 255) throw new RangeError("address length must be 1..255");
  return concatBytes(Uint8Array.of(addr.length), addr);
}

export function proposalKey(id: bigint): Uint8Array {
  return concatBytes(PROPOSALS_PREFIX, u64be(id));
}

/** Queue key: prefix | u64be(time ns) | u64be(id); ordered by time, then id (SDK Pair[time, uint64]). */
export function queueKey(prefix: Uint8Array, timeNs: bigint, id: bigint): Uint8Array {
  return concatBytes(prefix, u64be(timeNs), u64be(id));
}

export function votingPeriodKey(id: bigint): Uint8Array {
  return concatBytes(VOTING_PERIOD_PREFIX, u64be(id));
}

export function depositsPrefix(id: bigint): Uint8Array {
  return concatBytes(DEPOSITS_PREFIX, u64be(id));
}

export function depositKey(id: bigint, depositor: Uint8Array): Uint8Array {
  return concatBytes(depositsPrefix(id), lenAddr(depositor));
}

export function votesPrefix(id: bigint): Uint8Array {
  return concatBytes(VOTES_PREFIX, u64be(id));
}

export function voteKey(id: bigint, voter: Uint8Array): Uint8Array {
  return concatBytes(votesPrefix(id), lenAddr(voter));
}
