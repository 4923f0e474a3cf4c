// A do-nothing ABCI app over our own socket server (src/consensus/abciServer.ts), for the floor bench's `socket`
// mode: CometBFT pays its ABCI socket client (framing, the flush-timer spin) as with a real node, and this
// process's CPU is the floor of our side's socket + codec work; with `grpc`, the same over our gRPC server
// (src/consensus/grpcServer.ts). Run: node --import tsx noopApp.ts <port|unix:///path> [socket|grpc].
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

// <port> (TCP on 127.0.0.1) or a listen address such as unix:///path/abci.sock.
const where = process.argv[2] ?? "";
const address = /^\d+$/.test(where) ? `tcp://127.0.0.1:${where}` : where;
const transport = process.argv[3] ?? "socket";
if (address === "" || (transport !== "socket" && transport !== "grpc"))
  throw new Error("usage: noopApp.ts <port|unix:///path> [socket|grpc]");

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
if (transport === "grpc") await startAbciGrpcServer(app, address, { onError });
else await startAbciServer(app, address, { onError });
// A normal exit on SIGTERM, so that `--cpu-prof` writes its profile (floorNet.ts appProfDir).
process.once("SIGTERM", () => {
  process.exit(0);
});
