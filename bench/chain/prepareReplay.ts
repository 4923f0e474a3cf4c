// Prepared calls on the critical path, measured without the chain's noise: records K SNIP-20 execute ECALLs of
// a chain run (payloads and the host's OCALL answers, as bench/chain/enclaveReplay.ts does), then replays them
// in alternating rounds — unprepared, and with each call carrying the next one's prepareCall — checking every
// result and gas figure against the recording, and reports each round's median and mean execute-ECALL wall (the
// main thread's wait) and the enclave worker's CPU per transfer. After each call a `health` ECALL waits out any
// prepare still running, so an ECALL's wall holds only its own work, as when the host's gap covers the prepare.
// Run: node --import tsx bench/chain/prepareReplay.ts [--txs K] [--rounds R] [--verify-lane] [--only prepared|unprepared]
// (--only: every timed round of one kind, e.g. to profile the prepared path alone with perf)
import { ECALL, encodePrepareCall } from "../../src/enclave/api.js";
import { recordExecutes, replaying, resultKey } from "./ecallRecording.js";
import { startNode } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";

const K = arg("--txs", 1000);
const ROUNDS = arg("--rounds", 3);
const ONLY = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--only"));
if (ONLY !== undefined && ONLY !== "prepared" && ONLY !== "unprepared")
  throw new Error("--only prepared|unprepared");

const node = await startNode(1000);
try {
  const s = await deploySnip20(node);
  const txs = await signTransfers(node, s, K);
  const calls = await recordExecutes(node, () => runTxs(node, txs, 500), true);
  const ecall = node.enclave.ecall.bind(node.enclave);
  const health = new Uint8Array(0);
  const round = (prepared: boolean): number[] =>
    calls.map((c, n) => {
      const next = calls[n + 1];
      const then =
        prepared && next !== undefined
          ? { then: { id: ECALL.prepareCall, payload: encodePrepareCall("execute", next.payload) } }
          : {};
      const w0 = performance.now();
      const r = ecall("execute", c.payload, {
        ...(c.gasLimit === undefined ? {} : { gasLimit: c.gasLimit }),
        ocalls: replaying(c.answers).handler,
        ...then,
      });
      const wall = performance.now() - w0;
      if (resultKey(r) !== c.result || r.gasUsed !== c.gasUsed)
        throw new Error(`replay of call ${n} differs`);
      ecall("health", health);
      return wall;
    });
  round(false);
  round(true);
  const pid = String(process.pid);
  for (let k = 0; k < 2 * ROUNDS; k++) {
    const prepared = ONLY === undefined ? k % 2 === 1 : ONLY === "prepared";
    const t0 = threadNs();
    const walls = round(prepared);
    const worker = [...threadNs()]
      .filter(([tid]) => tid !== pid)
      .map(([tid, ns]) => (ns - (t0.get(tid) ?? ns)) / 1e6 / calls.length)
      .sort((a, b) => b - a)[0];
    const sorted = [...walls].sort((a, b) => a - b);
    const mean = walls.reduce((a, b) => a + b, 0) / walls.length;
    console.log(
      `${prepared ? "prepared  " : "unprepared"} execute ECALL wall median ${sorted[sorted.length >> 1]!.toFixed(3)} ` +
        `p25 ${sorted[sorted.length >> 2]!.toFixed(3)} mean ${mean.toFixed(3)} ms; enclave worker ${worker?.toFixed(3)} ms/transfer`,
    );
  }
} finally {
  await node.close();
}
