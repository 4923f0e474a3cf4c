// Creating a localnet folder: N node homes with their own CometBFT keys and ports, persistent peers between all
// of them, one shared genesis, and enclaves that share the consensus seed: node 0 bootstraps, every other node is
// registered through the real ECALLs (its quote authenticated by the bootstrap enclave → seeds → initNode).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { devAuthorityPublicKey, encodeAttestationPolicy, EnclaveHost } from "../../enclave/api.js";
import { parsePolicyJson } from "../../chain/modules/registration/params.js";
import type { RegInfoJson } from "../../chain/modules/registration/genesis.js";
import { toBase64 } from "../../util/bytes.js";
import { addressFromMnemonic } from "../devGenesis.js";
import { editCometConfig } from "../../consensus/cometbft.js";
import {
  cometHome,
  enclaveDir,
  initNodeHome,
  NODE_FILES,
  writeCometGenesis,
  writeGossipConfig,
  type ConsensusTimeouts,
} from "../node/home.js";
import { GOSSIP_PORT_OFFSET } from "../node/gossipPeers.js";
import { buildLocalnetGenesis, type LocalnetValidator } from "./genesis.js";
import { DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID, LOCALNET_FILE } from "./constants.js";

export { DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID, LOCALNET_FILE };
/** Fast blocks on loopback (CometBFT defaults are 3 s / 1 s / 1 s / 1 s). */
export const LOCALNET_TIMEOUTS: ConsensusTimeouts = {
  timeout_propose: "1s",
  timeout_prevote: "300ms",
  timeout_precommit: "300ms",
  timeout_commit: "300ms",
};

export interface LocalnetNode {
  readonly name: string;
  readonly home: string;
  readonly nodeId: string;
  readonly operator: string;
  readonly ports: {
    readonly p2p: number;
    readonly rpc: number;
    readonly abci: number;
    readonly rest: number;
  };
}

export interface LocalnetInfo {
  readonly chainId: string;
  readonly nodes: readonly LocalnetNode[];
}

export interface CreateLocalnetOptions {
  readonly binary: string;
  readonly home: string;
  readonly validators: number;
  readonly basePort?: number;
  readonly chainId?: string;
  readonly timeouts?: ConsensusTimeouts;
  /** Extra nodes that are not genesis validators (same enclave registration, no stake). */
  readonly fullNodes?: number;
  /**
   * Who keeps the mempool (setLocalnetMempool): "app" (the default since session 18: CometBFT's nop mempool, each
   * node's own and the tx gossip, full mesh) or "comet" (CometBFT's flood mempool).
   */
  readonly mempool?: "comet" | "app";
}

/** Node i's ports: base + 10·i + {0 p2p, 1 rpc, 2 abci, 3 rest}. */
export function nodePorts(base: number, i: number): LocalnetNode["ports"] {
  const b = base + 10 * i;
  return { p2p: b, rpc: b + 1, abci: b + 2, rest: b + 3 };
}

/** Node `n`'s tx gossip port in app-mempool mode: its p2p port + 5 (+4 is the benches' pprof port). */
export const gossipPortOf = (n: LocalnetNode): number => n.ports.p2p + GOSSIP_PORT_OFFSET;

/**
 * Switches every node between CometBFT's mempool and the app's (`mempool.type` "flood" / "nop"); app mode also
 * writes each node's gossip.json: its gossip port and every other node as a peer (full mesh, CometBFT node ids),
 * and `relay` (default true, as `shroud start`: peers' txs are re-sent to the other peers; off made no measurable
 * CPU difference on a 4-node full mesh: docs/BENCHMARKS.md "App-side mempool (session 17, M1)").
 * `shroud start` reads both, so a stopped localnet restarts in the same mode.
 */
export function setLocalnetMempool(info: LocalnetInfo, mode: "comet" | "app", relay = true): void {
  for (const n of info.nodes) {
    editCometConfig(cometHome(n.home), { "mempool.type": JSON.stringify(mode === "app" ? "nop" : "flood") });
    if (mode !== "app") continue;
    writeGossipConfig(n.home, {
      port: gossipPortOf(n),
      peers: info.nodes
        .filter((p) => p !== n)
        .map((p) => ({ id: p.nodeId, host: "127.0.0.1", port: gossipPortOf(p) })),
      relay,
    });
  }
}

export function readLocalnet(home: string): LocalnetInfo {
  const path = join(home, LOCALNET_FILE);
  if (!existsSync(path)) throw new Error(`no localnet in ${home} (no ${LOCALNET_FILE})`);
  return JSON.parse(readFileSync(path, "utf8")) as LocalnetInfo;
}

function operatorMnemonic(home: string): string {
  const path = join(home, "operator.mnemonic");
  if (!existsSync(path)) writeFileSync(path, generateMnemonic(wordlist, 256) + "\n", { mode: 0o600 });
  return readFileSync(path, "utf8").trim();
}

const openEnclave = (home: string): Promise<EnclaveHost> =>
  EnclaveHost.start({
    dataDir: enclaveDir(home),
    platformSecretPath: join(enclaveDir(home), NODE_FILES.platformSecret),
  });

/**
 * Registers node enclaves with the bootstrap one (spec secret-protocol §3), as the registration tx would;
 * `master` is the node_exch_key the seeds are encrypted under (initBootstrap's, the genesis one).
 */
async function registerEnclaves(
  boot: EnclaveHost,
  master: Uint8Array,
  homes: readonly string[],
  policyJson: unknown,
  nowNs: bigint,
): Promise<RegInfoJson[]> {
  const policy = encodeAttestationPolicy(parsePolicyJson(policyJson));
  const out: RegInfoJson[] = [];
  for (const home of homes) {
    const e = await openEnclave(home);
    try {
      e.generateRegistrationKey();
      const quote = e.getRegistrationQuote(nowNs);
      const auth = boot.authenticateNewNode(quote, policy, nowNs);
      e.initNode(master, auth.encryptedSeeds);
      out.push({
        node_id: toBase64(auth.nodePublicKey),
        certificate: toBase64(quote),
        encrypted_seed: toBase64(auth.encryptedSeeds),
      });
    } finally {
      await e.stop();
    }
  }
  return out;
}

/** Creates the whole localnet folder (fails if one exists). Returns what localnet.json records. */
export async function createLocalnet(o: CreateLocalnetOptions): Promise<LocalnetInfo> {
  if (existsSync(join(o.home, LOCALNET_FILE))) throw new Error(`${o.home} already holds a localnet`);
  const base = o.basePort ?? DEFAULT_BASE_PORT;
  const total = o.validators + (o.fullNodes ?? 0);
  const names = Array.from({ length: total }, (_, i) => `node${i}`);
  const ids = names.map((name, i) =>
    initNodeHome({
      binary: o.binary,
      home: join(o.home, name),
      moniker: name,
      ports: nodePorts(base, i),
      loopback: true,
    }),
  );
  const nodes: LocalnetNode[] = names.map((name, i) => {
    const home = join(o.home, name);
    initNodeHome({
      binary: o.binary,
      home,
      moniker: name,
      ports: nodePorts(base, i),
      loopback: true,
      timeouts: o.timeouts ?? LOCALNET_TIMEOUTS,
      persistentPeers: ids.flatMap((p, j) =>
        j === i ? [] : [`${p.nodeId}@127.0.0.1:${nodePorts(base, j).p2p}`],
      ),
    });
    return {
      name,
      home,
      nodeId: ids[i]!.nodeId,
      operator: addressFromMnemonic(operatorMnemonic(home)),
      ports: nodePorts(base, i),
    };
  });
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const boot = await openEnclave(nodes[0]!.home);
  try {
    const keys = boot.initBootstrap();
    const validators: LocalnetValidator[] = nodes
      .slice(0, o.validators)
      .map((n, i) => ({ moniker: n.name, operator: n.operator, consPubKey: ids[i]!.validatorPubKey }));
    const common = {
      chainId: o.chainId ?? DEFAULT_CHAIN_ID,
      genesisTimeNs: nowNs,
      nodeExchKey: keys.seedExchangePublicKey,
      ioExchKey: keys.ioExchangePublicKey,
      authorityPublicKeys: [devAuthorityPublicKey()],
      measurements: [boot.getMeasurement()],
      validators,
    };
    const draft = buildLocalnetGenesis({ ...common, regInfo: [] });
    const policyJson = (draft.app_state.register as { params: { attestation_policy: unknown } }).params
      .attestation_policy;
    const regInfo = await registerEnclaves(
      boot,
      keys.seedExchangePublicKey,
      nodes.slice(1).map((n) => n.home),
      policyJson,
      nowNs,
    );
    const genesis = buildLocalnetGenesis({ ...common, regInfo });
    for (const n of nodes) writeCometGenesis(n.home, genesis);
  } finally {
    await boot.stop();
  }
  const info: LocalnetInfo = { chainId: o.chainId ?? DEFAULT_CHAIN_ID, nodes };
  setLocalnetMempool(info, o.mempool ?? "app");
  writeFileSync(join(o.home, LOCALNET_FILE), JSON.stringify(info, null, 2) + "\n");
  return info;
}
