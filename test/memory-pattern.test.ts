import { describe, expect, it } from 'vitest';
import { analyzeMemory, estimateNextKillHours, hoursUntil } from '../lambda/memory-pattern';
import type { MemoryPoint, MemorySeries } from '../lambda/model';

const T0 = Date.UTC(2025, 0, 6);
const MIN = 60_000;

function series(values: Array<number | null>, opts: { period?: number; ceiling?: number | null; avg?: (v: number, i: number) => number | null } = {}): MemorySeries {
  const period = opts.period ?? 60;
  const points: MemoryPoint[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    points.push({ t: T0 + i * period * 1000, maxMiB: v, avgMiB: opts.avg ? opts.avg(v, i) : v * 0.97 });
  });
  return { source: 'container-insights-container', scope: 'container', periodSeconds: period, points, ceilingMiB: opts.ceiling ?? 1024 };
}

// Deterministic wiggle instead of random noise.
const wiggle = (i: number, amp: number): number => amp * Math.sin(i * 1.7) * Math.cos(i * 0.31);
const now = (s: MemorySeries): number => (s.points.at(-1)?.t ?? T0) + MIN;

describe('analyzeMemory', () => {
  it('returns unknown with no points', () => {
    const s = series([]);
    const a = analyzeMemory(s, { limitMiB: 1024, now: T0 });
    expect(a.pattern).toBe('unknown');
    expect(a.evidence.points).toBe(0);
    expect(a.evidence.peakMiB).toBeNull();
    expect(a.confidence).toBe('low');
  });

  it('calls sustained high use chronic and flags the censored peak', () => {
    const values = Array.from({ length: 26 * 60 }, (_, i) => Math.min(1024, 900 + wiggle(i, 60)));
    values[values.length - 1] = 1019;
    const s = series(values);
    const a = analyzeMemory(s, { limitMiB: 1024, now: now(s) });
    expect(a.pattern).toBe('chronic');
    expect(a.confidence).toBe('high');
    expect(a.evidence.censored).toBe(true);
    expect(a.reasons.join('\n')).toContain('peak 1019 MiB = 99.5% of the 1024 MiB limit: censored');
  });

  it('calls normal use then a jump a spike and names the burst', () => {
    const values = Array.from({ length: 6 * 60 }, (_, i) => 400 + wiggle(i, 20));
    values.push(700, 1000);
    const s = series(values);
    const a = analyzeMemory(s, { limitMiB: 1024, now: now(s) });
    expect(a.pattern).toBe('spike');
    expect(a.confidence).toBe('medium');
    expect(a.reasons.join('\n')).toMatch(/burst of \+\d+ MiB starting 2025-01-06T06:0/);
  });

  it('finds a leak across restarts (sawtooth), with gaps and a 5-minute period', () => {
    // 3 climbs of 20 h at 30 MiB/h from 300 MiB, reset by restarts; every 7th point missing.
    const values: Array<number | null> = [];
    for (let seg = 0; seg < 3; seg++) {
      for (let i = 0; i < 20 * 12; i++) values.push(i % 7 === 3 ? null : 300 + 30 * (i / 12) + wiggle(i, 8));
    }
    const s = series(values, { period: 300 });
    const a = analyzeMemory(s, { limitMiB: 1024, now: now(s) });
    expect(a.pattern).toBe('leak');
    expect(a.evidence.restarts).toBe(2);
    expect(a.evidence.slopeMiBPerHour).toBeGreaterThan(25);
    expect(a.evidence.slopeMiBPerHour).toBeLessThan(35);
    expect(a.reasons.join('\n')).toMatch(/baseline grows \d+(\.\d)? MiB\/h over \d+(\.\d)? h/);
    // From ~300 MiB at 30 MiB/h, 1024 MiB is reached ~20 h after a restart (less the swing).
    expect(a.nextKillEstimateHours).toBeGreaterThan(17);
    expect(a.nextKillEstimateHours).toBeLessThan(26);
    const at2048 = estimateNextKillHours(a, 2048);
    expect(at2048).toBeGreaterThan((a.nextKillEstimateHours ?? 0) + 25);
  });

  it('does not call a GC sawtooth (drops every few minutes) a leak', () => {
    const values = Array.from({ length: 30 * 60 }, (_, i) => 500 + 300 * ((i % 9) / 9) + wiggle(i, 10));
    const s = series(values, { ceiling: 1024, avg: (v) => v - 50 });
    const a = analyzeMemory(s, { limitMiB: 1024, now: now(s) });
    expect(a.pattern).not.toBe('leak');
  });

  it('works with Maximum only and with Average only', () => {
    const values = Array.from({ length: 200 }, (_, i) => 800 + wiggle(i, 30));
    const maxOnly = series(values, { avg: () => null });
    const avgOnly: MemorySeries = { ...maxOnly, points: maxOnly.points.map((p) => ({ t: p.t, maxMiB: null, avgMiB: p.maxMiB })) };
    for (const s of [maxOnly, avgOnly]) {
      const a = analyzeMemory(s, { limitMiB: 1024, now: now(s) });
      expect(a.evidence.points).toBe(200);
      expect(a.evidence.peakMiB).toBeGreaterThan(800);
      expect(a.evidence.averageMiB).toBeGreaterThan(750);
    }
  });

  it('grades confidence by hours and points', () => {
    const short = series(Array.from({ length: 60 }, () => 500));
    expect(analyzeMemory(short, { limitMiB: 1024, now: now(short) }).confidence).toBe('low');
    const fiveMin = series(Array.from({ length: 40 }, () => 500), { period: 300 });
    expect(analyzeMemory(fiveMin, { limitMiB: 1024, now: now(fiveMin) }).confidence).toBe('medium');
  });

  it('hoursUntil is null without growth', () => {
    expect(hoursUntil(0, 100, 200)).toBeNull();
    expect(hoursUntil(-3, 100, 200)).toBeNull();
    expect(hoursUntil(10, 100, 200)).toBe(10);
    expect(hoursUntil(10, 100, 200, 50)).toBe(5);
  });
});
