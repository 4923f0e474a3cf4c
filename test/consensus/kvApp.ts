// A small but real ABCI 2.0 application for exercising the socket server against CometBFT itself:
// txs are "key=value"; the app hash is sha256 over the sorted state. Not a stand-in for the chain.
import { createHash } from "node:crypto";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";

export class KvApp implements AbciApplication {
  readonly state = new Map<string, string>();
  height = 0n;
  appHash: Uint8Array = new Uint8Array();
  readonly calls: string[] = [];
  /** Reject the next proposal (a test forcing CometBFT into round 1); the heights rejected so far. */
  rejectNextProposal = false;
  readonly rejectedAt: bigint[] = [];
  private pending = new Map<string, string>();

  private hash(m: Map<string, string>): Uint8Array {
    const h = createHash("sha256");
    for (const k of [...m.keys()].sort()) h.update(`${k}=${m.get(k) ?? ""};`);
    return new Uint8Array(h.digest());
  }
  info() {
    this.calls.push("info");
    return {
      data: "kv",
      version: "1",
      appVersion: 1n,
      lastBlockHeight: this.height,
      lastBlockAppHash: this.appHash,
    };
  }
  initChain() {
    this.calls.push("initChain");
    return { validators: [], appHash: this.appHash };
  }
  checkTx(req: { tx: Uint8Array }) {
    this.calls.push("checkTx");
    const ok = /^[^=]+=.*$/.test(Buffer.from(req.tx).toString());
    return {
      code: ok ? 0 : 1,
      data: new Uint8Array(),
      log: ok ? "" : "bad tx",
      info: "",
      gasWanted: 1n,
      gasUsed: 0n,
      events: [],
      codespace: "",
    };
  }
  prepareProposal(req: { txs: Uint8Array[] }) {
    this.calls.push("prepareProposal");
    return { txs: req.txs };
  }
  processProposal(req: { height: bigint } = { height: 0n }) {
    this.calls.push("processProposal");
    if (this.rejectNextProposal) {
      this.rejectNextProposal = false;
      this.rejectedAt.push(req.height);
      return { status: 2 }; // REJECT: CometBFT prevotes nil and the height goes to round 1
    }
    return { status: 1 }; // ACCEPT
  }
  finalizeBlock(req: { txs: Uint8Array[]; height: bigint }) {
    this.calls.push("finalizeBlock");
    this.pending = new Map(this.state);
    const txResults = req.txs.map((tx) => {
      const [k, v] = Buffer.from(tx).toString().split("=", 2);
      this.pending.set(k!, v ?? "");
      return {
        code: 0,
        data: Buffer.from(v ?? ""),
        log: "",
        info: "",
        gasWanted: 1n,
        gasUsed: 1n,
        events: [{ type: "kv", attributes: [{ key: "key", value: k!, index: true }] }],
        codespace: "",
      };
    });
    this.height = req.height;
    return {
      events: [{ type: "block", attributes: [{ key: "txs", value: String(req.txs.length), index: false }] }],
      txResults,
      validatorUpdates: [],
      appHash: this.hash(this.pending),
    };
  }
  commit() {
    this.calls.push("commit");
    this.state.clear();
    for (const [k, v] of this.pending) this.state.set(k, v);
    this.appHash = this.hash(this.state);
    return { retainHeight: 0n };
  }
  query(req: { data: Uint8Array }) {
    this.calls.push("query");
    const v = this.state.get(Buffer.from(req.data).toString());
    return {
      code: v === undefined ? 1 : 0,
      log: "",
      info: "",
      index: 0n,
      key: req.data,
      value: Buffer.from(v ?? ""),
      height: this.height,
      codespace: "",
    };
  }
}
