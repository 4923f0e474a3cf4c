// Localnet constants, in a module of their own so that registering the command loads nothing heavy.
export const LOCALNET_FILE = "localnet.json";
export const DEFAULT_BASE_PORT = 26600;
export const DEFAULT_CHAIN_ID = "shroud-localnet-1";
