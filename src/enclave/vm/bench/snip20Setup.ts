// The SNIP-20 transfer under every configuration the VM benchmark compares (../vmBench.ts): ours through
// the contract operations (encrypted input, state and output), ours on the bare VM with plaintext storage
// and message (metered and unmetered module), and cosmwasm-vm-js (unmetered, plaintext). Each variant gets
// its own instantiated token, so all replay the same sequence of transfers on their own state.
import { readFileSync } from "node:fs";
import { equalBytes, toHex, utf8 } from "../../../util/bytes.js";
import { sha256, zeroize } from "../../crypto/hash.js";
import { x25519PublicKey } from "../../crypto/x25519.js";
import { Keychain } from "../../keychain.js";
import type { ContractKeyInfo } from "../../contractKey.js";
import { runContract } from "../../contract/operations.js";
import { CONTRACT_B, SENDER, baseEnv, client, ioPubkey, noQuery } from "../../contract/testing/harness.js";
import { accountOf, msgExecute, msgInstantiate, signTx } from "../../contract/testing/signedTx.js";
import type { ContractServices } from "../../contract/types.js";
import { humanize } from "../testing/mockApi.js";
import { Bech32Api } from "../addressApi.js";
import { callEntryPoint, parseContractResult, type EntryPoint } from "../calls.js";
import { v1EnvJson, v1MessageInfoJson } from "../environment.js";
import { compileModule } from "../instance.js";
import { MockQuerier } from "../testing/mockQuerier.js";
import { CompiledCodeCache } from "../wasm/cache.js";
import { prepareCode, type PreparedCode } from "../wasm/prepare.js";
import type { WasmModule } from "../webassembly.js";
import { BenchPlainStore, BenchStorage, OpCounts } from "./mapStore.js";
import { TheirContract, expectTheirOk, quietly } from "./theirVm.js";

/** Generous: the measured path never runs out (a transfer uses ~10^6–10^7 VM gas). */
const GAS_LIMIT = 10_000_000_000n;

export const SNIP20_PATH = new URL("../../../../contracts/build/snip20.wasm", import.meta.url);

/** contracts/README.md "snip20" messages; a balance large enough for any number of 1-unit transfers. */
const initMsg = (sender: string) => ({
  name: "Shroud Token",
  symbol: "SHRD",
  decimals: 6,
  initial_balances: [{ address: sender, amount: "1000000000000" }],
  prng_seed: "c2VlZA==",
});
const INIT_MSG = initMsg(SENDER);
const TRANSFER_MSG = { transfer: { recipient: CONTRACT_B, amount: "1" } };

export interface Snip20Code {
  readonly prepared: PreparedCode;
  readonly hex: string;
  /** Metered module from the compiled-code cache (what production runs). */
  readonly metered: WasmModule;
  /** The original upload compiled as is: no gas globals, no stack limit. */
  readonly unmetered: WasmModule;
}

export function loadSnip20(): Snip20Code {
  const prepared = prepareCode(new Uint8Array(readFileSync(SNIP20_PATH)));
  const metered = new CompiledCodeCache().getOrCompile(prepared) as unknown as WasmModule;
  return { prepared, hex: toHex(prepared.codeHash), metered, unmetered: compileModule(prepared.wasm) };
}

/**
 * The production keychain on the contract harness's two seeds (../../contract/testing/harness.ts): the same
 * keys, so the harness's secretjs client (which encrypts to the harness IO key) talks to it, but derived once
 * as in production rather than per access as the test-only `fixedKeys` does.
 */
export function benchKeychain(): Keychain {
  const kc = Keychain.fromSeeds([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
  const io = kc.ioExchangeSecretKey();
  const same = equalBytes(x25519PublicKey(io), ioPubkey);
  zeroize(io);
  if (!same) throw new Error("bench keychain does not match the harness IO key");
  return kc;
}

/** The signing user of the `signed` variant (its bech32 address is the sender). */
const USER_SK = new Uint8Array(32).fill(21);

/**
 * Ours, full path: runContract with an encrypted message, encrypted state, encrypted output. `signed`
 * adds the user-tx binding check of spec §4.2 (secp256k1 verify + tx decoding, ../../contract/txSignature.ts)
 * over one signed tx; without it the check is off, as in ../../contract/testing/miniChain.ts.
 */
export async function encryptedTransfer(
  code: Snip20Code,
  counts = new OpCounts(),
  signed = false,
): Promise<() => void> {
  const sjs = client(new Uint8Array(32).fill(15));
  const user = accountOf(USER_SK);
  const sender = signed ? humanize(user.canonical) : SENDER;
  const svc: ContractServices = {
    keys: benchKeychain(),
    store: new BenchPlainStore(counts),
    query: noQuery,
    verifyTxSignatures: signed,
  };
  const env = baseEnv({ sender });
  const common = { module: code.metered, codeHash: sha256(code.prepared.wasm), env, queryDepth: 0 };
  let counter = 0n;
  const initCt = await sjs.encrypt(code.hex, initMsg(sender));
  const contractCanon = new Bech32Api().addrCanonicalize(env.contract.address).canonical!;
  const init = runContract(svc, {
    ...common,
    op: "instantiate",
    msg: initCt,
    sigInfo: signed ? signTx(USER_SK, [msgInstantiate(user.canonical, 1n, "bench", initCt, [])]) : undefined,
    msgCounter: counter++,
    gasLimit: GAS_LIMIT,
  });
  if (init.output.ok === undefined || init.contractKey === undefined) throw new Error("instantiate failed");
  const contractKey: ContractKeyInfo = { ogContractKey: init.contractKey };
  // One ciphertext (and one signed tx) replayed: decryption (ECDH + SIV) and the signature check still run
  // on every execution; the enclave keeps no replay state (the chain's sequence numbers do that).
  const msg = await sjs.encrypt(code.hex, TRANSFER_MSG);
  const sigInfo = signed ? signTx(USER_SK, [msgExecute(user.canonical, contractCanon, msg, [])]) : undefined;
  return () => {
    const out = runContract(svc, {
      ...common,
      op: "execute",
      msg,
      sigInfo,
      contractKey,
      msgCounter: counter++,
      gasLimit: GAS_LIMIT,
    });
    if (out.output.ok === undefined) throw new Error("encrypted transfer failed");
  };
}

/**
 * Ours, bare VM: plaintext map storage, plaintext JSON message; `module` metered or not. `reuse: false` forces a
 * fresh instance per call (the unmetered original is never reused: only the metering pass marks modules reusable).
 */
export function plainTransfer(
  code: Snip20Code,
  module: WasmModule,
  counts = new OpCounts(),
  reuse = true,
): () => void {
  const backend = { storage: new BenchStorage(counts), api: new Bech32Api(), querier: new MockQuerier() };
  const call = (entry: EntryPoint, msg: object): void => {
    const env = baseEnv();
    const args = {
      env: utf8.encode(v1EnvJson(env, { codeHashHex: code.hex })),
      info: utf8.encode(v1MessageInfoJson(env)),
      msg: utf8.encode(JSON.stringify(msg)),
    };
    const out = callEntryPoint(module, { backend, gasLimit: GAS_LIMIT, readonly: false }, entry, args, reuse);
    if (!out.ok) throw new Error(`plaintext ${entry} failed: ${out.error.message}`);
    const r = parseContractResult(out.output, "v1");
    if (!("ok" in r)) throw new Error(`plaintext ${entry} returned Err: ${JSON.stringify(r.err)}`);
  };
  call("instantiate", INIT_MSG);
  return () => {
    call("execute", TRANSFER_MSG);
  };
}

/** The same Env / MessageInfo JSON ours passes, as objects (cosmwasm-vm-js stringifies them itself). */
function theirEnv(code: Snip20Code): { env: object; info: object } {
  const env = baseEnv();
  return {
    env: JSON.parse(v1EnvJson(env, { codeHashHex: code.hex })) as object,
    info: JSON.parse(v1MessageInfoJson(env)) as object,
  };
}

/**
 * cosmwasm-vm-js on the original snip20 bytes. `fresh`: a new wasm instance per call from the cached
 * module (as Secret and ours do); otherwise one instance serves every call (cw-simulate's usual mode).
 */
export function theirTransfer(code: Snip20Code, fresh: boolean): () => void {
  const contract = new TheirContract(code.unmetered);
  const { env, info } = theirEnv(code);
  expectTheirOk(
    quietly(() => contract.freshVm().instantiate(env, info, INIT_MSG)),
    "instantiate",
  );
  const shared = contract.freshVm();
  return () => {
    const vm = fresh ? contract.freshVm() : shared;
    expectTheirOk(
      quietly(() => vm.execute(env, info, TRANSFER_MSG)),
      "transfer",
    );
  };
}
