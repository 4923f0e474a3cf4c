// The one door into the enclave (our Enclave.edl): the ECALL table, the host handle that makes ECALLs, and the
// types that cross. Nothing outside src/enclave may import any other enclave file (DESIGN.md rule 1).
import { concatBytes, u32be, u64be } from "../util/bytes.js";
import { ByteReader, encodeFields } from "./channel/codec.js";
import type { WireError, WireResult } from "./channel/frames.js";
import { DOOR_SPIN_DEFAULT, DOOR_SPIN_MAX_US, type DoorSpin, type FrameTap } from "./channel/mailbox.js";
import { ENCLAVE_ERROR_CODES, enclaveErrorCodeFromNum, type EnclaveErrorCode } from "./errors.js";
import {
  EnclaveIsolate,
  type CallOptions,
  type DoorJobs,
  type IsolateOptions,
  type OcallHandler,
} from "./host.js";
import { QueryLanes } from "./lanes.js";
import { VerifyLane, type SignatureCheck, type VerifyLaneStats } from "./verifyLane.js";

/**
 * Every ECALL and its wire id (append only). Inputs, outputs, errors and gas of each are in
 * src/enclave/README.md; names follow Secret's ecall_* where one exists.
 */
export const ECALL = Object.freeze({
  // Key management (src/enclave/ecalls/registration.ts)
  initBootstrap: 1, // ecall_init_bootstrap
  generateRegistrationKey: 2, // ecall_key_gen
  getAttestationQuote: 3, // ecall_get_attestation_report
  authenticateNewNode: 4, // ecall_authenticate_new_node
  initNode: 5, // ecall_init_node
  getNetworkPubkeys: 6, // ecall_get_network_pubkey
  rotationGenerate: 7, // ecall_migration_op: generate
  rotationExport: 8, // ecall_migration_op: export
  rotationImport: 9, // ecall_migration_op: import
  rotationApply: 10, // ecall_migration_op: apply
  generateBlockRandom: 11, // ecall_generate_random (spec §9)
  verifyBlockRandom: 12, // submit_block_signatures random check (spec §9)
  health: 13, // ecall_health_check
  getMeasurement: 14, // this build's enclave measurement (mr_enclave analogue)
  // Contract calls (src/enclave/ecalls/contract.ts)
  loadCode: 20, // ecall_allocate/analyze: compile + gatekeep an upload
  instantiate: 21, // ecall_init
  execute: 22, // ecall_handle
  query: 23, // ecall_query
  migrate: 24, // ecall_migrate
  reply: 25, // ecall_handle with a reply
  updateAdmin: 26, // ecall_update_admin
  verifySignatures: 27, // (ours) a verify lane's signature checks ahead of execution: verdict tokens
  prepareCall: 28, // (ours) an upcoming contract call's input checks, run while the host works between ECALLs
} as const);

/** Transport self-tests (src/enclave/channel/debugEcalls.ts); served only when started with debugEcalls. */
export const DEBUG_ECALL = Object.freeze({
  debugEcho: 0xff01,
  debugOcalls: 0xff02,
  debugReadLoop: 0xff03,
  debugNested: 0xff04,
  debugThrow: 0xff05,
  debugSleep: 0xff06,
  debugSecp256k1: 0xff07,
} as const);

export type EcallName = keyof typeof ECALL | keyof typeof DEBUG_ECALL;

/** What every ECALL returns: its output or a coded error, and always the gas it used. */
export type EcallResult = WireResult;
export type { WireError as EcallError, OcallHandler, CallOptions as EcallOptions, FrameTap as ChannelTap };
export type { DoorJobs };
export { OcallFailure, EnclaveUnavailableError, EnclaveStartError, EnclaveBusyError } from "./host.js";
export { ENCLAVE_ERROR_CODES, enclaveErrorCodeFromNum, type EnclaveErrorCode };
export { DOOR_SPIN_DEFAULT, DOOR_SPIN_MAX_US, type DoorSpin };
// Host-side helpers for building key-management payloads (pure; they run outside the enclave).
export {
  encodePolicyBinary as encodeAttestationPolicy,
  type AttestationPolicy,
} from "./attestation/policy.js";
export { devAuthorityPublicKey } from "./attestation/quote.js";

/** The two public keys of a seed (spec §2.1: node_exch_key, io_exch_key). */
export interface NetworkPubkeys {
  readonly seedExchangePublicKey: Uint8Array;
  readonly ioExchangePublicKey: Uint8Array;
}

/** Result of authenticateNewNode: the node's registration key and its 48·k encrypted seeds (spec §3.3). */
export interface AuthenticatedNode {
  readonly nodePublicKey: Uint8Array;
  readonly encryptedSeeds: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** The block a random value belongs to (spec §9): height, block hash and validator-set hash (32 bytes each). */
export interface BlockRef {
  readonly height: bigint;
  readonly blockHash: Uint8Array;
  readonly validatorSetHash: Uint8Array;
}

const blockFields = (b: BlockRef): Uint8Array[] => [u64be(b.height), b.blockHash, b.validatorSetHash];

function splitNetworkPubkeys(b: Uint8Array): NetworkPubkeys {
  const r = new ByteReader(b);
  const keys = {
    seedExchangePublicKey: r.fixed(32, "seedExchangePublicKey"),
    ioExchangePublicKey: r.fixed(32, "ioExchangePublicKey"),
  };
  r.end("network pubkeys");
  return keys;
}

/** An ECALL answered with an error, thrown by the typed methods below. */
export class EnclaveCallError extends Error {
  override readonly name = "EnclaveCallError";
  constructor(
    readonly code: number,
    message: string,
    readonly gasUsed: bigint,
  ) {
    super(message);
  }
}

export interface EnclaveHostOptions {
  /** Directory of the enclave's sealed state. */
  readonly dataDir: string;
  /** The platform secret file (created on first start) that seals that state. */
  readonly platformSecretPath: string;
  /** Also serve DEBUG_ECALL (tests, benches). Never set in a node. */
  readonly debugEcalls?: boolean;
  /** Shared-memory bytes per frame before it spills through a port (default 1 MiB). */
  readonly inlineCapacity?: number;
  /** Longest wait for one enclave answer before it is declared dead (default 10 min). */
  readonly ecallTimeoutMs?: number;
  /** Observe every frame crossing the wall, from the first one (tests). */
  readonly channelTap?: FrameTap;
  /**
   * Extra isolates serving `ecallQueryAsync` in parallel (0, the default: queries use the main isolate
   * synchronously). Each opens the same sealed state; see src/enclave/lanes.ts.
   */
  readonly queryLanes?: number;
  /**
   * µs the host and the enclave may spin before sleeping while they wait for each other (adaptive below this
   * bound; README §3). Default DOOR_SPIN_DEFAULT (none): right when other busy threads share the cores (a
   * localnet); a single node on an otherwise idle machine gains from spinning (docs/BENCHMARKS.md).
   */
  readonly doorSpin?: DoorSpin;
  /**
   * Start a verify lane (./verifyLane.ts): one more isolate that checks tx signatures ahead of their execute
   * ECALLs and returns verdict tokens, so the main isolate skips the secp256k1 verify (default false).
   */
  readonly verifyLane?: boolean;
}

/** The chain's view of a verify lane: queue checks, pick up tokens, forget them per block. Never blocks. */
export interface VerdictLane {
  submit(checks: readonly SignatureCheck[]): void;
  token(key: string): Uint8Array | undefined;
  clear(): void;
  readonly stats: VerifyLaneStats;
  /** Checks queued or in flight. */
  readonly pending: number;
  /** Waits (asynchronously, polling) until every queued check is answered; tests and benches. */
  drain(timeoutMs?: number): Promise<void>;
}
export type { SignatureCheck, VerifyLaneStats };
export { withVerdictToken } from "./contract/verdict.js";

/** ECALLs after which the sealed keychain may have changed: query lanes reopen it (lanes.ts reset). */
const KEYCHAIN_ECALLS: ReadonlySet<EcallName> = new Set<EcallName>([
  "initBootstrap",
  "generateRegistrationKey",
  "initNode",
  "rotationGenerate",
  "rotationImport",
  "rotationApply",
]);

/** The contract ops whose input checks may be prepared ahead (src/enclave/README.md §1 "Prepared calls"). */
export type PreparableOp = "instantiate" | "execute" | "migrate";

/**
 * The prepareCall payload for an upcoming `op` call with this request: sent on its own (`prepareCall`) or riding
 * on the ECALL before it (`EcallOptions.then` with id ECALL.prepareCall).
 */
export function encodePrepareCall(op: PreparableOp, request: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(ECALL[op]), request);
}

/** Health as reported by the enclave. */
export interface EnclaveHealth {
  readonly wireVersion: number;
  readonly seedCount: number;
}

/** The host's handle on a running enclave. All ECALLs are synchronous and may nest inside OCALL handlers. */
export class EnclaveHost {
  private constructor(
    private readonly isolate: EnclaveIsolate,
    private readonly lanes: QueryLanes | undefined,
    private readonly verify: VerifyLane | undefined,
  ) {}

  static async start(opts: EnclaveHostOptions): Promise<EnclaveHost> {
    const base: IsolateOptions = {
      dataDir: opts.dataDir,
      platformSecretPath: opts.platformSecretPath,
      debug: opts.debugEcalls ?? false,
      ...(opts.inlineCapacity === undefined ? {} : { inlineCapacity: opts.inlineCapacity }),
      ...(opts.ecallTimeoutMs === undefined ? {} : { ecallTimeoutMs: opts.ecallTimeoutMs }),
    };
    const laneOpts: IsolateOptions = { ...base, debug: false, asyncHost: true };
    // The verify lane boots beside the main isolate, not after it: each worker spends ~0.3-0.7 s loading its
    // modules. Both open the same sealed state; the platform secret's creation is exclusive (sealing.ts).
    const [main, lane] = await Promise.allSettled([
      EnclaveIsolate.start({
        ...base,
        ...(opts.channelTap === undefined ? {} : { tap: opts.channelTap }),
        ...(opts.doorSpin === undefined ? {} : { spin: opts.doorSpin }),
      }),
      opts.verifyLane === true ? VerifyLane.start(laneOpts) : Promise.resolve(undefined),
    ]);
    if (main.status === "rejected" || lane.status === "rejected") {
      if (main.status === "fulfilled") await main.value.stop();
      if (lane.status === "fulfilled") await lane.value?.stop();
      throw main.status === "rejected" ? main.reason : (lane as PromiseRejectedResult).reason;
    }
    const isolate = main.value;
    const verify = lane.value;
    const n = opts.queryLanes ?? 0;
    // Lanes never get debug ECALLs: they only ever answer queries (or check signatures).
    return new EnclaveHost(isolate, n === 0 ? undefined : new QueryLanes(laneOpts, n), verify);
  }

  /** The verify lane, when started with `verifyLane` (the key it MACs with never leaves the enclave). */
  get verdictLane(): VerdictLane | undefined {
    return this.verify;
  }

  /** One ECALL by name. `opts.ocalls` answers its OCALLs (and may itself call `ecall`, up to the nesting limit). */
  ecall(name: EcallName, payload: Uint8Array, opts: CallOptions = {}): EcallResult {
    const id =
      name in ECALL ? ECALL[name as keyof typeof ECALL] : DEBUG_ECALL[name as keyof typeof DEBUG_ECALL];
    const res = this.isolate.call(id, payload, opts);
    if (this.lanes !== undefined && KEYCHAIN_ECALLS.has(name) && "ok" in res) this.lanes.reset();
    return res;
  }

  /**
   * A contract query ECALL that does not block the thread: on a query lane when the host has lanes (queries
   * then run in parallel with each other and with block execution), else synchronously on the main isolate.
   * OCALL handlers run on this thread as each OCALL arrives; a nested query they make goes through `ecall`.
   */
  readonly ecallQueryAsync = (payload: Uint8Array, opts: CallOptions = {}): Promise<EcallResult> => {
    if (this.lanes === undefined) return Promise.resolve(this.ecall("query", payload, opts));
    return this.lanes.run(ECALL.query, payload, opts);
  };

  /** Number of query lanes configured (0: none). */
  get queryLaneCount(): number {
    return this.lanes?.size ?? 0;
  }

  /**
   * prepareCall without waiting (src/enclave/README.md §1 "Prepared calls"): the enclave runs the input checks
   * of the upcoming `op` call with this payload (the one its ECALL will carry; only the call's binding must
   * match) while the caller goes on. Speed only: never changes an outcome. False when nothing was sent.
   */
  prepareCall(op: PreparableOp, payload: Uint8Array): boolean {
    return this.prepareCallRaw(encodePrepareCall(op, payload));
  }

  /** prepareCall with its payload already built (`encodePrepareCall`). */
  prepareCallRaw(payload: Uint8Array): boolean {
    return this.isolate.ahead(ECALL.prepareCall, payload);
  }

  /**
   * prepareCall requests sent, refused (malformed), as of the last answer the prepared outcomes an execute took
   * and those dropped unused, and how often an ECALL had to wait for a prepareCall still running.
   */
  get prepareStats(): {
    readonly sent: number;
    readonly refused: number;
    readonly taken: number;
    readonly dropped: number;
    readonly waited: number;
    readonly rode: number;
  } {
    return this.isolate.aheadStats;
  }

  /** One ECALL by raw id (unknown ids are answered NotImplemented); for fuzzing. */
  ecallById(id: number, payload: Uint8Array, opts: CallOptions = {}): EcallResult {
    return this.isolate.call(id, payload, opts);
  }

  /** Sends a raw, possibly malformed, ECALL request body; for fuzzing the enclave's frame decoder. */
  ecallRaw(requestBody: Uint8Array, ocalls?: OcallHandler): EcallResult {
    return this.isolate.callRaw(requestBody, ocalls);
  }

  /** Starts or stops observing the frames that cross (tests). */
  set channelTap(tap: FrameTap | undefined) {
    this.isolate.tap = tap;
  }

  /**
   * Door jobs (host.ts DoorJobs): host work the main isolate's top-level synchronous ECALLs run while the
   * enclave works (an engine checks newly arrived txs this way during a block). Undefined: none.
   */
  get doorJobs(): DoorJobs | undefined {
    return this.isolate.jobs;
  }

  set doorJobs(jobs: DoorJobs | undefined) {
    this.isolate.jobs = jobs;
  }

  /** Door jobs run so far, and those that threw. */
  get doorJobStats(): { readonly run: number; readonly failed: number } {
    return this.isolate.jobStats;
  }

  /** Nesting level of ECALLs in progress (0 when idle). */
  get activeDepth(): number {
    return this.isolate.activeDepth;
  }

  async stop(): Promise<void> {
    // The main isolate is marked dead and sent its shutdown synchronously, before any await: an ECALL made
    // right after stop() returns its promise finds the enclave gone (callers rely on it).
    const main = this.isolate.stop();
    void main.catch(() => undefined); // awaited below; not an unhandled rejection while the lanes stop
    await this.lanes?.stop();
    await this.verify?.stop();
    await main;
  }

  /** ecall, unwrapped: the output, or an EnclaveCallError. */
  private ok(name: EcallName, payload: Uint8Array): Uint8Array {
    const res = this.ecall(name, payload);
    if ("error" in res) throw new EnclaveCallError(res.error.code, res.error.message, res.gasUsed);
    return res.ok;
  }

  /** ecall_init_bootstrap: fresh genesis + current seeds (spec §2.1); returns the master public keys. */
  initBootstrap(): NetworkPubkeys {
    return splitNetworkPubkeys(this.ok("initBootstrap", EMPTY));
  }

  /** ecall_key_gen: this node's X25519 registration public key (created on first call, then stable). */
  generateRegistrationKey(): Uint8Array {
    return this.ok("generateRegistrationKey", EMPTY);
  }

  /** A registration quote (report_data = registration pk ‖ operator key or zeros) at block time `nowNs`. */
  getRegistrationQuote(nowNs: bigint, operatorKey?: Uint8Array): Uint8Array {
    return this.ok(
      "getAttestationQuote",
      encodeFields([Uint8Array.of(0), u64be(nowNs), operatorKey ?? EMPTY]),
    );
  }

  /** A migration quote for seed rotation (spec §3.6). */
  getMigrationQuote(nowNs: bigint): Uint8Array {
    return this.ok("getAttestationQuote", encodeFields([Uint8Array.of(1), u64be(nowNs), EMPTY]));
  }

  /**
   * ecall_authenticate_new_node: verify `evidence` under `policy` (binary, see encodeAttestationPolicy; the
   * enclave pins the measurement to its own) and encrypt every seed to the quoted key (spec §3.2–3.3).
   */
  authenticateNewNode(
    evidence: Uint8Array,
    policy: Uint8Array,
    nowNs: bigint,
    expectedNodePublicKey?: Uint8Array,
  ): AuthenticatedNode {
    const out = this.ok(
      "authenticateNewNode",
      encodeFields([evidence, policy, u64be(nowNs), expectedNodePublicKey ?? EMPTY]),
    );
    return { nodePublicKey: out.slice(0, 32), encryptedSeeds: out.slice(32) };
  }

  /**
   * ecall_init_node: load the seeds the network encrypted to us. Like Go's getSizedEncSeed, the host puts
   * one length byte in front of the 48·k bytes (spec §3.5).
   */
  initNode(masterPublicKey: Uint8Array, encryptedSeeds: Uint8Array): NetworkPubkeys {
    const sized = concatBytes(Uint8Array.of(encryptedSeeds.length & 0xff), encryptedSeeds);
    return splitNetworkPubkeys(this.ok("initNode", encodeFields([masterPublicKey, sized])));
  }

  /** ecall_get_network_pubkey(i): the public keys of seed `index` (genesis = 0). */
  getNetworkPubkeys(index: number): NetworkPubkeys {
    return splitNetworkPubkeys(this.ok("getNetworkPubkeys", u32be(index)));
  }

  /** Rotation step 1: a fresh pending seed in this enclave. */
  rotationGenerate(): void {
    this.ok("rotationGenerate", EMPTY);
  }

  /** Rotation step 2: export the pending seed to an attested peer's migration quote (80 bytes out). */
  rotationExport(peerMigrationQuote: Uint8Array, policy: Uint8Array, nowNs: bigint): Uint8Array {
    return this.ok("rotationExport", encodeFields([peerMigrationQuote, policy, u64be(nowNs)]));
  }

  /** Rotation step 3: import a seed exported to us by the attested exporter. */
  rotationImport(
    exporterMigrationQuote: Uint8Array,
    exported: Uint8Array,
    policy: Uint8Array,
    nowNs: bigint,
  ): void {
    this.ok("rotationImport", encodeFields([exporterMigrationQuote, exported, policy, u64be(nowNs)]));
  }

  /** Rotation step 4: the pending seed becomes current; returns its public keys (the new TxKey). */
  rotationApply(): NetworkPubkeys {
    return splitNetworkPubkeys(this.ok("rotationApply", EMPTY));
  }

  /** spec §9, proposer side: a fresh block random, encrypted (48) for the header, and its proof (32). */
  generateBlockRandom(block: BlockRef): { encrypted: Uint8Array; proof: Uint8Array } {
    const out = this.ok("generateBlockRandom", encodeFields(blockFields(block)));
    return { encrypted: out.slice(0, 48), proof: out.slice(48) };
  }

  /** spec §9, every node at BeginBlock: check the proof and decrypt; returns the 32-byte block random. */
  verifyBlockRandom(block: BlockRef, encrypted: Uint8Array, proof: Uint8Array): Uint8Array {
    return this.ok("verifyBlockRandom", encodeFields([...blockFields(block), encrypted, proof]));
  }

  /** This enclave build's measurement (32 bytes, the mr_enclave analogue). */
  getMeasurement(): Uint8Array {
    return this.ok("getMeasurement", EMPTY);
  }

  health(): EnclaveHealth {
    const r = new ByteReader(this.ok("health", new Uint8Array(0)));
    const health = { wireVersion: r.u32("wireVersion"), seedCount: r.u32("seedCount") };
    r.end("health");
    return health;
  }
}
export {
  encodeContractRequest,
  encodeRequestTemplate,
  spliceRequest,
  type ContractRequest,
  type RequestTemplate,
} from "./contract/wire.js"; // x/compute's ECALL envelope, and its template encoded ahead
export type { SigInfo as ContractSigInfo } from "./contract/txSignature.js";
