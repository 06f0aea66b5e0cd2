/**
 * A release killed soon after its revision was registered: the history is mostly the previous revision's. The killed
 * revision's `registeredAt` (DescribeTaskDefinition) says so; without it, or with an old or unreadable one, nothing
 * changes.
 */
import { describe, expect, it } from 'vitest';
import { parseMetricStatistics } from '../lambda/memory-metrics';
import type { MemoryPoint, PatternAnalysis, TaskDefinition, TaskSnapshot } from '../lambda/model';
import { parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { recommendMemory } from '../lambda/recommend-memory';
import { renderEmailBody } from '../lambda/render-email';
import { renderSlack } from '../lambda/render-slack';
import { NEW_REVISION_HOURS, newRevision, triageTask } from '../lambda/triage';
import { renderTriageText, toTriageJson } from '../lambda/triage-report';
import { EXAMPLES, loadJson } from './helpers/fixtures';
import { container, taskDef } from './helpers/task-definitions';

// The example: checkout-api:42 on Fargate, app (1024 MiB) OOM-killed at 14:07:31Z after 24 h of AWS/ECS history.
const task = parseTaskStateChange(loadJson(`${EXAMPLES}/oom-event.json`));
const KILL = task.stoppedAt!;
const metrics = parseMetricStatistics(loadJson(`${EXAMPLES}/metrics.json`), 'aws-ecs');
// The example's own revision was registered two days before the kill.
const { registeredAt: exampleAt, ...withoutAt } = loadJson<{ taskDefinition: Record<string, unknown> }>(`${EXAMPLES}/task-definition.json`).taskDefinition;
/** The example's task definition with this registeredAt; undefined: without the field (an older input). */
const definition = (registeredAt?: unknown): TaskDefinition =>
  parseTaskDefinition({ taskDefinition: registeredAt === undefined ? withoutAt : { ...withoutAt, registeredAt } });
// The example's task started 26 h before the kill; a release's first task starts after its revision is registered.
const released: TaskSnapshot = { ...task, startedAt: KILL - 20 * 60_000 };
const triage = (def: TaskDefinition, t = released) =>
  triageTask(t, { describeTaskDefinition: async () => def, fetchMemoryMetrics: async () => ({ datasets: [metrics], containerInsights: false }) }, { now: KILL, lookbackHours: 24 });
/** Everything the alert and the CLI show, for byte-for-byte comparisons. */
const outputs = async (def: TaskDefinition) => {
  const { result } = await triage(def);
  return [JSON.stringify(toTriageJson(result)), renderTriageText(result), renderEmailBody(result, {}), JSON.stringify(renderSlack(result, { series: null }))];
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseTaskDefinition keeps registeredAt when it is readable', () => {
  it('reads the SDK Date, CLI v2 ISO and CLI v1 epoch seconds, camelCase or PascalCase', () => {
    const at = Date.parse('2026-11-20T13:40:00Z');
    expect(definition(new Date(at)).registeredAt).toBe(at);
    expect(definition('2026-11-20T13:40:00+00:00').registeredAt).toBe(at);
    expect(definition(at / 1000).registeredAt).toBe(at);
    const pascal = { TaskDefinition: { Family: 'checkout-api', ContainerDefinitions: [{ Name: 'app', Memory: 1024 }], RegisteredAt: at } };
    expect(parseTaskDefinition(pascal).registeredAt).toBe(at);
  });

  it('leaves it out when missing or unreadable (no key, so the result is as before)', () => {
    for (const bad of [undefined, 'not a date', '', null, new Date(Number.NaN), {}]) expect('registeredAt' in definition(bad)).toBe(false);
  });
});

describe('newRevision: the killed revision registered inside the history, under 3 h before the kill', () => {
  const points: MemoryPoint[] = Array.from({ length: 24 * 60 }, (_, i) => ({ t: KILL - (24 * 60 - i) * 60_000, maxMiB: 800, avgMiB: 700 }));
  it('gives the revision and the minutes before the kill', () => {
    expect(newRevision(KILL - 28 * 60_000, 42, points, KILL)).toEqual({ revision: 42, minutes: 28 });
    expect(newRevision(KILL - 28 * 60_000, 42, points, KILL, { startedAt: KILL - 20 * 60_000, revision: 42 })).toEqual({ revision: 42, minutes: 28 });
  });
  it('is null for a definition that cannot be the killed task\'s: another revision, or registered after the task started', () => {
    expect(newRevision(KILL - 28 * 60_000, 43, points, KILL, { startedAt: KILL - 20 * 60_000, revision: 42 })).toBeNull();
    expect(newRevision(KILL - 28 * 60_000, 42, points, KILL, { startedAt: KILL - 26 * 3_600_000, revision: 42 })).toBeNull();
  });
  it('is null when registered 3 h or more before the kill, before the history, after the kill, or with no history', () => {
    expect(newRevision(KILL - NEW_REVISION_HOURS * 3_600_000, 42, points, KILL)).toBeNull();
    expect(newRevision(points[0]!.t, 42, points.slice(-60), KILL)).toBeNull(); // registered before the 1 h history: all of it is this revision's
    expect(newRevision(KILL + 60_000, 42, points, KILL)).toBeNull();
    expect(newRevision(KILL - 60_000, 42, [], KILL)).toBeNull();
    expect(newRevision(undefined, 42, points, KILL)).toBeNull();
    expect(newRevision(Number.NaN, 42, points, KILL)).toBeNull();
  });
});

describe('the example, its revision registered minutes before the kill', () => {
  it('says the history is the previous revision\'s, lowers the confidence one step and sizes a larger fix', async () => {
    const before = (await triage(definition())).result;
    const { result } = await triage(definition(iso(KILL - 28 * 60_000)));
    const note = "revision 42 was registered 28 min before the kill; the history before it is the previous revision's, so the fix is sized from the old version's usage: if this release changed the app or its dependencies, check what it added";
    expect(result.recommendation!.reasons[0]).toContain(note);
    expect(before.recommendation!.reasons.join('\n')).not.toContain('was registered');
    expect([before.analysis.confidence, result.analysis.confidence]).toEqual(['high', 'medium']);
    // The pattern's own "confidence high: 24 h and ..." line is followed by why it counts lower.
    expect(result.analysis.reasons.at(-1)).toBe('confidence medium, one step lower: the revision is new (see the fix)');
    expect(before.analysis.reasons.join('\n')).not.toContain('one step lower');
    expect([before.confidence, result.confidence]).toEqual(['high', 'medium']);
    // 1.2 × 1024 → 1232 before; with the step down (twice: the series is the service's) BY_CONFIDENCE.low's 1.25 × 1024.
    expect([before.recommendation!.memory, result.recommendation!.memory]).toEqual([1232, 1280]);
    // The alert text carries it (the recommendation's reasons).
    expect(renderEmailBody(result, {})).toContain('revision 42 was registered 28 min before the kill');
    expect(JSON.stringify(renderSlack(result, { series: null }))).toContain('revision 42 was registered 28 min before the kill');
  });

  it('leaves a low confidence low and says no "one step lower" then', async () => {
    const short = { ...metrics, points: metrics.points.slice(-20) }; // 100 min of history: low already
    const run = (def: TaskDefinition) =>
      triageTask(released, { describeTaskDefinition: async () => def, fetchMemoryMetrics: async () => ({ datasets: [short], containerInsights: false }) }, { now: KILL, lookbackHours: 24 });
    const { result } = await run(definition(iso(KILL - 28 * 60_000)));
    expect(result.analysis.confidence).toBe('low');
    expect(result.recommendation!.reasons[0]).toMatch(/^revision 42 was registered 28 min before the kill/);
    expect(result.analysis.reasons.join('\n')).not.toContain('one step lower');
  });

  it('says nothing when the definition read cannot be the killed task\'s (another revision, or registered after the task started)', async () => {
    const fresh = definition(iso(KILL - 28 * 60_000));
    // The CLI's file may be the family's latest revision (43), registered minutes before an old task (42) was killed.
    const other = (await triage({ ...fresh, revision: 43 })).result;
    expect(other.recommendation!.reasons.join('\n')).not.toContain('was registered');
    expect(other.recommendation!.memory).toBe(1232);
    // The bundled example's task started 26 h before the kill: a revision registered 28 min before it is not its own.
    const old = (await triage(fresh, task)).result;
    expect(old.recommendation!.reasons.join('\n')).not.toContain('was registered');
    expect(old.analysis.confidence).toBe('high');
  });

  it('changes nothing when the revision was registered days before, or the field is missing or unreadable', async () => {
    const baseline = await outputs(definition());
    expect(KILL - Date.parse(exampleAt as string)).toBeGreaterThan(86_400_000);
    for (const at of [exampleAt, iso(KILL - 3 * 86_400_000), iso(KILL - NEW_REVISION_HOURS * 3_600_000), 'not a date', iso(KILL + 3_600_000), 12]) {
      expect(await outputs(definition(at))).toEqual(baseline);
    }
  });

  it('says nothing for a SIGKILL that is not an OOM (no fix to size)', async () => {
    const ev = loadJson<{ detail: { containers: Record<string, unknown>[] } & Record<string, unknown> }>(`${EXAMPLES}/oom-event.json`);
    const detail = { ...ev.detail, stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/123)', containers: ev.detail.containers.map((c) => ({ ...c, reason: null })) };
    const scaleIn = parseTaskStateChange({ ...ev, detail });
    const run = (def: TaskDefinition) => triageTask(scaleIn, { describeTaskDefinition: async () => def, fetchMemoryMetrics: async () => ({ datasets: [metrics], containerInsights: false }) }, { now: KILL, lookbackHours: 24 });
    const [a, b] = [(await run(definition())).result, (await run(definition(iso(KILL - 28 * 60_000)))).result];
    expect(b.recommendation).toBeNull();
    expect(renderTriageText(b)).toBe(renderTriageText(a));
  });
});

describe('recommendMemory for a new revision', () => {
  const high: PatternAnalysis = {
    pattern: 'chronic',
    confidence: 'high',
    evidence: { source: 'container-insights-container', points: 1440, hours: 24, peakMiB: 1019, averageMiB: 930, slopeMiBPerHour: null, censored: true, baselineMiB: 950 },
    nextKillEstimateHours: null,
    reasons: [],
  };
  const base = { container: 'app', kind: 'oom-killed' as const, launchType: 'FARGATE' as const, taskDefinition: taskDef([container('app', 1024)], 512, 2048), eventContainer: null, eventTaskMemory: null, eventTaskCpu: null, seriesScope: 'container' as const };

  it('floors the limit at KRR\'s OOM rule (1.25 × L), where one confidence step (medium: 1.2 × L) would not', () => {
    const medium = { ...high, confidence: 'medium' as const };
    expect(recommendMemory({ ...base, analysis: medium })!.memory).toBe(1232);
    const r = recommendMemory({ ...base, analysis: medium, newRevision: { revision: 7, minutes: 150 } })!;
    expect(r.memory).toBe(1280);
    expect(r.reasons[0]).toMatch(/^revision 7 was registered 2\.5 h before the kill/);
    expect(r.reasons.join('\n')).toContain("at least KRR's OOM rule for a new revision: max(peak × 1.15, limit × 1.25) = 1280 MiB");
  });

  it('keeps a larger rule\'s result (a burst) and never floors an OOM at start', () => {
    const spike = { ...high, pattern: 'spike' as const, evidence: { ...high.evidence, baselineMiB: 400, averageMiB: 420 } };
    const fresh = { revision: 7, minutes: 20 };
    expect(recommendMemory({ ...base, analysis: spike, newRevision: fresh })!.memory).toBe(recommendMemory({ ...base, analysis: spike })!.memory);
    expect(recommendMemory({ ...base, kind: 'oom-at-start', analysis: high, newRevision: fresh })!.memory).toBe(2048);
  });
});
