// Shared by the tests that drive ShroudApp with secretjs-signed contract txs: the counter contract's bytes,
// secretjs clients bound to an app (tx key and account numbers read from its own queries), and one height that
// several apps finalize exactly as app 0 proposes it (the "speed only" twin tests: verify lane, prepared calls).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  EncryptionUtilsImpl,
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgSend,
  MsgStoreCode,
  SecretNetworkClient,
  Wallet,
  type Msg,
} from "secretjs";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { CheckTxType, type Event, type ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { ShroudApp } from "../../src/chain/app.js";
import type { Store } from "../../src/chain/store/store.js";
import { type EnclaveHost } from "../../src/enclave/api.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import { decodeBytesField1 } from "../../src/chain/modules/registration/proto.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { enclaveGenesis } from "./fixtures.js";
import { initChain, PROPOSER, runHeight, timeOf, VALSET_HASH } from "./lifecycle.js";

// contracts/build/counter.wasm(.gz): provenance in contracts/testdata/README.md.
export const counterWasm = new Uint8Array(
  readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)),
);
export const counterGz = new Uint8Array(
  readFileSync(new URL("../../contracts/build/counter.wasm.gz", import.meta.url)),
);
export const counterHash = createHash("sha256").update(counterWasm).digest("hex");

/**
 * A ShroudApp on `store` over a fresh bootstrap `enclave` (its keys initialized here and put in the genesis), at
 * height 1: InitChain, then an empty committed height.
 */
export async function bootApp(
  enclave: EnclaveHost,
  store: Store,
): Promise<{ app: ShroudApp; g: GenesisDoc }> {
  const keys = enclave.initBootstrap();
  const g = enclaveGenesis(enclave, keys);
  const app = new ShroudApp({ store, enclave });
  await initChain(app, g);
  await runHeight(app, 1n, timeOf(g, 1n), []);
  return { app, g };
}

/** The first value of attribute `key` in events of `type`. */
export const eventAttr = (events: Event[], type: string, key: string): string | undefined =>
  events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key))[0]?.value;

export interface AppClient {
  readonly wallet: Wallet;
  readonly client: SecretNetworkClient;
  /** Encrypts inputs to the app's tx key and decrypts its answers (seed 7 + the client's index). */
  readonly utils: EncryptionUtilsImpl;
  sequence: number;
}

/**
 * secretjs clients for the dev accounts `names`, encrypting to `app`'s tx key, and `sign(i, msg, gasLimit)`:
 * client i's next signed tx (its account number read from the app once, its sequence counted here).
 */
export function appSigners(
  app: ShroudApp,
  chainId: string,
  names: readonly (keyof typeof DEV_MNEMONICS)[],
): { clients: AppClient[]; sign: (i: number, msg: Msg, gasLimit?: number) => Promise<Uint8Array> } {
  const ask = (path: string, data: Uint8Array) => {
    const r = app.query({ path, data, height: 0n, prove: false });
    assert.equal(r.code, 0, r.log);
    return r.value;
  };
  const txKey = decodeBytesField1(ask("/secret.registration.v1beta1.Query/TxKey", new Uint8Array()), "key");
  const clients = names.map((name, i): AppClient => {
    const wallet = new Wallet(DEV_MNEMONICS[name]);
    const utils = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(7 + i));
    (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = txKey;
    const client = new SecretNetworkClient({
      url: "http://127.0.0.1:1",
      chainId,
      wallet,
      walletAddress: wallet.address,
      encryptionUtils: utils,
    });
    return { wallet, client, utils, sequence: 0 };
  });
  const accountNumbers = new Map<string, number>();
  const sign = async (i: number, msg: Msg, gasLimit = 5_000_000): Promise<Uint8Array> => {
    const c = clients[i]!;
    let n = accountNumbers.get(c.wallet.address);
    if (n === undefined) {
      const data = QueryAccountRequest.encode({ address: c.wallet.address }).finish();
      const acc = QueryAccountResponse.decode(ask("/cosmos.auth.v1beta1.Query/Account", data)).account!;
      n = Number(BaseAccount.decode(acc.value).accountNumber);
      accountNumbers.set(c.wallet.address, n);
    }
    return c.client.prepareAndSign([msg], {
      gasLimit,
      explicitSignerData: { accountNumber: n, sequence: c.sequence++, chainId },
    });
  };
  return { clients, sign };
}

/**
 * One height on every app: each checks the txs, app 0 proposes, every app processes and finalizes exactly that
 * block and commits. The apps must agree on every result and the app hash (asserted); returns their answers.
 */
export function twinHeight(
  apps: readonly ShroudApp[],
  g: GenesisDoc,
  h: bigint,
  txs: Uint8Array[],
): ResponseFinalizeBlock[] {
  for (const app of apps)
    for (const tx of txs) assert.equal(app.checkTx({ tx, type: CheckTxType.NEW }).code, 0);
  const ns = timeOf(g, h);
  const common = {
    height: h,
    time: { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) },
    nextValidatorsHash: VALSET_HASH,
    proposerAddress: PROPOSER,
    misbehavior: [],
  };
  const prep = apps[0]!.prepareProposal({
    ...common,
    maxTxBytes: 8n << 20n,
    txs,
    localLastCommit: { round: 0, votes: [] },
  });
  const hash = new Uint8Array(32).fill(Number(h % 256n));
  const out = apps.map((app) => {
    app.processProposal({ ...common, txs: prep.txs, proposedLastCommit: { round: 0, votes: [] }, hash });
    const f = app.finalizeBlock({
      ...common,
      txs: prep.txs,
      decidedLastCommit: { round: 0, votes: [] },
      hash,
    });
    app.commit();
    return f;
  });
  for (const o of out.slice(1)) assert.deepEqual(o, out[0], `height ${h}: results and app hash agree`);
  return out;
}

/** The `message.contract_address` a block's instantiate reported. */
export function instantiatedAddress(block: ResponseFinalizeBlock): string {
  return block.txResults
    .flatMap((r) => r.events)
    .filter((e) => e.type === "message")
    .flatMap((e) => e.attributes)
    .find((x) => x.key === "contract_address")!.value;
}

/**
 * Stores counter.wasm (code 1) at height `h` and instantiates it ({count: 1}, label "c") at `h + 1`, both signed
 * by client 0 through `height`; returns the contract's address.
 */
export async function deployCounter(
  height: (h: bigint, txs: Uint8Array[]) => ResponseFinalizeBlock[],
  signer: { clients: readonly AppClient[]; sign: (i: number, msg: Msg) => Promise<Uint8Array> },
  h: bigint,
): Promise<string> {
  const sender = signer.clients[0]!.wallet.address;
  const store = new MsgStoreCode({ sender, wasm_byte_code: counterGz, source: "", builder: "" });
  height(h, [await signer.sign(0, store)]);
  const init = { sender, code_id: 1, code_hash: counterHash, label: "c", init_msg: { count: 1 } };
  const [block] = height(h + 1n, [await signer.sign(0, new MsgInstantiateContract(init))]);
  return instantiatedAddress(block!);
}

/**
 * The twin tests' mixed block over the counter at `address`, signed now: executes from clients 0, 1, 1, a bank
 * send 2 → 0, executes from 2, a reset by a non-creator (contract error), an execute out of gas inside the
 * contract, one of a missing contract, and a last execute from 0. `MIXED_BLOCK_OK` is which of them succeed.
 */
export async function mixedCounterBlock(
  signer: {
    clients: readonly AppClient[];
    sign: (i: number, msg: Msg, gasLimit?: number) => Promise<Uint8Array>;
  },
  address: string,
): Promise<Uint8Array[]> {
  const { clients, sign } = signer;
  const execute = (i: number, msg: object, contract = address, gasLimit?: number) =>
    sign(
      i,
      new MsgExecuteContract({
        sender: clients[i]!.wallet.address,
        contract_address: contract,
        code_hash: counterHash,
        msg,
        sent_funds: [],
      }),
      gasLimit,
    );
  return [
    await execute(0, { increment: {} }),
    await execute(1, { increment: {} }),
    await execute(1, { increment: {} }),
    await sign(
      2,
      new MsgSend({
        from_address: clients[2]!.wallet.address,
        to_address: clients[0]!.wallet.address,
        amount: [{ denom: "uscrt", amount: "5" }],
      }),
    ),
    await execute(2, { increment: {} }),
    await execute(2, { reset: { count: 0 } }), // only the creator may reset: a contract error
    await execute(0, { increment: {} }, address, 32_500), // out of gas inside the contract
    await execute(0, { increment: {} }, "secret1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq3x5k6p"), // no such contract
    await execute(0, { increment: {} }),
  ];
}

/** Which txs of `mixedCounterBlock` succeed, in order. */
export const MIXED_BLOCK_OK: readonly boolean[] = [true, true, true, true, true, false, false, false, true];
