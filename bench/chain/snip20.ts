// bench:chain helpers: deploy the SNIP-20 contract (secretjs-encrypted store + instantiate) and pre-sign K
// encrypted transfers to new holders, for bench/chain.ts and the probe.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import {
  EncryptionUtilsImpl,
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgStoreCode,
  SecretNetworkClient,
  Wallet,
} from "secretjs";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { holderAddress, type Node } from "./setup.js";
import { attribute, deliverOne } from "./run.js";

const INITIAL_HOLDERS = 100; // SNIP-20 initial_balances entries (beyond the sender)

const snip20Gz = new Uint8Array(
  readFileSync(new URL("../../contracts/build/snip20.wasm.gz", import.meta.url)),
);
const snip20Hash = createHash("sha256")
  .update(readFileSync(new URL("../../contracts/build/snip20.wasm", import.meta.url)))
  .digest("hex");

export interface Snip20 {
  client: SecretNetworkClient;
  address: string;
  accountNumber: number;
  sequence: number;
}

/** Stores + instantiates snip20 from dev account b (INITIAL_HOLDERS holders), with secretjs' own encryption. */
export async function deploySnip20(node: Node): Promise<Snip20> {
  const wallet = new Wallet(DEV_MNEMONICS.b);
  const utils = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(7));
  (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = node.txKey();
  const client = new SecretNetworkClient({
    url: "http://127.0.0.1:1",
    chainId: node.chainId,
    wallet,
    walletAddress: wallet.address,
    encryptionUtils: utils,
  });
  const s: Snip20 = { client, address: "", accountNumber: node.accountNumber(wallet.address), sequence: 0 };
  const sign = (msg: MsgStoreCode | MsgInstantiateContract, gasLimit: number) =>
    client.prepareAndSign([msg], {
      gasLimit,
      explicitSignerData: { accountNumber: s.accountNumber, sequence: s.sequence++, chainId: node.chainId },
    });
  const stored = await deliverOne(
    node,
    await sign(
      new MsgStoreCode({ sender: wallet.address, wasm_byte_code: snip20Gz, source: "", builder: "" }),
      5_000_000,
    ),
  );
  const codeId = Number(attribute(stored, "message", "code_id"));
  const initial = [{ address: wallet.address, amount: "1000000000000" }];
  for (let i = 0; i < INITIAL_HOLDERS; i++) initial.push({ address: holderAddress(i), amount: "1000" });
  const init_msg = { name: "Bench Token", symbol: "BNCH", decimals: 6, initial_balances: initial };
  const inst = await deliverOne(
    node,
    await sign(
      new MsgInstantiateContract({
        sender: wallet.address,
        code_id: codeId,
        code_hash: snip20Hash,
        label: "bench",
        init_msg: { ...init_msg, prng_seed: "c2VlZA==" },
      }),
      20_000_000,
    ),
  );
  s.address = attribute(inst, "message", "contract_address") ?? "";
  if (!s.address.startsWith("secret1")) throw new Error("no contract address");
  return s;
}

/** K encrypted transfers to distinct recipients (new holders), each a secretjs-signed tx. */
export async function signTransfers(node: Node, s: Snip20, k: number): Promise<Uint8Array[]> {
  const sender = s.client.address;
  const txs: Uint8Array[] = [];
  for (let i = 0; i < k; i++) {
    const msg = new MsgExecuteContract({
      sender,
      contract_address: s.address,
      code_hash: snip20Hash,
      msg: { transfer: { recipient: holderAddress(1_000_000_000 + i), amount: "1" } },
      sent_funds: [],
    });
    txs.push(
      await s.client.prepareAndSign([msg], {
        gasLimit: 500_000,
        explicitSignerData: { accountNumber: s.accountNumber, sequence: s.sequence++, chainId: node.chainId },
      }),
    );
  }
  return txs;
}
