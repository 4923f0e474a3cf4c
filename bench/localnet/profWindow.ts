// bench:localnet --node-prof: keeps only the measured load window of the nodes' whole-life `--cpu-prof` profiles.
// V8 stamps samples with the monotonic clock (CLOCK_MONOTONIC on Linux, like process.hrtime), so the bench's
// hrtime bounds of the load cut every thread's profile. Run: node --import tsx bench/localnet/profWindow.ts DIR
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const WINDOW_FILE = "window.json";

/** Records the load window (monotonic ns from process.hrtime.bigint) for a later cut. */
export function writeWindow(dir: string, fromNs: bigint, toNs: bigint): void {
  // The nodes create their own DIR/node<i> only when they exit, after this: DIR may not exist yet.
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, WINDOW_FILE),
    JSON.stringify({ fromUs: Number(fromNs / 1000n), toUs: Number(toNs / 1000n) }),
  );
}

/** The profile's samples inside [fromUs, toUs], as a profile of its own (nodes kept, times rebased). */
export function cutProfile(p: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  const samples: number[] = [];
  const deltas: number[] = [];
  let t = p.startTime;
  let last: number | undefined;
  p.samples.forEach((s, i) => {
    t += p.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) return;
    deltas.push(last === undefined ? 0 : t - last);
    samples.push(s);
    last = t;
  });
  return { ...p, startTime: fromUs, endTime: toUs, samples, timeDeltas: deltas };
}

/** Self time in ms by function (name, file:line), the top n. */
function selfTop(p: CpuProfile, n: number): string[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const ms = new Map<string, number>();
  p.samples.forEach((s, i) => {
    const f = byId.get(s)?.callFrame;
    if (f === undefined) return;
    const k = `${f.functionName || "(anon)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber}`;
    ms.set(k, (ms.get(k) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  });
  return [...ms]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${k}`);
}

function main(dir: string): void {
  const w = JSON.parse(readFileSync(join(dir, WINDOW_FILE), "utf8")) as { fromUs: number; toUs: number };
  for (const sub of readdirSync(dir)) {
    const d = join(dir, sub);
    if (!statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d).filter((x) => x.endsWith(".cpuprofile") && !x.includes(".window."))) {
      const p = JSON.parse(readFileSync(join(d, f), "utf8")) as CpuProfile;
      const cut = cutProfile(p, w.fromUs, w.toUs);
      const out = join(d, f.replace(/\.cpuprofile$/, ".window.cpuprofile"));
      writeFileSync(out, JSON.stringify(cut));
      const idle = new Set(p.nodes.filter((x) => x.callFrame.functionName === "(idle)").map((x) => x.id));
      const busy = cut.samples.filter((s) => !idle.has(s));
      console.log(`${out}: ${cut.samples.length} samples in the window, ${busy.length} not idle`);
      for (const line of selfTop(cut, 12)) console.log(line);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ""))) {
  main(process.argv[2] ?? ".");
}
