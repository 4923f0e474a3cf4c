// Timing helpers for the VM benchmark (../vmBench.ts): interleaved time slices over several variants,
// medians, and a cache-busting custom section so V8 really compiles a module again. Bench-only code.

/** One thing to measure: `run` performs exactly one execution and throws if it went wrong. */
export interface Variant {
  readonly id: string;
  readonly run: () => void;
}

export interface SliceOptions {
  /** Slices counted in the result (each runs every variant once, in a rotated order). */
  readonly slices: number;
  /** Wall time per variant per slice. */
  readonly sliceMs: number;
  /** Untimed slices first (V8 tier-up of the contract code, JIT of our JS). */
  readonly warmupSlices: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs `v` repeatedly for about `ms`; returns executions per wall second and per CPU second of the whole
 * process (user + system, GC threads included). CPU time does not count waiting for a core, so it is the
 * steadier measure on this loaded shared box.
 */
function slice(v: Variant, ms: number): { wall: number; cpu: number } {
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    v.run();
    n++;
    t = performance.now();
  }
  const c = process.cpuUsage(c0);
  return { wall: (n * 1000) / (t - t0), cpu: (n * 1e6) / Math.max(1, c.user + c.system) };
}

/**
 * Interleaves the variants: slice i runs them starting at variant i (mod count), so machine noise on this
 * shared box lands on every variant alike. Returns executions per wall second per slice for each variant id;
 * `cpu`, when given, receives executions per CPU second the same way.
 */
export function runSlices(
  variants: readonly Variant[],
  opts: SliceOptions,
  cpu?: Map<string, number[]>,
): Map<string, number[]> {
  const out = new Map<string, number[]>(variants.map((v) => [v.id, []]));
  for (const v of variants) cpu?.set(v.id, []);
  const total = opts.warmupSlices + opts.slices;
  for (let i = 0; i < total; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(i + k) % variants.length]!;
      const rate = slice(v, opts.sliceMs);
      if (i < opts.warmupSlices) continue;
      out.get(v.id)!.push(rate.wall);
      cpu?.get(v.id)!.push(rate.cpu);
    }
  }
  return out;
}

/** Time of `a` over time of `b` per execution, alternated execution by execution (see `runAlternating`). */
export interface PairRatios {
  /** Per counted slice: (a's summed time / its executions) / (b's summed time / its executions). */
  readonly wall: number[];
  readonly cpu: number[];
  /** The same over all counted slices at once (ratio of totals). */
  readonly totalWall: number;
  readonly totalCpu: number;
  /** Executions of each variant in the counted slices. */
  readonly executions: number;
  /** Median wall time of one execution of a over that of b: what a call costs without collector pauses. */
  readonly medianWall: number;
}

/**
 * Runs `a` and `b` alternately, one execution at a time (a b, b a, a b, …), for about 2 × `sliceMs` per slice,
 * timing each execution alone (wall, and CPU of the whole process, GC threads included). Both variants then
 * share every moment of the run: the machine's load, the heap the collector must mark, the collector's
 * background work. What separate slices cannot give: when `a` and `b` each allocate a fresh 1 MiB wasm memory
 * per call, the collector's cost dwarfs their difference and depends on when a slice ran.
 */
export function runAlternating(a: Variant, b: Variant, opts: SliceOptions): PairRatios {
  const wall: number[] = [];
  const cpu: number[] = [];
  const all = { a: new Sums(), b: new Sums() };
  for (let i = 0; i < opts.warmupSlices + opts.slices; i++) {
    const s = { a: new Sums(), b: new Sums() };
    const t0 = performance.now();
    for (let k = 0; performance.now() - t0 < 2 * opts.sliceMs; k++) {
      const aFirst = k % 2 === 0; // alternate who goes first, so neither always runs right after the other
      if (aFirst) s.a.time(a);
      s.b.time(b);
      if (!aFirst) s.a.time(a);
    }
    if (i < opts.warmupSlices) continue;
    wall.push(s.a.wallPerRun() / s.b.wallPerRun());
    cpu.push(s.a.cpuPerRun() / s.b.cpuPerRun());
    all.a.add(s.a);
    all.b.add(s.b);
  }
  return {
    wall,
    cpu,
    totalWall: all.a.wallPerRun() / all.b.wallPerRun(),
    totalCpu: all.a.cpuPerRun() / all.b.cpuPerRun(),
    executions: Math.min(all.a.runs, all.b.runs),
    medianWall: median(all.a.walls) / median(all.b.walls),
  };
}

/** Summed wall ms and process CPU µs of timed executions. */
class Sums {
  wall = 0;
  cpu = 0;
  runs = 0;
  readonly walls: number[] = [];
  time(v: Variant): void {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    v.run();
    const w = performance.now() - w0;
    const c = process.cpuUsage(c0);
    this.wall += w;
    this.walls.push(w);
    this.cpu += c.user + c.system;
    this.runs++;
  }
  add(o: Sums): void {
    this.wall += o.wall;
    this.walls.push(...o.walls);
    this.cpu += o.cpu;
    this.runs += o.runs;
  }
  wallPerRun(): number {
    return this.wall / Math.max(1, this.runs);
  }
  cpuPerRun(): number {
    return Math.max(1, this.cpu) / Math.max(1, this.runs);
  }
}

/** Median wall time in ms of `runs` calls of `fn` (each call timed alone). */
export function medianMs(fn: (i: number) => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

function leb128(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? b : b | 0x80);
  } while (v !== 0);
  return out;
}

/**
 * `wasm` plus a custom section "shroud-bench" holding `n`: the same code under different bytes, so V8's
 * per-isolate module cache (keyed by the bytes) cannot hand back an earlier compilation.
 */
export function withCacheBust(wasm: Uint8Array, n: number): Uint8Array {
  const name = new TextEncoder().encode("shroud-bench");
  const payload = [...leb128(name.length), ...name, ...leb128(n)];
  const section = [0, ...leb128(payload.length), ...payload];
  const out = new Uint8Array(wasm.length + section.length);
  out.set(wasm);
  out.set(section, wasm.length);
  return out;
}
