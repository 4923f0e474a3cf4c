// Errors of the distribution module, codespace "distribution" (registered in ../../errors.ts, SDK v0.50).
export { DistributionErrors } from "../../errors.js";
