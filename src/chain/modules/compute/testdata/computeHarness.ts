// Test wiring for x/compute: a real enclave (worker thread, bootstrapped in a temp dir), the in-memory chain
// with real auth + bank (../../../tx/testdata/testHarness.ts), the compute module, and secretjs (Wallet +
// EncryptionUtilsImpl with the enclave's IO key) building and signing real txs offline. Not production code.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl, MsgStoreCode, SecretNetworkClient, Wallet, type Msg } from "secretjs";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { EnclaveHost } from "../../../../enclave/api.js";
import { fromBase64, utf8 } from "../../../../util/bytes.js";
import { fromBech32 } from "../../../address.js";
import { MemoryOverlay } from "../../../store/memory.js";
import type { KVStore } from "../../../store/types.js";
import { decodeTx, type DecodedTx } from "../../../tx/decode.js";
import type { TxResult } from "../../../tx/runTx.js";
import { makeTestChain, MNEMONIC_A, TEST_CHAIN_ID, type TestChain } from "../../../tx/testdata/testHarness.js";
import { createComputeModule, type ComputeModule } from "../module.js";

export const MNEMONIC_B =
  "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow";

/** contracts/build artifacts (provenance: contracts/testdata/README.md). */
export function contract(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../../../../contracts/build/${name}`, import.meta.url)));
}

export interface Harness {
  /** The running enclave (replaced by restartEnclave). */
  readonly host: EnclaveHost;
  /** Stops the enclave and starts it again on the same sealed state (its compiled-code cache is then empty). */
  restartEnclave(): Promise<void>;
  readonly chain: TestChain;
  readonly compute: ComputeModule;
  readonly a: Wallet;
  readonly b: Wallet;
  readonly utils: EncryptionUtilsImpl;
  /** Signs `msgs` as `w` with the next sequence and delivers them; returns the result and the decoded tx. */
  deliver(w: Wallet, msgs: Msg[], gasLimit?: number, state?: KVStore): Promise<{ res: TxResult; tx: DecodedTx }>;
  /** Signs with the account's current sequence, without delivering. */
  sign(w: Wallet, msgs: Msg[], gasLimit?: number): Promise<Uint8Array>;
  run(raw: Uint8Array, state?: KVStore): { res: TxResult; tx: DecodedTx };
  /** Decrypts message i's output data (plaintext of the contract's data bytes, as UTF-8). */
  decryptData(res: TxResult, tx: DecodedTx, i: number): Promise<string>;
  /** The same, as bytes. */
  decryptDataBytes(res: TxResult, tx: DecodedTx, i: number): Promise<Uint8Array>;
  /** Decrypts an encrypted b64 string with message i's nonce (events, errors). */
  decryptWith(tx: DecodedTx, i: number, b64: string): Promise<string>;
  stop(): Promise<void>;
}

export let blockRandom: Uint8Array | undefined;
export function setBlockRandom(r: Uint8Array | undefined): void {
  blockRandom = r;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "shroud-compute-"));
  const start = () =>
    EnclaveHost.start({ dataDir: join(dir, "data"), platformSecretPath: join(dir, "ps"), ecallTimeoutMs: 60_000 });
  let host = await start();
  const keys = host.initBootstrap();
  const a = new Wallet(MNEMONIC_A);
  const b = new Wallet(MNEMONIC_B);
  const chain = makeTestChain({ [a.address]: 100_000_000_000n, [b.address]: 100_000_000_000n });
  let current: DecodedTx | undefined;
  const compute = createComputeModule({
    enclave: { ecall: (name, payload, opts) => host.ecall(name, payload, opts) },
    bank: chain.bank.sendKeeper,
    accounts: chain.auth.keeper,
    registry: chain.registry,
    block: { blockRandom: () => blockRandom, txOf: () => current },
  });
  const utils = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(7));
  (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
  const sign = async (w: Wallet, msgs: Msg[], gasLimit = 3_000_000): Promise<Uint8Array> => {
    const acc = chain.auth.keeper.getAccount(chain.ctx(), fromBech32(w.address));
    if (acc === undefined) throw new Error("no account");
    const n = acc.kind === "base" ? Number(acc.sequence) : 0;
    const client = new SecretNetworkClient({
      url: "http://127.0.0.1:1",
      chainId: TEST_CHAIN_ID,
      wallet: w,
      walletAddress: w.address,
      encryptionUtils: utils,
    });
    return client.prepareAndSign(msgs, {
      gasLimit,
      explicitSignerData: { accountNumber: Number(acc.accountNumber), sequence: n, chainId: TEST_CHAIN_ID },
    });
  };
  const run = (raw: Uint8Array, state?: KVStore) => {
    const tx = decodeTx(raw, chain.registry);
    current = tx;
    try {
      return { res: chain.run(raw, "deliver", state ?? chain.state), tx };
    } finally {
      current = undefined;
    }
  };
  const nonceOf = (tx: DecodedTx, i: number): Uint8Array => {
    const v = tx.messages[i]?.value as { msg?: Uint8Array; initMsg?: Uint8Array };
    const m = v.initMsg ?? v.msg;
    if (m === undefined) throw new Error("no encrypted msg");
    return m.slice(0, 32);
  };
  const decryptDataBytes = async (res: TxResult, tx: DecodedTx, i: number): Promise<Uint8Array> => {
    const any = TxMsgData.decode(res.data).msgResponses[i];
    if (any === undefined) throw new Error("no response");
    // MsgExecuteContractResponse {1 data} / MsgInstantiateContractResponse {2 data}: take the last bytes field.
    const b64 = utf8.decode(await utils.decrypt(lastBytesField(any.value), nonceOf(tx, i)));
    return fromBase64(b64);
  };
  const decryptWith = async (tx: DecodedTx, i: number, b64: string) =>
    utf8.decode(await utils.decrypt(fromBase64(b64), nonceOf(tx, i)));
  return {
    get host() {
      return host;
    },
    restartEnclave: async () => {
      await host.stop();
      host = await start();
    },
    chain,
    compute,
    a,
    b,
    utils,
    sign,
    run,
    deliver: async (w, msgs, gasLimit, state) => run(await sign(w, msgs, gasLimit), state),
    decryptWith,
    decryptDataBytes,
    decryptData: async (res, tx, i) => utf8.decode(await decryptDataBytes(res, tx, i)),
    stop: async () => {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The value of the last length-delimited field of a small protobuf message (test helper). */
function lastBytesField(buf: Uint8Array): Uint8Array {
  let i = 0;
  let last = new Uint8Array();
  while (i < buf.length) {
    const tag = buf[i++]!;
    let len = 0;
    let shift = 0;
    for (;;) {
      const c = buf[i++]!;
      len |= (c & 0x7f) << shift;
      shift += 7;
      if (c < 0x80) break;
    }
    if ((tag & 7) !== 2) throw new Error("unexpected wire type");
    last = buf.slice(i, i + len);
    i += len;
  }
  return last;
}

/** A throwaway copy of `state` (two runs of the same tx on equal states). */
export function fork(state: KVStore): MemoryOverlay {
  return new MemoryOverlay(state);
}

/**
 * Stores `wasm` as account a (5M gas) and returns the result and the new code id (the `code_id` attribute);
 * throws with the log when the upload fails.
 */
export async function storeCode(h: Harness, wasm: Uint8Array): Promise<{ res: TxResult; codeId: number }> {
  const { res } = await h.deliver(
    h.a,
    [new MsgStoreCode({ sender: h.a.address, wasm_byte_code: wasm, source: "", builder: "" })],
    5_000_000,
  );
  if (res.code !== 0) throw new Error(`store code failed: ${res.codespace} ${res.code} ${res.log}`);
  const id = res.events.flatMap((e) => e.attributes).find((a) => a.key === "code_id")?.value;
  return { res, codeId: Number(id) };
}
