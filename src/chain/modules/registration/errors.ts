// Errors of the registration module, codespace "register": numbers and wording from SecretNetwork
// x/registration/internal/types/errors.go.
import { registerError } from "../../errors.js";
import { MODULE_NAME } from "./keys.js";

export const RegistrationErrors = {
  SeedInitFailed: registerError(MODULE_NAME, 1, "Initialize node seed failed"),
  AuthenticateFailed: registerError(MODULE_NAME, 2, "Failed to authenticate node"),
  SeedValidationParams: registerError(MODULE_NAME, 3, "Failed to validate seed parameters"),
  BootstrapInitFailed: registerError(MODULE_NAME, 4, "Failed to initialize bootstrap"),
  InvalidType: registerError(MODULE_NAME, 5, "Type error"),
  CertificateInvalid: registerError(MODULE_NAME, 6, "Certificate invalid or does not exist"),
  NotFound: registerError(MODULE_NAME, 7, "not found"),
  Invalid: registerError(MODULE_NAME, 8, "invalid"),
} as const;
