// The software version string (ResponseInfo.version, node_info, `shroud --version`), in a module of its own so
// that light callers (the CLI's client commands) need not load the whole app to print it.
export const APP_VERSION = "0.1.0";
