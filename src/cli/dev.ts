// `shroud dev`: a LocalSecret drop-in on one machine. Data folder (default ~/.shroud/dev): the enclave's sealed
// state, genesis.json, the chain state, the block store and the validator key. First start: bootstrap the
// enclave, write the dev genesis, produce block 1 at once. Later starts resume the chain from the folder.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { devAuthorityPublicKey, EnclaveHost, type NetworkPubkeys } from "../enclave/api.js";
import type { ShroudApp } from "../chain/app.js";
import type { GenesisDoc } from "../chain/genesis.js";
import type { Store } from "../chain/store/store.js";
import type { DevEngine } from "../consensus/dev.js";
import type { RpcServer } from "../api/rpc/server.js";
import type { Json } from "../api/rpc/json.js";
import { fromHex, toBase64, toHex, utf8 } from "../util/bytes.js";
import type { DevService } from "./services.js";
import { CliError, DEFAULT_QUERY_WORKERS } from "./common.js";

/**
 * The node's own modules (chain, engine, RPC, genesis builder, services). `startDev` imports them while the
 * enclave worker boots on its own thread: from the sources (tsx) loading them is ~40% of a start, and the worker
 * spends as long loading the enclave's, so the two overlap instead of taking turns.
 */
async function loadNodeModules(services: boolean) {
  const [app, genesis, store, engine, votes, rpc, abci, devGenesis, svc] = await Promise.all([
    import("../chain/app.js"),
    import("../chain/genesis.js"),
    import("../chain/store/store.js"),
    import("../consensus/dev.js"),
    import("../consensus/votes.js"),
    import("../api/rpc/server.js"),
    import("cosmjs-types/tendermint/abci/types"),
    import("./devGenesis.js"),
    services ? import("./services.js") : undefined,
  ]);
  return { app, genesis, store, engine, votes, rpc, abci, devGenesis, services: svc?.DEV_SERVICES ?? [] };
}
type NodeModules = Awaited<ReturnType<typeof loadNodeModules>>;

export interface DevOptions {
  readonly home: string;
  readonly reset: boolean;
  readonly blockTimeMs: number;
  readonly host: string;
  readonly rpcPort: number;
  readonly restPort: number;
  readonly faucetPort: number;
  /** Enclave workers serving smart queries in parallel (src/enclave/lanes.ts); default DEFAULT_QUERY_WORKERS. */
  readonly queryWorkers?: number;
  /**
   * Start the enclave's verify lane (src/enclave/verifyLane.ts): one more isolate checks each block's tx
   * signatures ahead of execution. Default false since session 12: with the native secp256k1 verify (~55 µs) the
   * lane's thread costs about what it saves, and quiet-machine A/Bs of `bench:chain` measured equal or higher
   * SNIP-20 tx/s and tx per CPU-second without it (docs/BENCHMARKS.md). Results are identical either way.
   */
  readonly verifyLane?: boolean;
  /**
   * The engine's pipeline through the node (default true; `--no-pipeline` turns it off): FinalizeBlock gives the
   * event loop a turn every DEV_YIELD_EVERY_MS between txs, REST/RPC broadcasts that arrive during a block are
   * queued and CheckTx'd as door jobs inside its ECALL waits, and every other request waits for the block's end
   * (src/consensus/README.md "Pipeline", "Stepping"). Off: FinalizeBlock in one go, as before session 14.
   */
  readonly pipeline?: boolean;
  readonly services?: readonly DevService[];
  readonly log?: (line: string) => void;
  /** Called once when the app halts (the enclave died mid-block): the node cannot go on and should stop. */
  readonly onHalt?: (e: Error) => void;
}

export interface DevNode {
  readonly engine: DevEngine;
  /** The node's enclave (its one door), e.g. for health checks. */
  readonly enclave: EnclaveHost;
  readonly app: ShroudApp;
  readonly genesis: GenesisDoc;
  readonly rpcPort: number;
  stop(): Promise<void>;
}

/**
 * Wall ms of FinalizeBlock between two turns of the event loop (`shroud dev` with the pipeline): a REST request
 * waits at most about this long (plus one tx) to be read during a block. docs/BENCHMARKS.md "Pipeline through
 * shroud dev (session 14, P1)".
 */
export const DEV_YIELD_EVERY_MS = 4;

const FILES = {
  genesis: "genesis.json",
  validatorKey: "validator_key.hex",
  enclave: "enclave",
  platformSecret: "platform-secret",
  state: "state",
  blocks: "blocks.sqlite",
} as const;

/** The enclave's current network keys: bootstrap on a fresh enclave, else those of its newest seed. */
function networkKeys(enclave: EnclaveHost): NetworkPubkeys {
  const { seedCount } = enclave.health();
  return seedCount === 0 ? enclave.initBootstrap() : enclave.getNetworkPubkeys(seedCount - 1);
}

/** The data folder's genesis.json, parsed and validated; undefined on a first start. */
function readGenesis(home: string, m: NodeModules): GenesisDoc | undefined {
  const path = join(home, FILES.genesis);
  if (!existsSync(path)) return undefined;
  const doc = m.genesis.parseGenesisDoc(readFileSync(path, "utf8"));
  m.app.validateGenesis(doc);
  return doc;
}

/** A first start's genesis: the dev accounts and validator, and this enclave's keys and measurement. */
function createGenesis(
  home: string,
  m: NodeModules,
  enclave: EnclaveHost,
  nowNs: bigint,
  validatorPubKey: Uint8Array,
): GenesisDoc {
  const keys = networkKeys(enclave);
  const doc = m.devGenesis.buildDevGenesis({
    genesisTimeNs: nowNs,
    nodeExchKey: keys.seedExchangePublicKey,
    ioExchKey: keys.ioExchangePublicKey,
    authorityPublicKeys: [devAuthorityPublicKey()],
    measurements: [enclave.getMeasurement()],
    validatorPubKey,
  });
  writeFileSync(join(home, FILES.genesis), JSON.stringify(doc, null, 2) + "\n");
  return doc;
}

/** The chain's tx key must be this enclave's: otherwise clients would encrypt to a key nobody holds. */
function assertEnclaveMatches(doc: GenesisDoc, enclave: EnclaveHost): void {
  const { seedCount } = enclave.health();
  const reg = doc.app_state.register as { io_exch_key?: { bytes?: string } } | undefined;
  const io = reg?.io_exch_key?.bytes;
  if (seedCount === 0 || io === undefined) {
    throw new Error("the enclave state of this data folder is missing; start over with --reset");
  }
  const known = Array.from({ length: seedCount }, (_, i) =>
    toBase64(enclave.getNetworkPubkeys(i).ioExchangePublicKey),
  );
  if (!known.includes(io))
    throw new Error("genesis.json's io_exch_key is not this enclave's; start over with --reset");
}

function validatorSeed(home: string): Uint8Array {
  const path = join(home, FILES.validatorKey);
  if (!existsSync(path)) writeFileSync(path, toHex(randomBytes(32)) + "\n", { mode: 0o600 });
  return fromHex(readFileSync(path, "utf8").trim(), "validator key");
}

export async function startDev(o: DevOptions): Promise<DevNode> {
  const log = o.log ?? ((l: string) => void process.stdout.write(l + "\n"));
  if (o.reset) rmSync(o.home, { recursive: true, force: true });
  mkdirSync(o.home, { recursive: true });
  const enclaveDir = join(o.home, FILES.enclave);
  // Start order (src/cli/README.md, "Start time"): the enclave worker boots on its own thread (it loads the
  // enclave's modules and unseals its state) while this thread loads the node's modules, derives the validator
  // key and the dev accounts, reads genesis.json and opens the store; only then does it wait for the enclave.
  const enclaveStart = EnclaveHost.start({
    dataDir: enclaveDir,
    platformSecretPath: join(enclaveDir, FILES.platformSecret),
    queryLanes: o.queryWorkers ?? DEFAULT_QUERY_WORKERS,
    verifyLane: o.verifyLane ?? false,
  });
  enclaveStart.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
  let enclave: EnclaveHost | undefined;
  let store: Store | undefined;
  let engine: DevEngine | undefined;
  const closers: { close(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    for (const c of closers.reverse()) await c.close();
    if (engine !== undefined) await engine.stop();
    store?.close();
    await enclave?.stop();
  };
  try {
    let m: NodeModules;
    try {
      m = await loadNodeModules(o.services === undefined);
    } catch (e) {
      // Not started meanwhile by anyone else: stop the enclave once it is up (or let its failure go).
      await enclaveStart.then((x) => x.stop()).catch(() => undefined);
      throw e;
    }
    let genesis: GenesisDoc | undefined;
    let seed: Uint8Array;
    let validatorPubKey: Uint8Array;
    try {
      seed = validatorSeed(o.home);
      // The engine's ed25519 key is the genesis validator's consensus key: its votes are the staked validator's.
      validatorPubKey = new m.votes.Ed25519Signer(seed).publicKey;
      genesis = readGenesis(o.home, m);
      if (genesis === undefined) m.devGenesis.devAccountAddresses();
      store = m.store.openStore(join(o.home, FILES.state));
    } finally {
      // Waited for even when the steps above failed: a started enclave is then stopped by stop().
      enclave = await enclaveStart;
    }
    if (genesis === undefined) {
      genesis = createGenesis(o.home, m, enclave, BigInt(Date.now()) * 1_000_000n, validatorPubKey);
    } else {
      assertEnclaveMatches(genesis, enclave);
    }
    const genesisTimeNs = m.genesis.parseRfc3339Ns(genesis.genesis_time);
    const appStateBytes = utf8.encode(JSON.stringify(genesis.app_state));
    const initialHeight = BigInt(genesis.initial_height);
    const replayGenesis = m.abci.RequestInitChain.fromPartial({
      time: { seconds: genesisTimeNs / 1_000_000_000n, nanos: Number(genesisTimeNs % 1_000_000_000n) },
      chainId: genesis.chain_id,
      appStateBytes,
      initialHeight,
    });
    const app = new m.app.ShroudApp({ store, enclave, replayGenesis });
    const pipelined = o.pipeline ?? true;
    const host = enclave;
    engine = new m.engine.DevEngine({
      app,
      blockStorePath: join(o.home, FILES.blocks),
      chainId: genesis.chain_id,
      validatorSeed: seed,
      blockTimeMs: o.blockTimeMs,
      genesisTimeNs,
      appStateBytes,
      initialHeight,
      ...(pipelined
        ? {
            pipeline: {
              setDoorJobs: (jobs) => {
                host.doorJobs = jobs;
              },
            },
            yieldEveryMs: DEV_YIELD_EVERY_MS,
          }
        : {}),
    });
    let halted = false;
    engine.on("error", (e: unknown) => {
      log(`block production failed: ${e instanceof Error ? e.message : String(e)}`);
      // A halt is final: retrying would only fail again, and CometBFT nodes stop in the same case.
      if (e instanceof m.app.EnclaveHaltError && !halted) {
        halted = true;
        o.onHalt?.(e);
      }
    });
    try {
      await engine.start();
    } catch (e) {
      // A folder whose state is ahead of its block store cannot resume (nothing was changed): say so, no stack.
      if (e instanceof m.engine.StateAheadError)
        throw new CliError(`${e.message}; start over with --reset (data folder ${o.home})`);
      throw e;
    }
    // LocalSecret users wait for the first block; produce it now rather than on the first tx.
    if (engine.height === 0n) await engine.produceBlock();
    const rpc: RpcServer = await m.rpc.startRpcServer(
      {
        engine,
        app,
        genesis: genesis as unknown as Json,
        nodeId: toHex(engine.validatorPublicKey.slice(0, 20)),
        moniker: "shroud-dev",
        rpcAddress: `tcp://${o.host}:${o.rpcPort}`,
        broadcastCommitTimeoutMs: 10_000,
      },
      o.host,
      o.rpcPort,
    );
    closers.push(rpc);
    const ports = { rpc: rpc.port, rest: o.restPort, faucet: o.faucetPort };
    for (const s of o.services ?? m.services) {
      closers.push(await s.start({ engine, app, genesis, host: o.host, ports, log }));
      log(`${s.name} started`);
    }
    log(
      `shroud dev: chain ${genesis.chain_id} at height ${engine.height}, RPC on http://${o.host}:${rpc.port}`,
    );
    return { engine, enclave, app, genesis, rpcPort: rpc.port, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
