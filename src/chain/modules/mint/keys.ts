// Store layout of the mint module (cosmos-sdk v0.50 x/mint/types/keys.go: MinterKey 0x00, ParamsKey 0x01).
import { utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "mint";
export const STORE_PREFIX = utf8.encode("mint/");
export const MINTER_KEY = Uint8Array.of(0x00);
export const PARAMS_KEY = Uint8Array.of(0x01);
