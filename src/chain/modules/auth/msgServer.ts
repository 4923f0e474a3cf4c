// Auth has no user-facing messages. SDK v0.50's only auth message, MsgUpdateParams, is governance-only and is
// not registered here: params change at genesis (or by a future gov module calling AuthKeeper.setParams).
export const AUTH_MSG_TYPE_URLS: readonly string[] = [];
