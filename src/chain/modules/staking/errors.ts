// Errors of the staking module, codespace "staking" (registered in ../../errors.ts with SDK v0.50 numbers).
export { StakingErrors } from "../../errors.js";
