// A small CPU profile of one benchmark variant through node:inspector (in-process, no flags): where the
// time of an execution goes, by function and by file. Bench-only (../vmBench.ts --profile).
import { Session } from "node:inspector/promises";

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
}

export interface ProfileRow {
  readonly name: string;
  readonly share: number;
}

/** Shortens a frame's url: project-relative path, "wasm (contract)" for compiled contract code. */
function place(url: string): string {
  if (url.startsWith("wasm://")) return "wasm (contract code)";
  if (url === "") return "(native / V8)";
  const i = url.indexOf("/src/");
  if (i >= 0) return url.slice(i + 1);
  const n = url.indexOf("/node_modules/");
  return n >= 0 ? url.slice(n + 14) : url.replace(/^file:\/\//, "");
}

function top(map: Map<string, number>, total: number, count: number): ProfileRow[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([name, hits]) => ({ name, share: hits / total }));
}

/** A stage to attribute inclusive time to: frames named `fn` in a file whose path contains `file`. */
export interface Stage {
  readonly label: string;
  readonly fn: string;
  readonly file: string;
}

/** Inclusive share of each stage: samples with at least one matching frame on their stack. */
function inclusive(profile: Profile, stages: readonly Stage[], total: number): ProfileRow[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<string, number>(stages.map((s) => [s.label, 0]));
  for (const n of profile.nodes) {
    const h = n.hitCount ?? 0;
    if (h === 0 || n.callFrame.functionName === "(idle)") continue;
    const seen = new Set<string>();
    for (let cur: ProfileNode | undefined = n; cur; cur = byId.get(parent.get(cur.id) ?? -1)) {
      for (const s of stages) {
        if (cur.callFrame.functionName === s.fn && cur.callFrame.url.includes(s.file)) seen.add(s.label);
      }
    }
    for (const l of seen) hits.set(l, hits.get(l)! + h);
  }
  return stages.map((s) => ({ name: s.label, share: hits.get(s.label)! / total }));
}

/** Samples `run` for about `ms`: top functions and files by self time, stages by inclusive time (shares). */
export async function profileRun(
  run: () => void,
  ms: number,
  stages: readonly Stage[],
  count = 15,
): Promise<{ byFunction: ProfileRow[]; byFile: ProfileRow[]; byStage: ProfileRow[]; runs: number }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    run();
    runs++;
  }
  const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
  session.disconnect();
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0 || n.callFrame.functionName === "(idle)") continue;
    const file = place(n.callFrame.url);
    const fn = file.startsWith("wasm")
      ? file
      : `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
    total += hits;
  }
  return {
    byFunction: top(byFunction, total, count),
    byFile: top(byFile, total, count),
    byStage: inclusive(profile, stages, total),
    runs,
  };
}
