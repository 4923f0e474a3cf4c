// Test-only node for the REST tests and the query bench: the real auth and bank keepers and runTx over the real
// versioned store, driven by the real DevEngine and its block store through a minimal ABCI app. The chain app
// (src/chain/app) replaces this in `shroud dev`; nothing here ships (src/**/testdata is excluded from the build).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ResponseCheckTx,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponseQuery,
  type ExecTxResult,
  type RequestCheckTx,
  type RequestFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../../consensus/abciTypes.js";
import { DevEngine } from "../../../consensus/dev.js";
import { parseEventQuery } from "../../../consensus/blockStore.js";
import { nsToRfc3339, timestampToNs } from "../../../consensus/time.js";
import { openStore, type Store, type PreparedBlock } from "../../../chain/store/store.js";
import { MemoryOverlay } from "../../../chain/store/memory.js";
import type { KVReader } from "../../../chain/store/types.js";
import { createAuthModule, type AuthModule } from "../../../chain/modules/auth/module.js";
import { createBankModule, type BankModule } from "../../../chain/modules/bank/module.js";
import { initAuthGenesis } from "../../../chain/modules/auth/genesis.js";
import { initBankGenesis } from "../../../chain/modules/bank/genesis.js";
import { GrpcCode, QueryError } from "../../../chain/errors.js";
import { decodeTx } from "../../../chain/tx/decode.js";
import { parseGasPrices } from "../../../chain/tx/fees.js";
import { MsgRegistry } from "../../../chain/tx/msgRegistry.js";
import { registerSecretMsgTypes } from "../../../chain/tx/secretMsgs.js";
import { runTx, type TxEnv, type TxResult } from "../../../chain/tx/runTx.js";
import { plainContext } from "../../../chain/tx/testdata/testHarness.js";
import { toBase64 } from "../../../util/bytes.js";
import type { QueryHandler, RestBackend, TxRecord } from "../backend.js";

export const CHAIN_ID = "secretdev-1";
/** A fixed stand-in for the consensus IO exchange pubkey (the real one comes from the enclave). */
export const TEST_TX_KEY = new Uint8Array(32).fill(7);

function toExec(r: TxResult): ExecTxResult {
  return {
    code: r.code,
    data: r.data,
    log: r.log,
    info: "",
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    events: r.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ ...a })) })),
    codespace: r.codespace,
  };
}

/** A minimal ABCI app over auth + bank: genesis lives in an overlay until block 1 commits it. */
class MiniApp implements AbciApplication {
  private genesis: MemoryOverlay | undefined;
  private block: MemoryOverlay | undefined;
  private prepared: PreparedBlock | undefined;
  checkState: MemoryOverlay;

  constructor(
    readonly store: Store,
    readonly env: TxEnv,
    private readonly initGenesis: (s: MemoryOverlay) => void,
  ) {
    this.checkState = store.newOverlay();
  }

  /** State a query sees: the committed state, or genesis before block 1. */
  latest(): KVReader {
    return this.store.info().lastHeight === 0 && this.genesis ? this.genesis : this.store.committed;
  }

  info() {
    const i = this.store.info();
    return ResponseInfo.fromPartial({
      appVersion: 1n,
      lastBlockHeight: BigInt(i.lastHeight),
      lastBlockAppHash: i.lastAppHash,
    });
  }
  initChain() {
    this.genesis = this.store.newOverlay();
    this.initGenesis(this.genesis);
    this.checkState = new MemoryOverlay(this.genesis);
    return ResponseInitChain.fromPartial({});
  }
  checkTx(req: RequestCheckTx) {
    const height = BigInt(this.store.info().lastHeight) + 1n;
    const r = runTx(this.env, this.checkState, req.tx, "check", { chainId: CHAIN_ID, height });
    return ResponseCheckTx.fromPartial(toExec(r));
  }
  prepareProposal(req: { txs: Uint8Array[] }) {
    return { txs: req.txs };
  }
  processProposal() {
    return { status: 1 }; // ACCEPT
  }
  finalizeBlock(req: RequestFinalizeBlock) {
    const block = this.genesis ?? this.store.newOverlay();
    const timeNs = timestampToNs(req.time);
    const txResults = req.txs.map((tx, txIndex) =>
      toExec(runTx(this.env, block, tx, "deliver", { chainId: CHAIN_ID, height: req.height, timeNs, txIndex })),
    );
    this.block = block;
    this.prepared = this.store.prepare(Number(req.height), block.pendingWrites());
    return ResponseFinalizeBlock.fromPartial({ txResults, appHash: this.prepared.appHash });
  }
  commit() {
    if (this.prepared) this.store.commitPrepared(this.prepared);
    this.prepared = undefined;
    this.block = undefined;
    this.genesis = undefined;
    this.checkState = this.store.newOverlay();
    return { retainHeight: 0n };
  }
  query() {
    return ResponseQuery.fromPartial({ code: 1, log: "not supported by the test app" });
  }
  get pendingBlock(): boolean {
    return this.block !== undefined;
  }
}

export interface TestNode {
  readonly backend: RestBackend;
  /** The ABCI app the engine drives (for an RPC server in CometBFT-mode tests). */
  readonly app: AbciApplication;
  readonly engine: DevEngine;
  readonly store: Store;
  readonly auth: AuthModule;
  readonly bank: BankModule;
  /** Registers or replaces a query handler (tests plug in modules that are not wired here). */
  setQuery(method: string, h: QueryHandler): void;
  close(): Promise<void>;
}

export interface TestNodeOptions {
  /** bech32 → uscrt at genesis. */
  funded: Record<string, bigint>;
  blockTimeMs?: number;
  minGasPrices?: string;
}

export async function startTestNode(opts: TestNodeOptions): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), "shroud-rest-"));
  const store = openStore(dir, { sync: "normal" });
  const registry = new MsgRegistry();
  registerSecretMsgTypes(registry);
  const auth = createAuthModule();
  const blocked = auth.keeper.moduleNames().map((n) => auth.keeper.getModuleAddress(n));
  const bank = createBankModule(auth.keeper, blocked, registry);
  const env: TxEnv = {
    registry,
    keepers: { accounts: auth.keeper, bank: bank.keeper },
    ante: { minGasPrices: parseGasPrices(opts.minGasPrices ?? "0.0125uscrt") },
  };
  const addrs = Object.keys(opts.funded).sort();
  const app = new MiniApp(store, env, (s) => {
    const g = plainContext(s, CHAIN_ID, 0n);
    initAuthGenesis(g, auth.keeper, {
      accounts: addrs.map((address) => ({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address })),
    });
    initBankGenesis(g, bank.keeper, {
      balances: addrs.map((address) => ({
        address,
        coins: [{ denom: "uscrt", amount: (opts.funded[address] ?? 0n).toString() }],
      })),
    });
  });
  const engine = new DevEngine({
    app,
    blockStorePath: join(dir, "blocks.db"),
    chainId: CHAIN_ID,
    validatorSeed: new Uint8Array(32).fill(9),
    blockTimeMs: opts.blockTimeMs ?? 50,
    genesisTimeNs: 1_700_000_000_000_000_000n,
    appStateBytes: new Uint8Array(),
  });
  await engine.start();
  const queries = new Map<string, QueryHandler>();
  const backend = makeBackend({ app, engine, store, env, auth, bank, queries });
  return {
    backend,
    app,
    engine,
    store,
    auth,
    bank,
    setQuery: (m, h) => queries.set(m, h),
    close: async () => {
      await engine.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Parts {
  app: MiniApp;
  engine: DevEngine;
  store: Store;
  env: TxEnv;
  auth: AuthModule;
  bank: BankModule;
  queries: Map<string, QueryHandler>;
}

function makeBackend(p: Parts): RestBackend {
  const { app, engine, store, env } = p;
  /** A query context over the state at `height` (latest when undefined); writes go to a throwaway overlay. */
  const ctx = (height: bigint | undefined) => {
    const reader = height === undefined ? app.latest() : store.readerAt(Number(height));
    return plainContext(new MemoryOverlay(reader), CHAIN_ID, height ?? BigInt(store.info().lastHeight));
  };
  registerAuthBank(p.queries, p.auth, p.bank, ctx);
  const reg = "/secret.registration.v1beta1.Query/";
  p.queries.set(`${reg}TxKey`, () => ({ key: toBase64(TEST_TX_KEY) }));
  p.queries.set(`${reg}RegistrationKey`, () => ({ key: toBase64(TEST_TX_KEY) }));
  const record = (t: NonNullable<ReturnType<typeof engine.store.getTx>>): TxRecord => {
    const b = engine.store.getBlock(t.height);
    const timestamp = b ? nsToRfc3339(timestampToNs(b.block.header.time)) : "";
    return { ...t, timestamp };
  };
  return {
    queries: p.queries,
    latestHeight: () => BigInt(store.info().lastHeight),
    earliestHeight: () => BigInt(store.info().earliestHeight),
    decodeTx: (raw) => {
      try {
        return decodeTx(raw, env.registry);
      } catch {
        return undefined;
      }
    },
    broadcastTx: async (raw) => (await engine.broadcastTx(raw)).checkTx,
    simulateTx: (raw) => {
      const height = BigInt(store.info().lastHeight) + 1n;
      const r = runTx(env, new MemoryOverlay(app.latest()), raw, "simulate", { chainId: CHAIN_ID, height });
      return Promise.resolve(toExec(r));
    },
    getTx: (hash) => {
      const t = engine.store.getTx(hash);
      return Promise.resolve(t === undefined ? undefined : record(t));
    },
    searchTxs: (query, page) => {
      try {
        parseEventQuery(query);
      } catch (e) {
        throw new QueryError(GrpcCode.InvalidArgument, e instanceof Error ? e.message : "invalid query");
      }
      const found = engine.store.searchTxs(query, page);
      return Promise.resolve({ total: found.total, txs: found.txs.map(record) });
    },
    getBlock: (h) => Promise.resolve(engine.store.getBlock(h)),
    validatorSet: (h) => Promise.resolve(h <= engine.height && h > 0n ? engine.validatorSet : undefined),
    latestAppHash: () => engine.appHash,
    syncing: () => false,
    facts: {
      chainId: CHAIN_ID,
      moniker: "shroud-test",
      nodeId: "c0ffee42d1233c6b3be0cfed693ef09dba8191e1",
      listenAddr: "tcp://0.0.0.0:26656",
      rpcAddress: "tcp://127.0.0.1:26657",
      appVersion: "0.1.0",
      cometVersion: "0.38.25",
      minimumGasPrice: "0.0125uscrt",
      pruningKeepRecent: "0",
      pruningInterval: "0",
      haltHeight: 0n,
    },
  };
}

type Ctx = (height: bigint | undefined) => ReturnType<typeof plainContext>;

/** The auth and bank query servers behind their gRPC method names (what app.ts will do for every module). */
export function registerAuthBank(
  q: Map<string, QueryHandler>,
  auth: AuthModule,
  bank: BankModule,
  ctx: Ctx,
): void {
  const A = "/cosmos.auth.v1beta1.Query/";
  const B = "/cosmos.bank.v1beta1.Query/";
  q.set(`${A}Account`, ({ args, height }) => auth.query.account(ctx(height), args.str("address")));
  q.set(`${A}Accounts`, ({ args, height }) =>
    auth.query.accounts(ctx(height), Number(args.pagination?.limit || 100n)),
  );
  q.set(`${A}Params`, ({ height }) => auth.query.params(ctx(height)));
  q.set(`${A}ModuleAccountByName`, ({ args, height }) =>
    auth.query.moduleAccountByName(ctx(height), args.str("name")),
  );
  q.set(`${A}Bech32Prefix`, () => auth.query.bech32Prefix());
  q.set(`${B}Balance`, ({ args, height }) =>
    bank.query.balance(ctx(height), args.str("address"), args.str("denom")),
  );
  q.set(`${B}AllBalances`, ({ args, height }) => bank.query.allBalances(ctx(height), args.str("address")));
  q.set(`${B}SpendableBalances`, ({ args, height }) =>
    bank.query.spendableBalances(ctx(height), args.str("address")),
  );
  q.set(`${B}TotalSupply`, ({ height }) => bank.query.totalSupply(ctx(height)));
  q.set(`${B}SupplyOf`, ({ args, height }) => bank.query.supplyOf(ctx(height), args.str("denom")));
  q.set(`${B}Params`, ({ height }) => bank.query.params(ctx(height)));
  q.set(`${B}DenomMetadata`, ({ args, height }) => bank.query.denomMetadata(ctx(height), args.str("denom")));
}
