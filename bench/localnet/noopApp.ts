// A do-nothing ABCI app over our own socket server (src/consensus/abciServer.ts), for the floor bench's `socket`
// mode: CometBFT pays its ABCI socket client (framing, the flush-timer spin) as with a real node, and this
// process's CPU is the floor of our side's socket + codec work; with `grpc`, the same over our gRPC server
// (src/consensus/grpcServer.ts). Run: node --import tsx noopApp.ts <port> [socket|grpc].
import { startAbciServer } from "../../src/consensus/abciServer.js";
import { startAbciGrpcServer } from "../../src/consensus/grpcServer.js";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import {
  ExecTxResult,
  ResponseCheckTx,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponsePrepareProposal,
  ResponseProcessProposal_ProposalStatus,
  ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";

const port = Number(process.argv[2]);
const transport = process.argv[3] ?? "socket";
if (!Number.isInteger(port) || port <= 0 || (transport !== "socket" && transport !== "grpc"))
  throw new Error("usage: noopApp.ts <port> [socket|grpc]");

/** Every tx accepted with code 0 and no data, events or gas, as CometBFT's BaseApplication answers. */
const app: AbciApplication = {
  info: () => ResponseInfo.fromPartial({}),
  initChain: () => ResponseInitChain.fromPartial({}),
  checkTx: () => ResponseCheckTx.fromPartial({ code: 0 }),
  // BaseApplication.PrepareProposal: the mempool's txs in order, up to max_tx_bytes.
  prepareProposal: (req) => {
    const txs: Uint8Array[] = [];
    let total = 0n;
    for (const tx of req.txs) {
      total += BigInt(tx.length);
      if (total > req.maxTxBytes) break;
      txs.push(tx);
    }
    return ResponsePrepareProposal.fromPartial({ txs });
  },
  processProposal: () => ({ status: ResponseProcessProposal_ProposalStatus.ACCEPT }),
  finalizeBlock: (req) =>
    ResponseFinalizeBlock.fromPartial({
      txResults: req.txs.map(() => ExecTxResult.fromPartial({ code: 0 })),
    }),
  commit: () => ResponseCommit.fromPartial({}),
  query: () => ResponseQuery.fromPartial({}),
};

const onError = (m: string): void => {
  process.stderr.write(`noopApp: ${m}\n`);
};
if (transport === "grpc") await startAbciGrpcServer(app, `tcp://127.0.0.1:${port}`, { onError });
else await startAbciServer(app, `tcp://127.0.0.1:${port}`, { onError });
