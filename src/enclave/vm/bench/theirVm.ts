// Adapter for the comparison VM, @terran-one/cosmwasm-vm-js (a devDependency; CosmWasm 1.0 host functions
// over the engine's WebAssembly, no gas metering, no encryption). Bench-only: nothing in production loads it.
// Its `build()` compiles from bytes and links only the CosmWasm 1.0 imports, so a Secret contract (which
// imports 16 functions) cannot link through it; we link its own bound host methods ourselves, the same
// table `build()` uses, plus stubs for Secret's four extra imports that THROW if ever called, so a run that
// completes proves they are not on the measured path.
import { createRequire } from "node:module";
import { Bech32Api } from "../addressApi.js";
import { Wasm, type WasmImports, type WasmInstance, type WasmModule } from "../webassembly.js";

/** The parts of cosmwasm-vm-js we use (its .d.ts needs the DOM WebAssembly types this project has not). */
interface TheirRegion {
  readonly str: string;
}
interface TheirVm {
  instance?: WasmInstance;
  execute(env: object, info: object, msg: object): TheirRegion;
  instantiate(env: object, info: object, msg: object): TheirRegion;
}
interface TheirBackendApi {
  readonly bech32_prefix: string;
  canonical_address(human: string): Uint8Array;
  human_address(canonical: Uint8Array): string;
}
interface TheirLib {
  VMInstance: new (backend: object, gasLimit?: number) => TheirVm;
  BasicKVIterStorage: new () => object;
  BasicQuerier: new () => object;
}

/** The CosmWasm 1.0 imports cosmwasm-vm-js links (its instance.js `build`). */
const THEIR_IMPORTS = [
  "db_read",
  "db_write",
  "db_remove",
  "db_scan",
  "db_next",
  "addr_humanize",
  "addr_canonicalize",
  "addr_validate",
  "secp256k1_verify",
  "secp256k1_recover_pubkey",
  "ed25519_verify",
  "ed25519_batch_verify",
  "debug",
  "query_chain",
  "abort",
] as const;

/** Secret-only imports of secret-cosmwasm-std 1.1.11 that cosmwasm-vm-js does not implement. */
export const SECRET_ONLY_IMPORTS = ["secp256k1_sign", "ed25519_sign", "check_gas", "gas_evaporate"] as const;

let lib: TheirLib | undefined;
function load(): TheirLib {
  lib ??= createRequire(import.meta.url)("@terran-one/cosmwasm-vm-js") as TheirLib;
  return lib;
}

/** Secret's addresses (bech32 "secret", 20-byte canonical) for their backend: the same code ours uses. */
class SecretAddresses implements TheirBackendApi {
  readonly bech32_prefix = "secret";
  private readonly api = new Bech32Api();
  canonical_address(human: string): Uint8Array {
    const r = this.api.addrCanonicalize(human);
    if (r.canonical === undefined) throw new Error(r.error ?? "invalid address");
    return r.canonical;
  }
  human_address(canonical: Uint8Array): string {
    const r = this.api.addrHumanize(canonical);
    if (r.human === undefined) throw new Error(r.error ?? "invalid address");
    return r.human;
  }
}

/** A contract deployed on cosmwasm-vm-js: one storage, instances made from one compiled module. */
export class TheirContract {
  private readonly backend: object;
  constructor(private readonly module: WasmModule) {
    const l = load();
    this.backend = {
      backend_api: new SecretAddresses(),
      querier: new l.BasicQuerier(),
      storage: new l.BasicKVIterStorage(),
    };
  }

  /** A VMInstance linked to a fresh wasm instance of the cached module. */
  freshVm(): TheirVm {
    const vm = new (load().VMInstance)(this.backend);
    const self = vm as unknown as Record<string, (...a: never[]) => unknown>;
    const env: WasmImports[string] = {};
    for (const name of THEIR_IMPORTS) env[name] = self[name]!.bind(vm);
    for (const name of SECRET_ONLY_IMPORTS) {
      env[name] = () => {
        throw new Error(`cosmwasm-vm-js stub "${name}" called: not allowed on the measured path`);
      };
    }
    vm.instance = new Wasm.Instance(this.module, { env });
    return vm;
  }
}

/** cosmwasm-vm-js console.warns on every db_read of a missing key; those are counted here, not printed. */
export const theirWarnings = { count: 0 };
const countWarning = (): void => {
  theirWarnings.count++;
};

/** Runs `fn` with console.warn counted instead of printed (two property writes per call). */
export function quietly<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = countWarning;
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

/** Throws unless a cosmwasm-vm-js result region holds a Secret `{"Ok":…}` result. */
export function expectTheirOk(r: TheirRegion, what: string): void {
  const text = r.str;
  if (!text.startsWith('{"Ok"')) throw new Error(`cosmwasm-vm-js ${what} failed: ${text.slice(0, 200)}`);
}

export type { TheirVm };
