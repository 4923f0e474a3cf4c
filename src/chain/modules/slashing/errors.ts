// Errors of the slashing module, codespace "slashing" (registered in ../../errors.ts, SDK v0.50).
export { SlashingErrors } from "../../errors.js";
