// Test fixtures for the chain app: a temp store, a genesis funding LocalSecret's accounts a and b, and real
// secretjs-signed txs (src/chain/tx/testdata/secretjsSigner.ts signs with secretjs' own Wallet).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../src/chain/store/store.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import { after, before } from "node:test";
import { devAuthorityPublicKey, EnclaveHost } from "../../src/enclave/api.js";
import { buildDevGenesis, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner, type Signer } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Msg } from "secretjs";
import type { ShroudApp } from "../../src/chain/app.js";

export const GENESIS_TIME_NS = 1_750_000_000_000_000_000n;

export interface TempStore {
  readonly dir: string;
  store: Store;
  reopen(): Store;
  close(): void;
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), "shroud-app-"));
  const t: TempStore = {
    dir,
    store: openStore(join(dir, "state"), { memDepth: 4 }),
    reopen: () => {
      t.store.close();
      t.store = openStore(join(dir, "state"), { memDepth: 4 });
      return t.store;
    },
    close: () => {
      t.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** One test file's enclave (sealed in a temp folder) and temp store, opened by `before`, closed by `after`. */
export interface EnclaveFixture {
  readonly dir: string;
  readonly enclave: EnclaveHost;
  readonly t: TempStore;
  /** Stops the enclave and opens the same sealed one again (cold caches); returns the new host. */
  restart(): Promise<EnclaveHost>;
}

/** Registers the file-level hooks of an EnclaveFixture; read its fields inside tests only. */
export function enclaveFixture(prefix: string): EnclaveFixture {
  let dir = "";
  let enclave: EnclaveHost | undefined;
  let t: TempStore | undefined;
  const start = (): Promise<EnclaveHost> =>
    EnclaveHost.start({
      dataDir: join(dir, "e"),
      platformSecretPath: join(dir, "e.secret"),
      ecallTimeoutMs: 60_000,
    });
  const opened = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("enclaveFixture: read before its before() hook ran");
    return v;
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    enclave = await start();
    t = tempStore();
  });
  after(async () => {
    await enclave?.stop();
    t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    get enclave() {
      return opened(enclave);
    },
    get t() {
      return opened(t);
    },
    async restart() {
      await opened(enclave).stop();
      enclave = await start();
      return enclave;
    },
  };
}

/** The dev genesis with fixed (non-enclave) master keys unless given. */
export function testGenesis(keys?: {
  nodeExchKey: Uint8Array;
  ioExchKey: Uint8Array;
  measurement: Uint8Array;
  authority: Uint8Array;
}): GenesisDoc {
  return buildDevGenesis({
    genesisTimeNs: GENESIS_TIME_NS,
    nodeExchKey: keys?.nodeExchKey ?? new Uint8Array(32).fill(0xe1),
    ioExchKey: keys?.ioExchKey ?? new Uint8Array(32).fill(0xe2),
    authorityPublicKeys: keys === undefined ? [] : [keys.authority],
    measurements: keys === undefined ? [] : [keys.measurement],
  });
}

/** The test genesis for a bootstrap enclave: its seed-exchange and IO keys, its measurement, the dev authority. */
export function enclaveGenesis(
  enclave: EnclaveHost,
  keys: Pick<ReturnType<EnclaveHost["initBootstrap"]>, "seedExchangePublicKey" | "ioExchangePublicKey">,
): GenesisDoc {
  return testGenesis({
    nodeExchKey: keys.seedExchangePublicKey,
    ioExchKey: keys.ioExchangePublicKey,
    measurement: enclave.getMeasurement(),
    authority: devAuthorityPublicKey(),
  });
}

let signers: { a: Signer; b: Signer } | undefined;
/** An account's number from the app's auth query at the latest height (throws when it has none). */
export function accountNumberOf(app: Pick<ShroudApp, "query">, address: string): number {
  const r = app.query({
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: QueryAccountRequest.encode({ address }).finish(),
    height: 0n,
    prove: false,
  });
  if (r.code !== 0) throw new Error(`query /cosmos.auth.v1beta1.Query/Account: ${r.log}`);
  const any = QueryAccountResponse.decode(r.value).account;
  if (any === undefined) throw new Error(`no account ${address}`);
  return Number(BaseAccount.decode(any.value).accountNumber);
}

export function devSigners(): { a: Signer; b: Signer } {
  signers ??= { a: makeSigner(DEV_MNEMONICS.a), b: makeSigner(DEV_MNEMONICS.b) };
  return signers;
}

/** A secretjs-built, deterministic-signature MsgSend (same bytes every run). */
export async function signedSend(
  from: Signer,
  to: string,
  amount: string,
  accountNumber: number,
  sequence: number,
  chainId = "secretdev-1",
): Promise<Uint8Array> {
  const { MsgSend } = await import("secretjs");
  const msg = new MsgSend({
    from_address: from.address,
    to_address: to,
    amount: [{ denom: "uscrt", amount }],
  });
  return from.signDeterministic([msg], { accountNumber, sequence, chainId });
}

/**
 * Signs `msg` for `s` with its on-chain account number and the next sequence: the first use reads the account
 * through the app's Account query, later ones count up in `seq` (txs signed ahead of their blocks).
 */
export async function signNext(
  app: { query: ShroudApp["query"] },
  seq: Map<string, number>,
  s: Signer,
  msg: Msg,
  chainId: string,
  gasLimit = 400_000,
): Promise<Uint8Array> {
  const r = app.query({
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: QueryAccountRequest.encode({ address: s.address }).finish(),
    height: 0n,
    prove: false,
  });
  const acc = BaseAccount.decode(QueryAccountResponse.decode(r.value).account?.value ?? new Uint8Array());
  const sequence = seq.get(s.address) ?? Number(acc.sequence);
  seq.set(s.address, sequence + 1);
  return s.signDeterministic(
    [msg],
    { accountNumber: Number(acc.accountNumber), sequence, chainId },
    { gasLimit },
  );
}
