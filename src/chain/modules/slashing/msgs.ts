// Slashing message types for the tx registry: MsgUnjail (signer: the operator's account).
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { MsgType } from "../../tx/msgRegistry.js";
import { valAddr } from "../staking/msgs.js";
import { MODULE_NAME } from "./keys.js";

export const MsgUnjailType: MsgType<MsgUnjail> = {
  typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
  module: MODULE_NAME,
  decode: (b) => MsgUnjail.decode(b),
  encode: (m) => MsgUnjail.encode(m).finish(),
  signers: (m) => [valAddr(m.validatorAddr)],
  validateBasic: (m) => {
    valAddr(m.validatorAddr);
  },
  toJson: (m) => ({ validator_addr: m.validatorAddr }),
  toAmino: (m) => ({ type: "cosmos-sdk/MsgUnjail", value: { address: m.validatorAddr } }),
};
