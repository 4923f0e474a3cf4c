// The chain side of joining, through a node's REST (LCD) server: submit MsgRaAuthenticate with secretjs and wait
// for it (spec secret-protocol §3.1, §3.4), then read what the chain stored for us (registration queries).
import { SecretNetworkClient, Wallet, type TxResponse } from "secretjs";
// secretjs uses this class for tx.registration.register but does not re-export it from its index.
import { RaAuthenticate } from "secretjs/dist/tx/registration.js";
import { fromBase64, toHex } from "../../util/bytes.js";
import { CliError } from "../common.js";
import type { JoinMaterial } from "./enclaveHome.js";

/** gRPC NotFound (google.golang.org/grpc/codes): the REST body's `code` when a query finds nothing. */
const GRPC_NOT_FOUND = 5;

/**
 * Gas for MsgRaAuthenticate. Secret's nodes register with the CLI default of 200000 (`--gas` of secretd); our
 * keeper charges store gas only (the enclave call reports 0), well below it.
 */
export const DEFAULT_REGISTER_GAS = 200_000;

export interface RegisterTxOptions {
  /** REST (LCD) URL of a node of the network. */
  readonly node: string;
  readonly chainId?: string;
  /** BIP-39 mnemonic of the fee payer / sender (secretjs Wallet, coin type 529). */
  readonly mnemonic: string;
  readonly certificate: Uint8Array;
  readonly gasLimit?: number;
  /** How long to wait for inclusion (default 60 s). */
  readonly timeoutMs?: number;
}

export interface RegisterTxResult {
  readonly txhash: string;
  readonly height: number;
  readonly code: number;
  readonly codespace: string;
  readonly rawLog: string;
  readonly sender: string;
  /** From the tx's `message` event (spec §3.4), hex without 0x; absent when the tx failed. */
  readonly nodeId?: string;
  readonly encryptedSeed?: string;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new CliError(`cannot reach ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new CliError(`${url} answered ${res.status} with a non-JSON body`);
  }
}

/** The chain id a node reports (`/cosmos/base/tendermint/v1beta1/node_info`), when the user gave none. */
export async function chainIdOf(node: string): Promise<string> {
  const { body } = await getJson(`${node}/cosmos/base/tendermint/v1beta1/node_info`);
  const info = body.default_node_info as { network?: unknown } | undefined;
  if (typeof info?.network !== "string" || info.network === "")
    throw new CliError(`${node} did not report a chain id; pass --chain-id`);
  return info.network;
}

function eventAttr(
  events: readonly { type: string; attributes: { key: string; value: string }[] }[],
  key: string,
) {
  for (const e of events) {
    if (e.type !== "message") continue;
    for (const a of e.attributes) if (a.key === key) return a.value.replace(/^0x/, "");
  }
  return undefined;
}

/** The outcome of a MsgRaAuthenticate tx, with the node id and seeds from its `message` event (spec §3.4). */
export function registrationResult(tx: TxResponse, sender: string): RegisterTxResult {
  const events = tx.events.map((e) => ({
    type: e.type ?? "",
    attributes: (e.attributes ?? []).map((a) => ({ key: a.key ?? "", value: a.value ?? "" })),
  }));
  const nodeId = eventAttr(events, "node_id");
  const encryptedSeed = eventAttr(events, "encrypted_seed");
  return {
    txhash: tx.transactionHash,
    height: tx.height,
    code: tx.code,
    codespace: tx.codespace,
    rawLog: tx.rawLog,
    sender,
    ...(nodeId === undefined ? {} : { nodeId }),
    ...(encryptedSeed === undefined ? {} : { encryptedSeed }),
  };
}

/** The message itself, as secretjs builds it (`/secret.registration.v1beta1.RaAuthenticate`). */
export function raAuthenticateMsg(sender: string, certificate: Uint8Array): RaAuthenticate {
  return new RaAuthenticate({ sender, certificate });
}

/** Submits MsgRaAuthenticate{sender, certificate} and waits for its block (secretjs polls the LCD). */
export async function submitRegistration(o: RegisterTxOptions): Promise<RegisterTxResult> {
  const wallet = new Wallet(o.mnemonic);
  const chainId = o.chainId ?? (await chainIdOf(o.node));
  const client = new SecretNetworkClient({
    url: o.node,
    chainId,
    wallet,
    walletAddress: wallet.address,
  });
  const tx = await client.tx.registration.register(
    { sender: wallet.address, certificate: o.certificate },
    {
      gasLimit: o.gasLimit ?? DEFAULT_REGISTER_GAS,
      broadcastCheckIntervalMs: 250,
      broadcastTimeoutMs: o.timeoutMs ?? 60_000,
    },
  );
  return registrationResult(tx, wallet.address);
}

const messageOf = (body: Record<string, unknown>): string =>
  typeof body.message === "string" ? body.message : "";

async function keyQuery(node: string, path: string, what: string): Promise<Uint8Array> {
  const { status, body } = await getJson(`${node}${path}`);
  if (status !== 200 || typeof body.key !== "string")
    throw new CliError(`${what}: ${node}${path} answered ${status} ${messageOf(body)}`.trim());
  return fromBase64(body.key, what);
}

/**
 * Reads the network's master keys and the seeds encrypted to `registrationPublicKey`. A node whose attestation
 * was refused (or that never registered) finds no seed: CliError with exit code 1.
 */
export async function fetchJoinMaterial(
  node: string,
  registrationPublicKey: Uint8Array,
): Promise<JoinMaterial> {
  const masterPublicKey = await keyQuery(node, "/registration/v1beta1/registration-key", "registration key");
  const ioPublicKey = await keyQuery(node, "/registration/v1beta1/tx-key", "tx key");
  const path = `/registration/v1beta1/encrypted-seed/${toHex(registrationPublicKey)}`;
  const { status, body } = await getJson(`${node}${path}`);
  if (status === 404 || body.code === GRPC_NOT_FOUND)
    throw new CliError(
      `no encrypted seed on chain for registration key ${toHex(registrationPublicKey)}: ` +
        "the node is not registered (its attestation was refused or never submitted)",
    );
  if (status !== 200 || typeof body.encrypted_seed !== "string")
    throw new CliError(`encrypted seed: ${node}${path} answered ${status} ${messageOf(body)}`.trim());
  return { masterPublicKey, ioPublicKey, encryptedSeeds: fromBase64(body.encrypted_seed, "encrypted_seed") };
}
