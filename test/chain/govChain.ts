// A ShroudApp chain with one bonded validator (the dev genesis validator key) for governance tests: secretjs-signed
// txs with tracked sequences, blocks on a test clock, and a helper that passes a proposal of raw messages.
import assert from "node:assert/strict";
import { MsgVote, VoteOption, type Msg } from "secretjs";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MsgSubmitProposal, MsgSubmitProposalResponse } from "cosmjs-types/cosmos/gov/v1/tx";
import type { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { ShroudApp } from "../../src/chain/app.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import type { Context } from "../../src/chain/tx/context.js";
import { buildDevGenesis, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner, type Signer } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { Ed25519Signer } from "../../src/consensus/votes.js";
import { GENESIS_TIME_NS, signNext, tempStore, type TempStore } from "./fixtures.js";
import { initChain, runHeight } from "./lifecycle.js";

export const SEC = 1_000_000_000n;
/** The dev genesis with its validator bonded (voting power for proposals). */
export const GOV_GENESIS = buildDevGenesis({
  genesisTimeNs: GENESIS_TIME_NS,
  nodeExchKey: new Uint8Array(32).fill(0xe1),
  ioExchKey: new Uint8Array(32).fill(0xe2),
  authorityPublicKeys: [],
  measurements: [],
  validatorPubKey: new Ed25519Signer(new Uint8Array(32).fill(9)).publicKey,
});
export const validatorSigner = makeSigner(DEV_MNEMONICS.validator);

/** secretjs has no class for some messages; its Msg interface is all prepareAndSign needs. */
export function rawMsg(m: Any): Msg {
  return {
    toProto: () => Promise.resolve({ type_url: m.typeUrl, value: {}, encode: () => m.value }),
    toAmino: () => Promise.reject(new Error("no amino form")),
  };
}

export class GovChain {
  readonly t: TempStore = tempStore();
  readonly app = new ShroudApp({ store: this.t.store });
  height = 1n;
  timeNs = GENESIS_TIME_NS;
  private readonly seq = new Map<string, number>();

  async start(): Promise<this> {
    await initChain(this.app, GOV_GENESIS);
    await this.block([]);
    return this;
  }

  close(): void {
    this.t.close();
  }

  async block(txs: Uint8Array[], advanceNs = SEC): Promise<ExecTxResult[]> {
    this.timeNs += advanceNs;
    return (await runHeight(this.app, this.height++, this.timeNs, txs)).finalize.txResults;
  }

  async sign(s: Signer, msg: Msg, gasLimit = 400_000): Promise<Uint8Array> {
    return signNext(this.app, this.seq, s, msg, GOV_GENESIS.chain_id, gasLimit);
  }

  /** Modules' keepers over the committed state. */
  ctx(): Context {
    return appContext(
      new MemoryOverlay(this.t.store.committed),
      GOV_GENESIS.chain_id,
      this.height,
      this.timeNs,
    );
  }

  /** Submits `messages` (10 SCRT deposit), the validator votes yes, 90 s pass: returns the final status. */
  async passProposal(messages: Any[]): Promise<ProposalStatus> {
    const v = validatorSigner;
    const submit = MsgSubmitProposal.encode({
      messages,
      initialDeposit: [{ denom: "uscrt", amount: "10000000" }],
      proposer: v.address,
      metadata: "",
      title: "proposal",
      summary: "test proposal",
      expedited: false,
    }).finish();
    const typeUrl = "/cosmos.gov.v1.MsgSubmitProposal";
    const [sub] = await this.block([await this.sign(v, rawMsg({ typeUrl, value: submit }), 2_000_000)]);
    assert.equal(sub?.code, 0, sub?.log);
    const any = TxMsgData.decode(sub.data).msgResponses[0];
    assert.ok(any !== undefined);
    const id = MsgSubmitProposalResponse.decode(any.value).proposalId;
    const vote = new MsgVote({
      proposal_id: id.toString(),
      voter: v.address,
      option: VoteOption.VOTE_OPTION_YES,
      metadata: "",
    });
    const [voted] = await this.block([await this.sign(v, vote)]);
    assert.equal(voted?.code, 0, voted?.log);
    await this.block([], 90n * SEC);
    const p = this.app.modules.pos.gov.keeper.getProposal(this.ctx(), id);
    assert.ok(p !== undefined);
    return p.status;
  }
}
