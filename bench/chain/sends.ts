// Signed bank sends for the chain benches (bench/chain.ts, largeSends.ts, heapProbe.ts): one sender, dev account
// a, with sequences 0..k-1 (CheckTx keeps them in order), each sending 1uscrt to a funded holder.
import { MsgSend } from "secretjs";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { holderAddress, type Node } from "./setup.js";

/** `k` MsgSend txs to holders spread over `holders` (stride 7919, a prime: every holder before a repeat). */
export async function signSends(node: Node, k: number, holders: number): Promise<Uint8Array[]> {
  const a = makeSigner(DEV_MNEMONICS.a);
  const accountNumber = node.accountNumber(a.address);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < k; i++) {
    const msg = new MsgSend({
      from_address: a.address,
      to_address: holderAddress((i * 7919) % holders),
      amount: [{ denom: "uscrt", amount: "1" }],
    });
    txs.push(await a.signDeterministic([msg], { accountNumber, sequence: i, chainId: node.chainId }));
  }
  return txs;
}
