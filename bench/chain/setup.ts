// bench:chain helpers: a fresh node (real enclave, ShroudApp, DevEngine, on-disk store) in a temp folder, with
// N extra funded bank accounts in genesis, and per-stage timers wrapped around the app's ABCI calls.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devAuthorityPublicKey, EnclaveHost } from "../../src/enclave/api.js";
import { ShroudApp } from "../../src/chain/app.js";
import { openStore, type Store } from "../../src/chain/store/store.js";
import { toBech32 } from "../../src/chain/address.js";
import { DevEngine } from "../../src/consensus/dev.js";
import { decodeBytesField1 } from "../../src/chain/modules/registration/proto.js";
import { buildDevGenesis, DEV_CHAIN_ID } from "../../src/cli/devGenesis.js";
import { parseRfc3339Ns } from "../../src/chain/genesis.js";
import { utf8 } from "../../src/util/bytes.js";
import { threadCpuMs } from "../threadCpu.js";
import { accountNumberOf } from "../../test/chain/fixtures.js";

export const GENESIS_TIME_NS = 1_750_000_000_000_000_000n;

/** The i-th synthetic holder address: sha256("holder" | i)[0..20]. */
export function holderAddress(i: number): string {
  return toBech32(createHash("sha256").update(`holder${i}`).digest().subarray(0, 20));
}

/** Cumulative wall ms in each ABCI stage (the engine calls these; CheckTx is timed by the caller). */
export interface StageTimes {
  prepare: number;
  process: number;
  finalize: number;
  commit: number;
  /**
   * Main-thread CPU ms inside enclave ECALLs (exact per call: threadCpuMs); door jobs included. NaN unless the
   * node was started with `ecallTiming` (`--ecall-timing`): the two schedstat reads per ECALL cost ~10 µs of
   * main-thread CPU per SNIP-20 transfer, on the critical path of the tx/s being measured.
   */
  ecallCpu: number;
  /** Wall ms inside enclave ECALLs (door jobs included: an OCALL may wait for a running job); always kept. */
  ecallWall: number;
}

/** `--ecall-timing` on the command line: main-thread CPU per ECALL too (StageTimes.ecallCpu), at a cost. */
export const ECALL_TIMING = process.argv.includes("--ecall-timing");

/**
 * `--door-spin H,E`: the enclave door's spin bounds in µs (host, enclave; `EnclaveHostOptions.doorSpin`, default
 * none: 500 polls, then sleep). For A/Bs of the door's waiting policy (docs/BENCHMARKS.md "Door wake-ups").
 */
export const DOOR_SPIN = ((): { hostUs: number; enclaveUs: number } | undefined => {
  const at = process.argv.indexOf("--door-spin");
  if (at < 0) return undefined;
  const [h, e] = (process.argv[at + 1] ?? "").split(",").map(Number);
  return { hostUs: h ?? NaN, enclaveUs: e ?? h ?? NaN };
})();

/** CPU ms of the calling thread (../threadCpu.ts); re-exported for the chain benches. */
export { threadCpuMs };

export interface Node {
  readonly app: ShroudApp;
  readonly engine: DevEngine;
  readonly store: Store;
  readonly chainId: string;
  readonly stages: StageTimes;
  readonly genesisMs: number;
  /** The node's enclave (probes wrap its ecall; the bench itself goes through the app). */
  readonly enclave: EnclaveHost;
  /** The node's temp folder: its enclave's sealed state (`enclave/`) and platform secret (`enclave.secret`). */
  readonly dir: string;
  query(path: string, data: Uint8Array): Uint8Array;
  accountNumber(address: string): number;
  txKey(): Uint8Array;
  close(): Promise<void>;
}

/** ShroudApp's ABCI methods are synchronous, so wall time around the call is the stage's time. */
function timeStage<A, R>(stages: StageTimes, key: keyof StageTimes, fn: (a: A) => R): (a: A) => R {
  return (a: A) => {
    const t0 = performance.now();
    try {
      return fn(a);
    } finally {
      stages[key] += performance.now() - t0;
    }
  };
}

/**
 * The dev genesis with `holders` extra funded accounts, as InitChain's app-state bytes. Only the bytes leave:
 * at 1M accounts the genesis object tree and the address map are ~0.5 GB of heap that would otherwise stay
 * alive through InitChain, whose own peak is near V8's default 4 GB limit (docs/BENCHMARKS.md, session 5).
 */
function benchGenesis(
  enclave: EnclaveHost,
  holders: number,
): { appStateBytes: Uint8Array; genesisTimeNs: bigint; chainId: string } {
  const keys = enclave.initBootstrap();
  const extraAccounts: Record<string, bigint> = {};
  for (let i = 0; i < holders; i++) extraAccounts[holderAddress(i)] = 1_000_000n;
  const g = buildDevGenesis({
    genesisTimeNs: GENESIS_TIME_NS,
    nodeExchKey: keys.seedExchangePublicKey,
    ioExchKey: keys.ioExchangePublicKey,
    authorityPublicKeys: [devAuthorityPublicKey()],
    measurements: [enclave.getMeasurement()],
    extraAccounts,
  });
  return {
    appStateBytes: utf8.encode(JSON.stringify(g.app_state)),
    genesisTimeNs: parseRfc3339Ns(g.genesis_time),
    chainId: g.chain_id,
  };
}

/** Boots a fresh single-validator chain whose genesis funds `holders` synthetic accounts (plus the dev ones). */
/** `verifyLane`: start the enclave's verify lane (default: only with `--verify-lane` on the command line). */
/**
 * `ecallTiming`: also read the main thread's CPU around every ECALL (StageTimes.ecallCpu; default
 * `--ecall-timing`). Off, only the wall clock is read around an ECALL (two `performance.now()`, ~0.1 µs each).
 */
export async function startNode(
  holders: number,
  verifyLane: boolean = process.argv.includes("--verify-lane"),
  ecallTiming: boolean = ECALL_TIMING,
): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), "shroud-bench-chain-"));
  const enclave = await EnclaveHost.start({
    dataDir: join(dir, "enclave"),
    platformSecretPath: join(dir, "enclave.secret"),
    ecallTimeoutMs: 120_000,
    // The verify lane checks each block's tx signatures ahead of execution (src/enclave/verifyLane.ts);
    // off by default since session 12 (with the native verify it no longer pays here); `--verify-lane` runs it.
    verifyLane,
    ...(DOOR_SPIN === undefined ? {} : { doorSpin: DOOR_SPIN }),
  });
  const g = benchGenesis(enclave, holders);
  const store = openStore(join(dir, "state"));
  const stages: StageTimes = {
    prepare: 0,
    process: 0,
    finalize: 0,
    commit: 0,
    ecallCpu: ecallTiming ? 0 : NaN,
    ecallWall: 0,
  };
  // Wall time inside ECALLs, and with `ecallTiming` the main-thread CPU spent there (mailbox waits, OCALL
  // answers, frame codecs): the host's share of the enclave door. The original method is kept and called
  // through; only the clock reads are added. The CPU reads (schedstat after getrusage, ~5 µs each) are opt-in:
  // they sit between one tx's answer and the next tx's request, where the enclave waits for the main thread.
  const ecall = enclave.ecall.bind(enclave);
  enclave.ecall = ecallTiming
    ? (...args: Parameters<typeof ecall>) => {
        const c0 = threadCpuMs();
        const w0 = performance.now();
        try {
          return ecall(...args);
        } finally {
          stages.ecallWall += performance.now() - w0;
          stages.ecallCpu += threadCpuMs() - c0;
        }
      }
    : (...args: Parameters<typeof ecall>) => {
        const w0 = performance.now();
        try {
          return ecall(...args);
        } finally {
          stages.ecallWall += performance.now() - w0;
        }
      };
  const app = new ShroudApp({ store, enclave });
  app.prepareProposal = timeStage(stages, "prepare", app.prepareProposal.bind(app));
  app.processProposal = timeStage(stages, "process", app.processProposal.bind(app));
  // FinalizeBlock is timed step by step (finalizeBlock runs its steps through beginFinalizeBlock, in one go; a
  // stepped one, engine.yieldEveryMs, with turns of the event loop between steps that are not FinalizeBlock's).
  const begin = app.beginFinalizeBlock.bind(app);
  app.beginFinalizeBlock = (req) => {
    const steps = timeStage(stages, "finalize", begin)(req);
    const step = timeStage(stages, "finalize", () => steps.step());
    return {
      step: () => step(undefined),
      get result() {
        return steps.result;
      },
    };
  };
  const commit = app.commit.bind(app);
  app.commit = () => timeStage(stages, "commit", commit)(undefined);
  // A fake clock (1 s per block) and a block time no timer reaches: only produceBlock() makes blocks.
  let clock = g.genesisTimeNs;
  const engine = new DevEngine({
    app,
    blockStorePath: join(dir, "blocks"),
    chainId: g.chainId,
    validatorSeed: new Uint8Array(32).fill(9),
    blockTimeMs: 2_000_000_000,
    genesisTimeNs: g.genesisTimeNs,
    appStateBytes: g.appStateBytes,
    maxBlockTxBytes: 64 * 1024 * 1024,
    nowNs: () => (clock += 1_000_000_000n),
    // The streaming feed's txs are checked as door jobs inside FinalizeBlock's ECALL waits (README "Feeds";
    // `engine.pipelined` switches it, `--no-pipeline` starts with it off).
    pipeline: {
      setDoorJobs: (jobs) => {
        enclave.doorJobs = jobs;
      },
    },
  });
  engine.pipelined = !process.argv.includes("--no-pipeline");
  // `--step-ms <ms>`: FinalizeBlock in steps with a turn of the event loop every <ms> (what `shroud dev` does).
  const stepAt = process.argv.indexOf("--step-ms");
  if (stepAt >= 0) engine.yieldEveryMs = Number(process.argv[stepAt + 1]);
  const t0 = performance.now();
  await engine.start();
  await engine.produceBlock(); // height 1: genesis state becomes queryable
  const genesisMs = performance.now() - t0;
  for (const k of Object.keys(stages) as (keyof StageTimes)[]) if (!Number.isNaN(stages[k])) stages[k] = 0;
  const query = (path: string, data: Uint8Array): Uint8Array => {
    const r = app.query({ path, data, height: 0n, prove: false });
    if (r.code !== 0) throw new Error(`query ${path}: ${r.log}`);
    return r.value;
  };
  return {
    app,
    engine,
    store,
    chainId: g.chainId || DEV_CHAIN_ID,
    stages,
    genesisMs,
    enclave,
    query,
    accountNumber: (address) => accountNumberOf(app, address),
    dir,
    txKey: () =>
      decodeBytesField1(query("/secret.registration.v1beta1.Query/TxKey", new Uint8Array()), "key"),
    close: async () => {
      await engine.stop();
      store.close();
      await enclave.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
