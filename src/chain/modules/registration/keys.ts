// Store layout of the registration module (the only keys its keeper touches). Prefix bytes follow SecretNetwork
// x/registration/internal/types/keys.go (RegistrationStorePrefix 0x01, MasterKeyPrefix 0x02); 0x10 is ours.
import { abytes, concatBytes, utf8 } from "../../../util/bytes.js";

/** Secret's module name, also the error codespace and the `message.module` attribute ("register"). */
export const MODULE_NAME = "register";
/** Our single chain store is split by module prefix. */
export const STORE_PREFIX = utf8.encode("registration/");

/** X25519 public keys (node registration key, master keys) are 32 bytes (spec secret-protocol §2.1, §3.1). */
export const PUBKEY_SIZE = 32;

/** 0x01 ‖ node_pubkey(32) → RegistrationNodeInfo proto (spec §3.4). */
export const REGISTRATION_PREFIX = Uint8Array.of(0x01);
/** 0x02 ‖ name → MasterKey proto (spec §2.1). */
export const MASTER_KEY_PREFIX = Uint8Array.of(0x02);
export const NODE_EXCH_MASTER_KEY = concatBytes(MASTER_KEY_PREFIX, utf8.encode("NodeExchMasterKey"));
export const IO_EXCH_MASTER_KEY = concatBytes(MASTER_KEY_PREFIX, utf8.encode("IoExchMasterKey"));
/** 0x10 → the attestation policy params, canonical JSON (Shroud's own; Secret has no params here). */
export const PARAMS_KEY = Uint8Array.of(0x10);

export function registrationKey(nodePubkey: Uint8Array): Uint8Array {
  return concatBytes(REGISTRATION_PREFIX, abytes(nodePubkey, PUBKEY_SIZE, "node public key"));
}
