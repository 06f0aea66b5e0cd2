/**
 * Memory histories the project's simulator never makes: property-based (fast-check), shapes drawn at random (flat,
 * ramps, saw-tooth, square waves, lone spikes, plateaus at the limit, zeros, huge values, gaps, missing statistics,
 * duplicate and out-of-order timestamps, any period). Whatever the history, the analysis and the fix for an OOM kill
 * must hold these invariants:
 * - no throw, and every number finite;
 * - the fix raises the limit (a kill proves the container needed more), by at least VPA's 20 %, in 16 MiB steps;
 * - and not absurdly: at most about twice what the container was seen to need;
 * - the reservation never above the hard limit, the task memory holds the containers;
 * - no reason or evidence that reads NaN, Infinity or undefined.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../lambda/errors';
import { parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { renderChatbotMessage } from '../lambda/render-chatbot';
import { renderSnsMessage } from '../lambda/render-email';
import { renderSlack } from '../lambda/render-slack';
import { buildTriage } from '../lambda/triage';
import { parseMetricStatistics } from '../lambda/memory-metrics';
import { analyzeMemory } from '../lambda/memory-pattern';
import type { MemoryPoint, MemorySeries, Recommendation } from '../lambda/model';
import { MEMORY_STEP_MIB, recommendMemory } from '../lambda/recommend-memory';
import { EXAMPLES, loadJson } from './helpers/fixtures';
import { container, taskDef } from './helpers/task-definitions';

const KILL = Date.UTC(2026, 0, 5, 12);

type Shape = 'flat' | 'ramp' | 'saw' | 'square' | 'spike' | 'plateau' | 'noise' | 'zeros';

interface History {
  shape: Shape;
  limit: number;
  periodSeconds: number;
  points: MemoryPoint[];
}

/** A history of `n` periods ending at the kill, its shape scaled to the limit and censored at it. */
const historyArb: fc.Arbitrary<History> = fc
  .record({
    shape: fc.constantFrom<Shape>('flat', 'ramp', 'saw', 'square', 'spike', 'plateau', 'noise', 'zeros'),
    limit: fc.oneof(fc.integer({ min: 4, max: 512 }), fc.integer({ min: 512, max: 16_384 }), fc.integer({ min: 16_384, max: 122_880 })),
    periodSeconds: fc.oneof(fc.constantFrom(60, 300), fc.integer({ min: 1, max: 3600 })),
    n: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 16, max: 400 }), fc.integer({ min: 400, max: 3000 })),
    level: fc.double({ min: 0, max: 1.2, noNaN: true }),
    amplitude: fc.double({ min: 0, max: 1, noNaN: true }),
    cycle: fc.integer({ min: 2, max: 500 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    dropShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
    missing: fc.constantFrom('none', 'max', 'avg', 'some'),
    disorder: fc.boolean(),
  })
  .map((h) => {
    let s = h.seed;
    const rand = (): number => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647;
    };
    const points: MemoryPoint[] = [];
    for (let i = 0; i < h.n; i++) {
      if (rand() < h.dropShare && i < h.n - 1) continue;
      const x = i / Math.max(1, h.n - 1);
      const phase = (i % h.cycle) / h.cycle;
      const shapeValue: Record<Shape, number> = {
        flat: h.level,
        ramp: h.level * 0.3 + h.amplitude * x,
        saw: h.level * 0.5 + h.amplitude * phase * 0.5,
        square: h.level * 0.4 + (phase < 0.3 ? h.amplitude * 0.6 : 0),
        spike: h.level * 0.3 + (i === h.n - 1 || rand() < 0.01 ? 1 : 0),
        plateau: x > 0.5 ? 1 : h.level,
        noise: rand() * (h.level + h.amplitude),
        zeros: 0,
      };
      const v = Math.max(0, Math.min(h.limit, shapeValue[h.shape] * h.limit * (1 + 0.02 * (rand() - 0.5))));
      const avg = v * (0.8 + 0.2 * rand());
      const dropMax = h.missing === 'max' || (h.missing === 'some' && rand() < 0.2);
      const dropAvg = h.missing === 'avg' || (h.missing === 'some' && rand() < 0.2);
      points.push({ t: KILL - (h.n - 1 - i) * h.periodSeconds * 1000, maxMiB: dropMax ? null : v, avgMiB: dropAvg ? null : avg });
    }
    if (h.disorder && points.length > 2) {
      // Out of order, and a duplicate timestamp: what a concatenated export can look like.
      points.reverse();
      points.push({ ...(points[0] as MemoryPoint) });
    }
    return { shape: h.shape, limit: h.limit, periodSeconds: h.periodSeconds, points };
  });

const BAD_TEXT = /NaN|Infinity|undefined|null MiB/;

/** Fixed seeds for CI; FC_RUNS and FC_SEED run a longer search elsewhere. */
function runs(numRuns: number, seed: number): fc.Parameters<unknown> {
  return { numRuns: Number(process.env['FC_RUNS'] ?? numRuns), seed: Number(process.env['FC_SEED'] ?? seed) };
}

function finiteOrNull(v: unknown): boolean {
  return v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * The hard limit a fix proposes for a container that had a limit (its own or the task's): always one, a whole number
 * of MiB in 16 MiB steps, or the limit it had when that is already the most a Fargate task allows (never lowered).
 */
function proposedHardLimit(rec: Recommendation | null, limit: number): number {
  expect(rec).not.toBeNull();
  expect(rec?.memory ?? null).not.toBeNull();
  const memory = rec?.memory ?? Number.NaN;
  expect(Number.isInteger(memory)).toBe(true);
  if (memory !== limit) expect(memory % MEMORY_STEP_MIB).toBe(0);
  return memory;
}

describe('foreign memory histories (property-based)', () => {
  it('container scope: the analysis stays finite and the fix raises the limit, in steps, within reason', () => {
    fc.assert(
      fc.property(historyArb, fc.boolean(), fc.option(fc.double({ min: 0.1, max: 1, noNaN: true }), { nil: null }), (h, fargate, reservationShare) => {
        const series: MemorySeries = { source: 'container-insights-container', scope: 'container', periodSeconds: h.periodSeconds, points: h.points, ceilingMiB: h.limit };
        const analysis = analyzeMemory(series, { limitMiB: h.limit, now: KILL });
        expect(['chronic', 'spike', 'leak', 'unknown']).toContain(analysis.pattern);
        for (const v of Object.values(analysis.evidence)) expect(finiteOrNull(v)).toBe(true);
        expect(analysis.reasons.join('\n')).not.toMatch(BAD_TEXT);

        const reservation = reservationShare === null ? null : Math.max(4, Math.round(h.limit * reservationShare));
        const td = taskDef([container('app', h.limit, reservation)], fargate ? 1024 : null, null, fargate ? 'FARGATE' : 'EC2');
        const rec = recommendMemory({
          container: 'app', kind: 'oom-killed', launchType: fargate ? 'FARGATE' : 'EC2', taskDefinition: td, eventContainer: null,
          eventTaskMemory: null, eventTaskCpu: null, analysis, seriesScope: 'container',
        });
        const memory = proposedHardLimit(rec, h.limit);
        if (!rec) return;
        const peak = analysis.evidence.peakMiB ?? 0;
        const used = Math.max(h.limit, peak);
        if (memory < 120 * 1024) {
          // A kill proves the container needed more than its limit: never the same limit again, at least VPA's 20 %.
          expect(memory).toBeGreaterThanOrEqual(Math.min(1.2 * h.limit, 120 * 1024 - MEMORY_STEP_MIB));
        }
        // Not absurd: at most about twice what it was seen to need (the largest rules: 2.0 × the rise at low confidence, a burst 1.5 × the limit), or
        // VPA's +100 MiB on a tiny container, or the 128 MiB floor.
        expect(memory).toBeLessThanOrEqual(Math.max(128, 2.1 * used, used + 100) + MEMORY_STEP_MIB);
        expect(rec.memoryReservation).toBeGreaterThan(0);
        expect(rec.memoryReservation).toBeLessThanOrEqual(memory);
        if (rec.taskMemory !== null) expect(rec.taskMemory).toBeGreaterThanOrEqual(memory);
        expect([...rec.reasons, ...rec.deadEnds].join('\n')).not.toMatch(BAD_TEXT);
      }),
      runs(400, 20261201),
    );
  });

  it('task scope with a sidecar: the fix is attributed to the container, finite and above its limit', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 4096 }), fc.boolean(), (h, sideReservation, appHasLimit) => {
        const taskMemory = h.limit + sideReservation;
        const series: MemorySeries = { source: 'container-insights-task', scope: 'task', periodSeconds: h.periodSeconds, points: h.points, ceilingMiB: taskMemory };
        const analysis = analyzeMemory(series, { limitMiB: null, now: KILL });
        for (const v of Object.values(analysis.evidence)) expect(finiteOrNull(v)).toBe(true);
        const td = taskDef([container('app', appHasLimit ? h.limit : null, null), container('log_router', null, sideReservation)], 1024, taskMemory);
        const rec = recommendMemory({
          container: 'app', kind: 'oom-killed', launchType: 'FARGATE', taskDefinition: td, eventContainer: null,
          eventTaskMemory: null, eventTaskCpu: null, analysis, seriesScope: 'task',
        });
        if (!appHasLimit) {
          // No container capped: the task ran out as a whole, and the fix is the task size, with no cap invented.
          expect(rec?.memory).toBeNull();
          expect(rec?.taskMemory ?? 0).toBeGreaterThanOrEqual(Math.min(taskMemory * 1.25, 120 * 1024));
          expect([...(rec?.reasons ?? []), ...(rec?.deadEnds ?? [])].join('\n')).not.toMatch(BAD_TEXT);
          return;
        }
        const memory = proposedHardLimit(rec, h.limit);
        if (!rec) return;
        if (memory < 120 * 1024 - 4096) expect(memory).toBeGreaterThanOrEqual(1.2 * h.limit);
        expect(rec.memoryReservation).toBeLessThanOrEqual(memory);
        expect(rec.taskMemory).not.toBeNull();
        expect(rec.taskMemory ?? 0).toBeGreaterThanOrEqual(memory + sideReservation);
        expect([...rec.reasons, ...rec.deadEnds].join('\n')).not.toMatch(BAD_TEXT);
      }),
      runs(300, 20261202),
    );
  });
  it('metrics files of any shape: parsed to sorted, finite, non-negative points, or refused with a clear error', () => {
    const value = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.boolean(), fc.constant(-1));
    const stamp = fc.oneof(fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())), fc.integer(), fc.string(), fc.constant(null));
    const datapoint = fc.record({ Timestamp: stamp, Maximum: value, Average: value, Unit: fc.constantFrom('Megabytes', 'Percent', 'Bytes', 'None', 7) }, { requiredKeys: [] });
    const statistics = fc.record({ Label: fc.constantFrom('MemoryUtilization', 'ContainerMemoryUtilized', 'TaskMemoryUtilized', 'MemoryUtilized', '', 42), Datapoints: fc.array(fc.oneof(datapoint, fc.anything()), { maxLength: 60 }) }, { requiredKeys: ['Datapoints'] });
    const result = fc.record({ Id: fc.constantFrom('max', 'avg', 'm1', 'Average', 3), Label: fc.constantFrom('ContainerMemoryUtilized', 'MemoryUtilization', 'x'), Timestamps: fc.array(stamp, { maxLength: 40 }), Values: fc.array(value, { maxLength: 40 }) }, { requiredKeys: [] });
    const metricData = fc.record({ MetricDataResults: fc.array(fc.oneof(result, fc.anything()), { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.oneof(statistics, metricData, fc.anything()), (input) => {
        let d: ReturnType<typeof parseMetricStatistics>;
        try {
          d = parseMetricStatistics(input, 'aws-ecs');
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidInputError);
          expect((e as Error).message).toMatch(/^metrics: /);
          return;
        }
        expect(d.periodSeconds).toBeGreaterThanOrEqual(60);
        expect(d.periodSeconds).toBeLessThanOrEqual(3600);
        for (const [i, p] of d.points.entries()) {
          expect(Number.isFinite(p.t)).toBe(true);
          if (i > 0) expect(p.t).toBeGreaterThan((d.points[i - 1] as { t: number }).t);
          for (const v of [p.max, p.avg]) if (v !== null) expect(Number.isFinite(v) && v >= 0).toBe(true);
          expect(p.max !== null || p.avg !== null).toBe(true);
        }
      }),
      runs(500, 20261203),
    );
  });
  it('the whole pure path, event to rendered alerts, on a foreign history in any unit and source', () => {
    const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
    const task = parseTaskStateChange(event);
    const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
    const source = fc.constantFrom('aws-ecs-service', 'container-insights-container', 'container-insights-task', 'container-insights-service' as const);
    fc.assert(
      fc.property(historyArb, source, fc.boolean(), fc.boolean(), (h, src, percent, withDefinition) => {
        // The same shape as a percentage of the limit (MemoryUtilization) or in MiB.
        const scale = percent ? 100 / h.limit : 1;
        const points = h.points.map((p) => ({ t: p.t, max: p.maxMiB === null ? null : p.maxMiB * scale, avg: p.avgMiB === null ? null : p.avgMiB * scale }));
        const now = Math.max(KILL, ...h.points.map((p) => p.t)) + 30_000;
        const { result, series } = buildTriage(
          task,
          { taskDefinition: withDefinition ? definition : null, metrics: { datasets: [{ source: src, unit: percent ? 'percent' : 'MiB', periodSeconds: h.periodSeconds, points }], containerInsights: src !== 'aws-ecs-service' }, deployed: null, warnings: [] },
          { now, lookbackHours: 24 },
        );
        expect(result.classification.verdict).not.toBe('not-oom');
        const rec = result.recommendation;
        expect(rec).not.toBeNull();
        expect(Number.isFinite(rec?.memory)).toBe(true);
        expect(rec?.memoryReservation ?? 0).toBeLessThanOrEqual(rec?.memory ?? 0);
        const slack = renderSlack(result, { series });
        expect(slack.blocks.length).toBeLessThanOrEqual(50);
        const sns = renderSnsMessage(result, { series });
        expect(sns.Subject).toMatch(/^[\x20-\x7e]{1,99}$/);
        expect(`${JSON.stringify(slack)}\n${sns.Message}`).not.toMatch(BAD_TEXT);
        JSON.parse(renderChatbotMessage(result, { series }));
      }),
      runs(200, 20261204),
    );
  });
});
