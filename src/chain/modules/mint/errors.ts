// The mint module registers no consensus-visible errors: it has no messages (MsgUpdateParams is governance-only
// and not offered), and a broken mint invariant is a panic, not a user error.
export const MintErrors = {} as const;
