// Summarizes a `v8work.ts` run per round: TurboFan jobs and deopts per isolate (V8's per-isolate code traces),
// scavenges and mark-compacts per isolate (--trace-gc), and from `perf script` output the CPU of each thread role
// by activity (cpu-clock samples) or the ArrayBuffer backing stores allocated per role and site (uprobes).
// Run in the run's folder: node --import tsx bench/chain/v8report.ts log.txt [--perf perf.txt] [--period-ms 0.25]
import { createReadStream, readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

interface Round {
  start: number;
  end: number;
}

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const logFile = argv[0] ?? "log.txt";
const log = readFileSync(logFile, "utf8");
const K = Number(/--txs (\d+)/.exec(log)?.[1] ?? 1000);
const roles = new Map(
  (/^ROLES (.*)$/m.exec(log)?.[1] ?? "").split(" ").map((s) => s.split("=") as [string, string]),
);
const rounds: Round[] = [];
for (const m of log.matchAll(/^=== ROUND (\d+) (START|END) mono=(\d+)/gm)) {
  const r = (rounds[Number(m[1])] ??= { start: 0, end: 0 });
  r[m[2] === "START" ? "start" : "end"] = Number(m[3]) / 1e9;
}
const perTx = (n: number): string => (n / K).toFixed(3);

/** Lines between each round's START and END markers of a text (markers are written into every trace). */
function perRound(text: string): string[][] {
  const out: string[][] = rounds.map(() => []);
  let cur: string[] | undefined;
  for (const line of text.split("\n")) {
    const m = /^=== ROUND (\d+) (START|END)/.exec(line);
    if (m) cur = m[2] === "START" ? out[Number(m[1])] : undefined;
    else cur?.push(line);
  }
  return out;
}

/** Per isolate trace file: completed TurboFan jobs (count, background ms) and deopts, by round. */
function codeTraces(): void {
  console.log("TurboFan per isolate per round: jobs (background compile ms) / deopts; repeat deopts named");
  for (const f of readdirSync(".").filter((n) => /^code-\d+-\d+\.asm$/.test(n))) {
    const text = readFileSync(f, "latin1");
    const cells = perRound(text).map((lines) => {
      let jobs = 0;
      let ms = 0;
      let deopts = 0;
      for (const l of lines) {
        const c = /^\[completed compiling .* took [\d.]+, ([\d.]+), [\d.]+ ms\]/.exec(l);
        if (c) {
          jobs++;
          ms += Number(c[1]);
        }
        if (l.startsWith("[bailout (kind: deopt")) deopts++;
      }
      return `${jobs} (${ms.toFixed(1)} ms) / ${deopts}`;
    });
    const byFn = new Map<string, number>();
    for (const m of text.matchAll(/reason: ([^)]*)\): begin\. deoptimizing 0x[0-9a-f]+ <JSFunction (\S*)/g)) {
      const name = m[2] === undefined || m[2].startsWith("(") ? "<anonymous>" : m[2];
      const k = `${name} (${m[1] ?? "?"})`;
      byFn.set(k, (byFn.get(k) ?? 0) + 1);
    }
    const repeat = [...byFn].filter(([, n]) => n >= 3).map(([k, n]) => `${k} ×${n}`);
    console.log(`  ${f}: ${cells.join(" | ")}${repeat.length ? `; whole run: ${repeat.join(", ")}` : ""}`);
  }
}

/** --trace-gc lines per isolate address: scavenges and mark-compacts with their pause ms, by round. */
function gcTraces(): void {
  console.log("GC per isolate per round (main-thread pause ms): scavenges / mark-compacts");
  const by = new Map<string, { s: number; sMs: number; m: number; mMs: number }[]>();
  perRound(log).forEach((lines, r) => {
    for (const l of lines) {
      const g = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (Scavenge|Mark-Compact).*?MB, ([\d.]+) \//.exec(l);
      if (!g) continue;
      const cells = by.get(g[1]!) ?? rounds.map(() => ({ s: 0, sMs: 0, m: 0, mMs: 0 }));
      const c = cells[r]!;
      if (g[2] === "Scavenge") {
        c.s++;
        c.sMs += Number(g[3]);
      } else {
        c.m++;
        c.mMs += Number(g[3]);
      }
      by.set(g[1]!, cells);
    }
  });
  for (const [iso, cells] of by) {
    const text = cells.map((c) => `${c.s} (${c.sMs.toFixed(0)} ms) / ${c.m} (${c.mMs.toFixed(0)} ms)`);
    console.log(`  isolate ${iso}: ${text.join(" | ")}`);
  }
}

/** Activity of a cpu-clock sample from its call chain (leaf first); first matching rule wins. */
const ACTIVITIES: readonly (readonly [string, RegExp])[] = [
  ["TurboFan", /OptimizingCompileDispatcher|TurbofanCompilationJob|v8::internal::compiler::/],
  ["wasm compile", /wasm::.*Compil|Liftoff/],
  ["scavenge", /Scaveng/],
  ["ArrayBuffer sweep", /ArrayBufferSweeper/],
  ["sweep", /Sweeper|Sweep/],
  ["marking", /Marking/],
  ["compaction", /Evacuat|PointersUpdating|MarkCompactCollector/],
  ["malloc/free", /^(free|cfree\S*|_int_free|malloc|_int_malloc|malloc_consolidate|unlink_chunk\S*|calloc)$/],
];

function activity(frames: readonly string[]): string {
  for (const [name, re] of ACTIVITIES) if (frames.some((f) => re.test(f))) return name;
  const user = frames.find((f) => !f.startsWith("k:"));
  if (frames[0]?.startsWith("k:") === true) return `kernel (${user ?? "?"})`;
  if (user?.startsWith("JS:") === true) return "JS";
  return user?.startsWith("Builtins_") === true ? "JS builtins" : "other native";
}

interface Sample {
  tid: string;
  t: number;
  event: string;
  frames: string[];
}

async function* samples(file: string): AsyncGenerator<Sample> {
  let cur: Sample | undefined;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    const h = /^\s*(\d+)\s+([\d.]+):\s*(?:\S*?(\w+):)?\s*$/.exec(line);
    if (h) {
      if (cur) yield cur;
      cur = { tid: h[1]!, t: Number(h[2]), event: h[3] ?? "cpu-clock", frames: [] };
    } else if (cur) {
      const f = /^\s+([0-9a-f]+)\s+(.*)$/.exec(line);
      if (f) cur.frames.push((f[1]!.startsWith("ffffffff") ? "k:" : "") + f[2]!);
    }
  }
  if (cur) yield cur;
}

/** The allocating JS frames of an ArrayBuffer: the first three outside node's own Buffer/crypto internals. */
function site(frames: readonly string[]): string {
  const js = frames
    .filter((f) => f.startsWith("JS:"))
    .map((f) => f.replace(/^JS:[*~^+]?/, "").replace(/ file:\/\/\S*?\/(src|bench|node_modules)\//, " $1/"));
  const own = js.findIndex((f) => !/ node:/.test(f));
  return js.slice(Math.max(0, own - 1), own + 1).join(" < ") || (frames[1] ?? "?");
}

async function perfReport(file: string, periodMs: number): Promise<void> {
  const cells = new Map<string, number[]>();
  const sites = new Map<string, number>();
  const add = (k: string, r: number, n: number): void => {
    const a = cells.get(k) ?? rounds.map(() => 0);
    a[r]! += n;
    cells.set(k, a);
  };
  for await (const s of samples(file)) {
    const r = rounds.findIndex((x) => s.t >= x.start && s.t <= x.end);
    if (r < 0) continue;
    const role = roles.get(s.tid) ?? "later";
    if (s.event === "cpu-clock") {
      add(`${role} | total`, r, periodMs);
      add(`${role} | ${activity(s.frames)}`, r, periodMs);
    } else {
      add(`${role} | ${s.event}`, r, 1);
      if (r === 0 && /alloc/i.test(s.event)) {
        const k = `${role} | ${site(s.frames)}`;
        sites.set(k, (sites.get(k) ?? 0) + 1);
      }
    }
  }
  console.log("perf per role per round (cpu-clock: ms per tx; probes: events per tx)");
  for (const [k, a] of [...cells].sort((x, y) => x[0].localeCompare(y[0]))) {
    if (a.reduce((x, y) => x + y, 0) / rounds.length / K >= 0.003)
      console.log(`  ${k}: ${a.map(perTx).join(" | ")}`);
  }
  if (sites.size > 0) console.log("ArrayBuffer allocation sites, round 0 (per tx)");
  for (const [k, n] of [...sites].sort((x, y) => y[1] - x[1]).slice(0, 40)) console.log(`  ${perTx(n)} ${k}`);
}

console.log(`${rounds.length} rounds of ${K} transfers; roles: ${[...new Set(roles.values())].join(", ")}`);
codeTraces();
gcTraces();
const perf = opt("--perf");
if (perf !== undefined) await perfReport(perf, Number(opt("--period-ms") ?? 0.25));
