// Events of the auth module. Account bookkeeping emits none; the ante handler (src/chain/tx/ante.ts) emits the
// `tx` events (fee, fee_payer, acc_seq, signature) with these attribute names (SDK v0.50 types/events.go).
export const EventTypeTx = "tx";
export const AttributeKeyFee = "fee";
export const AttributeKeyFeePayer = "fee_payer";
export const AttributeKeyAccountSequence = "acc_seq";
export const AttributeKeySignature = "signature";
