import { describe, expect, it } from 'vitest';
import { type FrontierSample, flatFrontier, judge, KNOWN_PARAMS_QUANTILES, knownParamsYardstick, runBench } from '../bench/recommend';
import { FAMILY_NAMES } from '../bench/simulator/families';
import { Rng } from '../bench/simulator/random';
import { simulate } from '../bench/simulator/simulate';
import { STRATEGIES, type StrategyName, propose } from '../bench/simulator/strategies';

describe('bench simulator', () => {
  it('the PRNG is deterministic per seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Rng(43).next()).not.toBe(xs[0]);
  });

  it('gives the same instance for the same seed', () => {
    const a = simulate('sudden-spikes', 7);
    const b = simulate('sudden-spikes', 7);
    expect(a?.obs.points).toEqual(b?.obs.points);
    expect(a?.oracle).toBe(b?.oracle);
  });

  it('shows the strategies a censored CloudWatch view that ends at the kill', () => {
    for (const family of FAMILY_NAMES) {
      for (let seed = 1; seed <= 5; seed++) {
        const inst = simulate(family, seed * 31);
        if (!inst) continue;
        const { obs } = inst;
        // A kill within the first minute leaves no points: a real case (no metrics), handled by every strategy.
        for (const p of obs.points) expect(p.t).toBeLessThanOrEqual(obs.killTime);
        if (obs.scope === 'container') {
          for (const p of obs.points) {
            expect(p.maxMiB ?? 0).toBeLessThanOrEqual(obs.limit);
            expect(p.avgMiB ?? 0).toBeLessThanOrEqual(obs.limit);
          }
        }
        // The old limit is killed again in the next 7 days, unless the future happens to stay lower.
        expect(inst.oracle).toBeGreaterThan(0);
        for (const s of STRATEGIES) expect(propose(s, obs).memory).toBeGreaterThan(0);
      }
    }
  });

  it('leaks grow until they reach a limit, and later for a bigger one', () => {
    const inst = simulate('fast-leak', 11)!;
    const h1 = inst.hoursToReach(inst.obs.limit)!;
    const h2 = inst.hoursToReach(inst.obs.limit * 1.5)!;
    expect(h1).toBeGreaterThan(0);
    expect(h2).toBeGreaterThan(h1);
  });

  it('produces one row per strategy and family with rates in 0..1', () => {
    const rows = runBench(3, 1);
    expect(rows).toHaveLength(STRATEGIES.length * FAMILY_NAMES.length);
    for (const r of rows) {
      expect(r.oomFreeRate).toBeGreaterThanOrEqual(0);
      expect(r.oomFreeRate).toBeLessThanOrEqual(1);
      expect(r.overprovisionMedian).toBeGreaterThan(0);
      expect(r.leakDetectionRate === null).toBe(!(r.strategy === 'project' && r.family.includes('leak')));
    }
  });

  it('judges the issue-3 targets: safe peers on both axes, unsafe peers on OOM-free, strictly better on one', () => {
    const row = (strategy: 'project' | 'vpa' | 'krr', family: string, oomFreeRate: number, overprovisionMedian: number, leak: number | null = null) => ({
      strategy, family, oomFreeRate, overprovisionMedian, overprovisionP90: overprovisionMedian, leakDetectionRate: leak, nextKillErrorMedian: null, instances: 200,
    });
    const t = judge([
      row('project', 'a', 1, 1.12), row('vpa', 'a', 0.99, 1.1), row('krr', 'a', 0.5, 0.9),
      row('project', 'b', 1, 1.05), row('vpa', 'b', 0.99, 1.1), row('krr', 'b', 0.5, 0.9),
      row('project', 'x-leak', 0.3, 0.9, 0.96), row('vpa', 'x-leak', 0.2, 0.8), row('krr', 'x-leak', 0.1, 0.7),
    ]);
    expect(t.find((f) => f.family === 'a')?.pass).toBe(false); // safe vpa has less over-provisioning
    expect(t.find((f) => f.family === 'a')?.peers.find((p) => p.peer === 'vpa')).toMatchObject({ peerSafe: true, atLeastAsGood: false, strictlyBetter: true });
    expect(t.find((f) => f.family === 'b')?.pass).toBe(true);
    expect(t.find((f) => f.family === 'x-leak')).toMatchObject({ leakFamily: true, leakDetection: true, pass: true });
  });
  it('the hindsight flat-rule yardstick: the smallest factor reaching 99 % OOM-free, and the one as safe as the project', () => {
    const samples = new Map<string, FrontierSample[]>();
    const rows = flatFrontier(samples, runBench(20, 1, samples));
    expect(rows.map((r) => r.family)).toEqual(FAMILY_NAMES.filter((f) => !f.includes('leak')));
    for (const r of rows) {
      expect(r.at99).not.toBeNull();
      expect(r.at99!.oomFreeRate).toBeGreaterThanOrEqual(0.99);
      expect(r.at99!.factor).toBeGreaterThanOrEqual(1);
      expect(r.atProject!.oomFreeRate).toBeGreaterThanOrEqual(r.project.oomFreeRate);
      // One scan upwards: the safer target is reached at the larger factor.
      if (r.project.oomFreeRate >= 0.99) expect(r.atProject!.factor).toBeGreaterThanOrEqual(r.at99!.factor);
      else expect(r.atProject!.factor).toBeLessThanOrEqual(r.at99!.factor);
      // More headroom never lowers the median over-provisioning.
      if (r.atProject!.factor >= r.at99!.factor) expect(r.atProject!.overprovisionMedian).toBeGreaterThanOrEqual(r.at99!.overprovisionMedian);
      // The peer corner: at least 99 % and every safe peer's OOM-free rate, at most 1.35x and every safe peer's median.
      expect(r.peerCorner.oomFreeRate).toBeGreaterThanOrEqual(0.99);
      expect(r.peerCorner.overprovisionMedian).toBeLessThanOrEqual(1.35);
      expect(r.atPeerCorner!.oomFreeRate).toBeGreaterThanOrEqual(r.peerCorner.oomFreeRate);
      // Exact, so up to one grid step (0.005) below the grid's factor for 99 %.
      expect(r.atPeerCorner!.factor).toBeGreaterThan(r.at99!.factor - 0.005);
      expect(r.peerCornerReachable).toBe(r.atPeerCorner!.overprovisionMedian <= r.peerCorner.overprovisionMedian);
    }
  });
  it('the peer corner takes the safest safe peer and the tightest safe peer, and says when no flat factor reaches it', () => {
    const samples = new Map<string, FrontierSample[]>([
      // Needed factors 1.0 .. 1.99 (oracle / limit); a flat factor f keeps the instances whose need is below f.
      ['f', Array.from({ length: 100 }, (_, i) => ({ limit: 1000, oracle: 1000 + 10 * i }))],
    ]);
    const row = (strategy: StrategyName, oomFreeRate: number, overprovisionMedian: number) => ({
      strategy, family: 'f', oomFreeRate, overprovisionMedian, overprovisionP90: 0, leakDetectionRate: null, nextKillErrorMedian: null, instances: 100,
    });
    const [tight] = flatFrontier(samples, [row('project', 1, 1.5), row('seed', 0.995, 1.4), row('vpa', 0.99, 1.3), row('krr', 0.5, 0.9)]);
    // Corner: the seed's 99.5 % (the unsafe krr does not count) at vpa's 1.30x. 99.5 % of 100 is all of them: the
    // factor must clear the 1.99 need, exactly (1991 MiB > 1990, where the 0.005 grid would say 1.995), a median of
    // 1991 / 1495 = 1.332x, above 1.30x.
    expect(tight!.peerCorner).toEqual({ oomFreeRate: 0.995, overprovisionMedian: 1.3 });
    expect(tight!.atPeerCorner).toEqual({ factor: 1.99, oomFreeRate: 1, overprovisionMedian: 1.332 });
    expect(tight!.peerCornerReachable).toBe(false);
    const [loose] = flatFrontier(samples, [row('project', 1, 1.5), row('vpa', 0.99, 1.35)]);
    expect(loose!.peerCornerReachable).toBe(true);
    // A rate rounded to 3 decimals (598 of 600 = 0.997) asks for 598 instances, not the 599 that 0.997 × 600 rounds up to.
    const six = new Map<string, FrontierSample[]>([['f', Array.from({ length: 600 }, (_, i) => ({ limit: 1000, oracle: 1000 + i }))]]);
    const [odd] = flatFrontier(six, [row('project', 1, 1.5), row('vpa', 0.997, 1.35)]);
    expect(odd!.atPeerCorner).toMatchObject({ factor: 1.597, oomFreeRate: 0.997 });
    // With no safe peer the corner is the issue's own: 99 % at 1.35x.
    const [none] = flatFrontier(samples, [row('project', 1, 1.5), row('krr', 0.5, 0.9)]);
    expect(none!.peerCorner).toEqual({ oomFreeRate: 0.99, overprovisionMedian: 1.35 });
  });
  it('the known-parameters yardstick covers the burst families, and a higher quantile is never less safe nor tighter', () => {
    const samples = new Map<string, FrontierSample[]>();
    runBench(20, 1, samples);
    const ys = knownParamsYardstick(samples, 300);
    expect(ys.map((y) => y.family).sort()).toEqual(['batch-jobs', 'sudden-spikes']);
    for (const y of ys) {
      expect(y.points.map((p) => p.q)).toEqual([...KNOWN_PARAMS_QUANTILES]);
      for (const [i, p] of y.points.entries()) {
        expect(p.oomFreeRate).toBeGreaterThanOrEqual(0);
        expect(p.oomFreeRate).toBeLessThanOrEqual(1);
        expect(p.overprovisionMedian).toBeGreaterThan(0.8);
        const prev = y.points[i - 1];
        if (prev) {
          expect(p.oomFreeRate).toBeGreaterThanOrEqual(prev.oomFreeRate);
          expect(p.overprovisionMedian).toBeGreaterThanOrEqual(prev.overprovisionMedian);
        }
      }
    }
  });
});
