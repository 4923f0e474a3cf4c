// The `shroud dev` faucet (LocalSecret's port 5000): `GET /faucet?address=secret1…` sends FAUCET_AMOUNT uscrt
// from the dev validator account in a SIGN_MODE_DIRECT MsgSend signed here, and answers JSON once it is in a block.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pbkdf2Sync } from "node:crypto";
import { HDKey } from "@scure/bip32";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { fromBech32, secp256k1PubkeyToAddress, toBech32 } from "../chain/address.js";
import type { ShroudApp } from "../chain/app.js";
import type { DevEngine } from "../consensus/dev.js";
import { createQueryContext } from "../api/rest/appBackend.js";
import { equalBytes, toHex } from "../util/bytes.js";
import { DEV_MNEMONICS, SECRET_HD_PATH } from "./devGenesis.js";

/** What one request sends: 1,000 SCRT (LocalSecret's faucet amount), in uscrt. */
export const FAUCET_AMOUNT = 1_000_000_000n;
export const FAUCET_DENOM = "uscrt";
/** Gas and fee of a faucet send: a MsgSend uses well under 100k; the fee meets the 0.0125uscrt minimum. */
const FAUCET_GAS = 200_000n;
const FAUCET_FEE = 5_000n;
/** Politeness: one payout per address per window. */
export const FAUCET_WINDOW_MS = 10_000;
/** How long a request waits for its tx to be in a block. */
const INCLUSION_TIMEOUT_MS = 15_000;
/** Sequence mismatch (sdk 32): resync the local sequence and retry once. */
const CODE_WRONG_SEQUENCE = 32;

interface FaucetKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: string;
}

function keyFromMnemonic(mnemonic: string): FaucetKey {
  const seed = pbkdf2Sync(mnemonic.normalize("NFKD"), "mnemonic", 2048, 64, "sha512");
  const k = HDKey.fromMasterSeed(seed).derive(SECRET_HD_PATH);
  if (k.privateKey === null || k.publicKey === null) throw new Error("faucet: HD derivation gave no key");
  return {
    privateKey: k.privateKey,
    publicKey: k.publicKey,
    address: toBech32(secp256k1PubkeyToAddress(k.publicKey)),
  };
}

export interface FaucetOptions {
  readonly app: ShroudApp;
  readonly engine: DevEngine;
  readonly chainId: string;
  /** Clock for the rate limit (the CLI runs outside the deterministic chain code). */
  readonly nowMs?: () => number;
}

export class Faucet {
  readonly key: FaucetKey;
  private nextSequence: bigint | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lastPaid = new Map<string, number>();
  private readonly ctx;

  constructor(private readonly o: FaucetOptions) {
    this.key = keyFromMnemonic(DEV_MNEMONICS.validator);
    this.ctx = createQueryContext(o);
  }

  private account(): { accountNumber: bigint; sequence: bigint } {
    const acc = this.o.app.modules.auth.keeper.getAccount(this.ctx(undefined), fromBech32(this.key.address));
    if (acc === undefined) throw new Error(`faucet account ${this.key.address} is not in the genesis`);
    return acc;
  }

  private sign(to: string, accountNumber: bigint, sequence: bigint): Uint8Array {
    const msg = MsgSend.fromPartial({
      fromAddress: this.key.address,
      toAddress: to,
      amount: [{ denom: FAUCET_DENOM, amount: FAUCET_AMOUNT.toString() }],
    });
    const bodyBytes = TxBody.encode(
      TxBody.fromPartial({
        messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode(msg).finish() }],
        memo: "shroud faucet",
      }),
    ).finish();
    const authInfoBytes = AuthInfo.encode(
      AuthInfo.fromPartial({
        signerInfos: [
          {
            publicKey: {
              typeUrl: "/cosmos.crypto.secp256k1.PubKey",
              value: PubKey.encode({ key: this.key.publicKey }).finish(),
            },
            modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
            sequence,
          },
        ],
        fee: { amount: [{ denom: FAUCET_DENOM, amount: FAUCET_FEE.toString() }], gasLimit: FAUCET_GAS },
      }),
    ).finish();
    const doc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: this.o.chainId, accountNumber }).finish();
    const sig = secp256k1.sign(doc, this.key.privateKey, { prehash: true, lowS: true });
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [sig] }).finish();
  }

  /** Signs and broadcasts one payout (serialised: the local sequence is shared); resyncs once on a mismatch. */
  private async broadcast(to: string): Promise<{ hash: Uint8Array; code: number; log: string }> {
    for (let attempt = 0; ; attempt++) {
      await this.o.engine.idle(); // the account is read from the state: not during a block
      const acc = this.account();
      const seq = this.nextSequence ?? acc.sequence;
      const r = await this.o.engine.broadcastTx(this.sign(to, acc.accountNumber, seq));
      if (r.checkTx.code === 0) {
        this.nextSequence = seq + 1n;
        return { hash: r.hash, code: 0, log: "" };
      }
      this.nextSequence = undefined;
      if (r.checkTx.code !== CODE_WRONG_SEQUENCE || attempt > 0) {
        return { hash: r.hash, code: r.checkTx.code, log: r.checkTx.log };
      }
    }
  }

  private waitForInclusion(hash: Uint8Array): Promise<{ height: bigint; result: ExecTxResult | undefined }> {
    return new Promise((resolve, reject) => {
      const onTx = (t: { hash: Uint8Array; height: bigint; result: ExecTxResult | undefined }): void => {
        if (!equalBytes(t.hash, hash)) return;
        clearTimeout(timer);
        this.o.engine.off("tx", onTx);
        resolve(t);
      };
      const timer = setTimeout(() => {
        this.o.engine.off("tx", onTx);
        reject(new Error("the faucet tx was not included in time"));
      }, INCLUSION_TIMEOUT_MS);
      this.o.engine.on("tx", onTx);
    });
  }

  /** One request: validation, rate limit, payout. Returns the HTTP status and JSON body. */
  async request(address: string | null): Promise<{ status: number; body: Record<string, unknown> }> {
    if (address === null || address === "") return { status: 400, body: { error: "address: required" } };
    try {
      fromBech32(address);
    } catch {
      return { status: 400, body: { error: `address: not a secret1… address: ${address.slice(0, 100)}` } };
    }
    const now = (this.o.nowMs ?? Date.now)();
    const last = this.lastPaid.get(address);
    if (last !== undefined && now - last < FAUCET_WINDOW_MS) {
      const wait = Math.ceil((FAUCET_WINDOW_MS - (now - last)) / 1000);
      return { status: 429, body: { error: `rate limited: try again in ${wait}s`, retry_after_s: wait } };
    }
    this.lastPaid.set(address, now);
    const run = this.queue.then(() => this.payout(address));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async payout(address: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const sent = await this.broadcast(address);
    const txhash = toHex(sent.hash).toUpperCase();
    if (sent.code !== 0) {
      this.lastPaid.delete(address);
      return { status: 500, body: { error: `faucet tx refused (code ${sent.code}): ${sent.log}`, txhash } };
    }
    const inc = await this.waitForInclusion(sent.hash);
    const code = inc.result?.code ?? 0;
    return {
      status: code === 0 ? 200 : 500,
      body: {
        txhash,
        height: inc.height.toString(),
        code,
        address,
        amount: `${FAUCET_AMOUNT}${FAUCET_DENOM}`,
        from: this.key.address,
      },
    };
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "access-control-allow-origin": "*",
    "content-length": Buffer.byteLength(data),
  });
  res.end(data);
}

async function handle(f: Faucet, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://faucet");
  if (req.method !== "GET") {
    reply(res, 405, { error: "only GET is supported" });
    return;
  }
  if (url.pathname !== "/faucet") {
    reply(res, 404, { error: "not found; use GET /faucet?address=secret1…" });
    return;
  }
  const r = await f.request(url.searchParams.get("address"));
  reply(res, r.status, r.body);
}

export interface FaucetServer {
  readonly port: number;
  readonly faucet: Faucet;
  close(): Promise<void>;
}

export function startFaucetServer(o: FaucetOptions, host: string, port: number): Promise<FaucetServer> {
  const faucet = new Faucet(o);
  const server: Server = createServer((req, res) => {
    handle(faucet, req, res).catch((e: unknown) => {
      reply(res, 500, { error: e instanceof Error ? e.message : "internal error" });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        faucet,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}
