// The test signer of a tree (its secretjs-backed signer, test account A and chain id), loaded from that tree's
// sources: the two-tree A/B benches (txPathAB.ts, proposalAB.ts) sign their txs once, with the new tree's.
import { resolve } from "node:path";

export interface TreeSigner {
  /** Account A's signer (MNEMONIC_A). */
  readonly a: {
    address: string;
    signDeterministic(msgs: unknown[], s: object, o?: object): Promise<Uint8Array>;
  };
  readonly chainId: string;
}

export async function loadTreeSigner(dir: string): Promise<TreeSigner> {
  const root = resolve(dir);
  const { makeSigner } = (await import(`${root}/src/chain/tx/testdata/secretjsSigner.ts`)) as {
    makeSigner: (m: string) => TreeSigner["a"];
  };
  const { MNEMONIC_A, TEST_CHAIN_ID } = (await import(`${root}/src/chain/tx/testdata/testHarness.ts`)) as {
    MNEMONIC_A: string;
    TEST_CHAIN_ID: string;
  };
  return { a: makeSigner(MNEMONIC_A), chainId: TEST_CHAIN_ID };
}
