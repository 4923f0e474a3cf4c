// A minimal ABCI socket client for tests: implements AbciApplication by sending each call as a framed
// protobuf Request over one TCP connection and awaiting the Response (answers arrive FIFO, CometBFT framing).
import { connect, type Socket } from "node:net";
import { BinaryWriter } from "cosmjs-types/binary";
import {
  Request,
  Response,
  type RequestCheckTx,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import { frame, readUvarint } from "../../src/consensus/abciServer.js";

export class AbciSocketClient implements AbciApplication {
  private buf = new Uint8Array();
  private readonly waiting: { resolve: (r: Response) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly sock: Socket) {
    sock.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const lv = readUvarint(this.buf, 0);
        if (!lv || lv[0] + lv[1] > this.buf.length) break;
        const res = Response.decode(this.buf.subarray(lv[1], lv[1] + lv[0]));
        this.buf = this.buf.subarray(lv[1] + lv[0]);
        this.waiting.shift()?.resolve(res);
      }
    });
    sock.on("close", () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error("ABCI connection closed"));
    });
  }

  static async connect(port: number): Promise<AbciSocketClient> {
    const sock = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", resolve);
      sock.once("error", reject);
    });
    return new AbciSocketClient(sock);
  }

  private async call(req: Request): Promise<Response> {
    const p = new Promise<Response>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.sock.write(frame(Request.encode(req, BinaryWriter.create()).finish()));
    const res = await p;
    if (res.exception) throw new Error(`ABCI exception: ${res.exception.error}`);
    return res;
  }

  close(): void {
    this.sock.destroy();
  }

  async info(r: RequestInfo): Promise<ResponseInfo> {
    return (await this.call(Request.fromPartial({ info: r }))).info!;
  }
  async initChain(r: RequestInitChain): Promise<ResponseInitChain> {
    return (await this.call(Request.fromPartial({ initChain: r }))).initChain!;
  }
  async checkTx(r: RequestCheckTx): Promise<ResponseCheckTx> {
    return (await this.call(Request.fromPartial({ checkTx: r }))).checkTx!;
  }
  async prepareProposal(r: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    return (await this.call(Request.fromPartial({ prepareProposal: r }))).prepareProposal!;
  }
  async processProposal(r: RequestProcessProposal): Promise<ResponseProcessProposal> {
    return (await this.call(Request.fromPartial({ processProposal: r }))).processProposal!;
  }
  async finalizeBlock(r: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    return (await this.call(Request.fromPartial({ finalizeBlock: r }))).finalizeBlock!;
  }
  async commit(): Promise<ResponseCommit> {
    return (await this.call(Request.fromPartial({ commit: {} }))).commit!;
  }
  async query(r: RequestQuery): Promise<ResponseQuery> {
    return (await this.call(Request.fromPartial({ query: r }))).query!;
  }
}
