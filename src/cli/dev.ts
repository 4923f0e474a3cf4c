// `shroud dev`: a LocalSecret drop-in on one machine. Data folder (default ~/.shroud/dev): the enclave's sealed
// state, genesis.json, the chain state, the block store and the validator key. First start: bootstrap the
// enclave, write the dev genesis, produce block 1 at once. Later starts resume the chain from the folder.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { devAuthorityPublicKey, EnclaveHost, type NetworkPubkeys } from "../enclave/api.js";
import { RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { EnclaveHaltError, ShroudApp } from "../chain/app.js";
import { parseGenesisDoc, parseRfc3339Ns, type GenesisDoc } from "../chain/genesis.js";
import { validateGenesis } from "../chain/app.js";
import { openStore, type Store } from "../chain/store/store.js";
import { DevEngine } from "../consensus/dev.js";
import { Ed25519Signer } from "../consensus/votes.js";
import { startRpcServer, type RpcServer } from "../api/rpc/server.js";
import type { Json } from "../api/rpc/json.js";
import { fromHex, toBase64, toHex, utf8 } from "../util/bytes.js";
import { buildDevGenesis } from "./devGenesis.js";
import { DEV_SERVICES, type DevService } from "./services.js";
import { DEFAULT_QUERY_WORKERS } from "./common.js";

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

function loadOrCreateGenesis(
  home: string,
  enclave: EnclaveHost,
  nowNs: bigint,
  validatorPubKey: Uint8Array,
): GenesisDoc {
  const path = join(home, FILES.genesis);
  if (existsSync(path)) {
    const doc = parseGenesisDoc(readFileSync(path, "utf8"));
    validateGenesis(doc);
    assertEnclaveMatches(doc, enclave);
    return doc;
  }
  const keys = networkKeys(enclave);
  const doc = buildDevGenesis({
    genesisTimeNs: nowNs,
    nodeExchKey: keys.seedExchangePublicKey,
    ioExchKey: keys.ioExchangePublicKey,
    authorityPublicKeys: [devAuthorityPublicKey()],
    measurements: [enclave.getMeasurement()],
    validatorPubKey,
  });
  writeFileSync(path, JSON.stringify(doc, null, 2) + "\n");
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
  const enclave = await EnclaveHost.start({
    dataDir: enclaveDir,
    platformSecretPath: join(enclaveDir, FILES.platformSecret),
    queryLanes: o.queryWorkers ?? DEFAULT_QUERY_WORKERS,
    verifyLane: o.verifyLane ?? false,
  });
  let store: Store | undefined;
  let engine: DevEngine | undefined;
  const closers: { close(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    for (const c of closers.reverse()) await c.close();
    if (engine !== undefined) await engine.stop();
    store?.close();
    await enclave.stop();
  };
  try {
    const seed = validatorSeed(o.home);
    // The engine's ed25519 key is the genesis validator's consensus key: its votes are the staked validator's.
    const validatorPubKey = new Ed25519Signer(seed).publicKey;
    const genesis = loadOrCreateGenesis(o.home, enclave, BigInt(Date.now()) * 1_000_000n, validatorPubKey);
    store = openStore(join(o.home, FILES.state));
    const genesisTimeNs = parseRfc3339Ns(genesis.genesis_time);
    const appStateBytes = utf8.encode(JSON.stringify(genesis.app_state));
    const initialHeight = BigInt(genesis.initial_height);
    const replayGenesis = RequestInitChain.fromPartial({
      time: { seconds: genesisTimeNs / 1_000_000_000n, nanos: Number(genesisTimeNs % 1_000_000_000n) },
      chainId: genesis.chain_id,
      appStateBytes,
      initialHeight,
    });
    const app = new ShroudApp({ store, enclave, replayGenesis });
    engine = new DevEngine({
      app,
      blockStorePath: join(o.home, FILES.blocks),
      chainId: genesis.chain_id,
      validatorSeed: seed,
      blockTimeMs: o.blockTimeMs,
      genesisTimeNs,
      appStateBytes,
      initialHeight,
    });
    let halted = false;
    engine.on("error", (e: unknown) => {
      log(`block production failed: ${e instanceof Error ? e.message : String(e)}`);
      // A halt is final: retrying would only fail again, and CometBFT nodes stop in the same case.
      if (e instanceof EnclaveHaltError && !halted) {
        halted = true;
        o.onHalt?.(e);
      }
    });
    await engine.start();
    // LocalSecret users wait for the first block; produce it now rather than on the first tx.
    if (engine.height === 0n) await engine.produceBlock();
    const rpc: RpcServer = await startRpcServer(
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
    for (const s of o.services ?? DEV_SERVICES) {
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
