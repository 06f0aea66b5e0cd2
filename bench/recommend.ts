/**
 * Recommendation benchmark: every strategy against the same simulated OOM kills, judged on the next 7 days.
 *   npm run bench:recommend                 table on stdout
 *   npm run bench:recommend -- --json       one JSON document
 *   options: --instances N (per family, default 200), --seed S (default 1)
 * Deterministic: the same seed gives the same table.
 */
import { FAMILY_NAMES } from './simulator/families';
import { simulate } from './simulator/simulate';
import { STRATEGIES, type StrategyName, propose } from './simulator/strategies';

interface Row {
  strategy: StrategyName;
  family: string;
  oomFreeRate: number;
  overprovisionMedian: number;
  overprovisionP90: number;
  leakDetectionRate: number | null;
  nextKillErrorMedian: number | null;
  instances: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) ? v : fallback;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

const round = (n: number, d = 3): number => Math.round(n * 10 ** d) / 10 ** d;

export function runBench(instances: number, seed: number): Row[] {
  const rows: Row[] = [];
  for (const [fi, family] of FAMILY_NAMES.entries()) {
    const leakFamily = family.includes('leak');
    const acc = new Map<StrategyName, { free: number; over: number[]; detected: number; errors: number[] }>();
    for (const s of STRATEGIES) acc.set(s, { free: 0, over: [], detected: 0, errors: [] });
    let n = 0;
    for (let k = 0; n < instances && k < instances * 5; k++) {
      const inst = simulate(family, (seed * 1_000_003 + fi * 100_003 + k * 7919) >>> 0);
      if (!inst) continue;
      n++;
      for (const s of STRATEGIES) {
        const a = acc.get(s)!;
        const p = propose(s, inst.obs);
        if (inst.firstKillHours(p.memory) === null) a.free++;
        a.over.push(p.memory / inst.oracle);
        if (s === 'project' && leakFamily) {
          if (p.analysis?.pattern === 'leak') a.detected++;
          if (p.nextKillHours !== null && p.nextKillHours !== undefined) {
            const actual = inst.hoursToReach(p.memory);
            if (actual !== null && actual > 0) a.errors.push(Math.abs(p.nextKillHours - actual) / actual);
          }
        }
      }
    }
    for (const s of STRATEGIES) {
      const a = acc.get(s)!;
      rows.push({
        strategy: s,
        family,
        oomFreeRate: round(a.free / n),
        overprovisionMedian: round(quantile(a.over, 0.5)),
        overprovisionP90: round(quantile(a.over, 0.9)),
        leakDetectionRate: s === 'project' && leakFamily ? round(a.detected / n) : null,
        nextKillErrorMedian: s === 'project' && leakFamily && a.errors.length > 0 ? round(quantile(a.errors, 0.5)) : null,
        instances: n,
      });
    }
  }
  return rows;
}

function table(rows: Row[]): string {
  const head = ['family', 'strategy', 'OOM-free', 'over median', 'over p90', 'leak detected', 'next-kill err'];
  const lines = rows.map((r) => [
    r.family,
    r.strategy,
    `${(r.oomFreeRate * 100).toFixed(1)}%`,
    `${r.overprovisionMedian.toFixed(2)}x`,
    `${r.overprovisionP90.toFixed(2)}x`,
    r.leakDetectionRate === null ? '-' : `${(r.leakDetectionRate * 100).toFixed(1)}%`,
    r.nextKillErrorMedian === null ? '-' : `${(r.nextKillErrorMedian * 100).toFixed(1)}%`,
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] as string).length)));
  const fmt = (l: string[]): string => `| ${l.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [fmt(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(fmt)].join('\n');
}

function main(): void {
  const instances = arg('--instances', 200);
  const seed = arg('--seed', 1);
  const started = Date.now();
  const rows = runBench(instances, seed);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ results: rows })}\n`);
    return;
  }
  process.stdout.write(`${table(rows)}\n\n${instances.toString()} instances per family, seed ${seed.toString()}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) main();
