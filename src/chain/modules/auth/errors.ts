// Errors the auth module returns. Auth registers no codespace of its own in SDK v0.50: it answers with the
// root "sdk" codespace entries re-exported here so callers import from one place.
import { SdkErrors } from "../../errors.js";

export const AuthErrors = {
  UnknownAddress: SdkErrors.UnknownAddress,
  InvalidAddress: SdkErrors.InvalidAddress,
  InvalidPubKey: SdkErrors.InvalidPubKey,
  KeyNotFound: SdkErrors.KeyNotFound,
  Unauthorized: SdkErrors.Unauthorized,
} as const;
