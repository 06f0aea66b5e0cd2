/**
 * An EC2 container with only a soft limit (memoryReservation) and no task memory, OOM-killed: nothing capped it, so
 * the instance ran out of memory. With no usage data the fix must not invent a hard limit (one sized from the
 * reservation could kill it below what it used): it keeps none, bumps the reservation, and every rendering says so.
 */
import { describe, expect, it } from 'vitest';
import { renderFixSnippets } from '../lambda/fix-snippets';
import type { PatternAnalysis, TaskDefinition } from '../lambda/model';
import { recommendMemory } from '../lambda/recommend-memory';
import { renderChatbot } from '../lambda/render-chatbot';
import { renderEmailBody, renderSnsMessage } from '../lambda/render-email';
import { renderSlack } from '../lambda/render-slack';
import { parseTaskStateChange } from '../lambda/parse-task';
import { buildTriage } from '../lambda/triage';
import { renderTriageText } from '../lambda/triage-report';
import { EXAMPLES, loadJson } from './helpers/fixtures';
import { container, taskDef } from './helpers/task-definitions';

const NOW = Date.parse('2026-11-20T14:08:00Z');
const event = loadJson<{ detail: Record<string, unknown> }>(`${EXAMPLES}/oom-event.json`);
const detail = structuredClone(event.detail) as Record<string, unknown> & { containers: Record<string, unknown>[] };
detail['launchType'] = 'EC2';
delete detail['capacityProviderName'];
delete detail['memory'];
delete detail['cpu'];
detail.containers = detail.containers.map((c) => {
  const { memory: _m, ...rest } = c;
  return { ...rest, memoryReservation: c['name'] === 'app' ? '512' : '50' };
});
const task = parseTaskStateChange({ ...event, detail });
const td: TaskDefinition = { ...taskDef([container('app', null, 512), container('log_router', null, 50)], null, null, 'EC2'), family: 'checkout-api', revision: 42 };
const noMetrics = { datasets: [], containerInsights: null };

describe('an OOM-killed container with no hard limit and no task memory', () => {
  it('keeps no hard limit without usage data, and raises the reservation by VPA\'s OOM bump', () => {
    const { result } = buildTriage(task, { taskDefinition: td, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    const rec = result.recommendation!;
    expect(rec.memory).toBeNull();
    expect(rec.memoryReservation).toBe(624); // max(512 + 100, 512 × 1.2) = 614.4 → 624
    expect(rec.taskMemory).toBeNull();
    expect(rec.reasons.join(' ')).toMatch(/the instance running out.*keep none/);
    expect(rec.deadEnds.join(' ')).toMatch(/Measure the real peak/);
    expect(result.classification.containers[0]!.explanation).toMatch(/no hard limit.*the instance ran out of memory/);

    const text = renderTriageText(result);
    expect(text).toContain('none (keep no hard limit)');
    const snippets = renderFixSnippets(rec, { task: result.task, taskDefinition: result.taskDefinition, runtime: result.runtime });
    expect(JSON.parse(snippets.json)).toEqual({ containerDefinitions: [{ name: 'app', memoryReservation: 624 }] });
    expect(snippets.cli).toContain('|= (.memoryReservation = 624)');
    expect(snippets.cdk).not.toContain('memoryLimitMiB');
    expect(snippets.cdk).toContain('memoryReservationMiB: 624');
    const all = [text, snippets.json, snippets.cli, snippets.cdk, JSON.stringify(renderSlack(result, { series: null })), renderEmailBody(result, { series: null }), JSON.stringify(renderChatbot(result, { series: null }))].join('\n');
    expect(all).not.toMatch(/\bnull MiB|memory = null|memoryLimitMiB: null|NaN|undefined/);
    expect(JSON.stringify(renderSlack(result, { series: null }))).toMatch(/512 → 624 MiB.*keep none for now/);
  });

  it('still sizes a hard limit when usage data exists (the peak is not censored: nothing capped it)', () => {
    const r = recommendMemory({
      container: 'app', kind: 'oom-killed', launchType: 'EC2', taskDefinition: td, eventContainer: null, eventTaskMemory: null, eventTaskCpu: null,
      analysis: {
        pattern: 'chronic', confidence: 'high', nextKillEstimateHours: null, reasons: [],
        evidence: { source: 'container-insights-container', points: 1440, hours: 24, peakMiB: 900, averageMiB: 800, slopeMiBPerHour: 0, censored: false, baselineMiB: 820 },
      },
      seriesScope: 'container',
    })!;
    expect(r.memory).not.toBeNull();
    expect(r.memory!).toBeGreaterThanOrEqual(900 * 1.15);
  });

  const noData = (): PatternAnalysis => ({ pattern: 'unknown', confidence: 'low', nextKillEstimateHours: null, reasons: [], evidence: { source: 'none', points: 0, hours: 0, peakMiB: null, averageMiB: null, slopeMiBPerHour: null, censored: false } });

  it('on Fargate alone in its task, keeps sizing a hard limit, which the task memory caps', () => {
    const alone = { ...td, containers: [td.containers[0]!], memory: 2048, cpu: 512, requiresCompatibilities: ['FARGATE'] };
    const r = recommendMemory({
      container: 'app', kind: 'oom-killed', launchType: 'FARGATE', taskDefinition: alone,
      eventContainer: null, eventTaskMemory: null, eventTaskCpu: null, analysis: noData(), seriesScope: 'none',
    })!;
    expect(r.memory).not.toBeNull();
  });

  it('when no container of a shared task has a hard limit, the task ran out as a whole: the fix is the task size, no invented cap', () => {
    // Fargate 1024/2048, app and log_router without hard limits; log_router was the one the kernel killed.
    const shared = { ...td, memory: 2048, cpu: 1024, requiresCompatibilities: ['FARGATE'] };
    const r = recommendMemory({
      container: 'log_router', kind: 'oom-killed', launchType: 'FARGATE', taskDefinition: shared,
      eventContainer: null, eventTaskMemory: null, eventTaskCpu: null, analysis: noData(), seriesScope: 'none',
    })!;
    expect(r.memory).toBeNull();
    expect(r.memoryReservation).toBe(50); // unchanged
    expect(r.taskMemory).toBe(3072); // max(2048 × 1.25, 2048 + 100) = 2560 → the next Fargate size at 1 vCPU
    expect(r.taskCpu).toBe(1024);
    expect(r.reasons.join('\n')).toMatch(/the task ran out as a whole/);
    expect(r.deadEnds.join('\n')).toMatch(/cap the sidecars/);
  });
});

describe('heap options that carry a secret', () => {
  it('never put a variable\'s value in any channel: only the heap flags to change appear', () => {
    const secret = 'hunter2-trust';
    const withJvm: TaskDefinition = {
      ...taskDef([container('app', 1024, 512), container('log_router', null, 50)], 512, 2048),
      family: 'checkout-api',
      revision: 42,
    };
    withJvm.containers[0] = {
      ...withJvm.containers[0]!,
      image: 'eclipse-temurin:21-jre',
      environment: { JAVA_TOOL_OPTIONS: `-Xms900m -Xmx900m -Djavax.net.ssl.trustStorePassword=${secret} -XX:+UseG1GC`, CATALINA_OPTS: `-Dpw=${secret}` },
    };
    const fargate = parseTaskStateChange(event);
    const { result } = buildTriage(fargate, { taskDefinition: withJvm, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    expect(result.runtime?.recommendedFlag).toBe('-XX:MaxRAMPercentage=75.0');
    const snippets = renderFixSnippets(result.recommendation!, { task: result.task, taskDefinition: result.taskDefinition, runtime: result.runtime });
    const channels = [
      renderTriageText(result),
      snippets.json, snippets.cli, snippets.cdk, snippets.runtimeFlag ?? '',
      JSON.stringify(renderSlack(result, { series: null })),
      renderEmailBody(result, { series: null }),
      JSON.stringify(renderSnsMessage(result, { series: null })),
      JSON.stringify(renderChatbot(result, { series: null })),
    ];
    for (const text of channels) expect(text).not.toContain(secret);
    expect(snippets.runtimeFlag).toMatch(/^In JAVA_TOOL_OPTIONS, replace -Xmx900m with -XX:MaxRAMPercentage=75.0/);
  });
});

describe('a container sharing its task memory (no hard limit of its own, beside others)', () => {
  /** A 1024 MiB Fargate task: app with no limits (its image and environment given), log_router reserving 50 MiB. */
  const sharedTask = (image: string, environment: Record<string, string>): TaskDefinition => {
    const shared: TaskDefinition = { ...taskDef([container('app', null, null), container('log_router', null, 50)], 512, 1024), family: 'checkout-api', revision: 42 };
    shared.containers[0] = { ...shared.containers[0]!, image, environment };
    return shared;
  };
  /** The example event with no container limits in it. */
  const uncapped = structuredClone(event.detail) as Record<string, unknown> & { containers: Record<string, unknown>[] };
  uncapped.containers = uncapped.containers.map((c) => {
    const { memory: _m, memoryReservation: _r, ...rest } = c;
    return rest;
  });
  const fargate = parseTaskStateChange({ ...event, detail: uncapped });

  it('gets no heap size computed from the task memory, and no claim that the kill proved the task was at its ceiling', () => {
    const shared = sharedTask('node:22-slim', { NODE_OPTIONS: '--enable-source-maps' });
    const t0 = NOW - 24 * 3_600_000;
    const points = Array.from({ length: 1440 }, (_, i) => ({ t: t0 + i * 60_000, max: 700 + (i % 60), avg: 680 }));
    const metrics = { datasets: [{ source: 'container-insights-container' as const, unit: 'MiB' as const, periodSeconds: 60, points }], containerInsights: true };
    const { result } = buildTriage(fargate, { taskDefinition: shared, metrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    expect(result.recommendation?.memory).toBeNull(); // the task ran out as a whole: the fix is the task size
    expect(result.recommendation?.taskMemory).toBeGreaterThan(1024);
    expect(result.runtime?.recommendedFlag ?? null).toBeNull(); // 75 % of the old task memory would cap V8 below its need
    expect(result.analysis.reasons.join('\n')).not.toMatch(/the kill shows the demand reached/);
  });

  it('has its fixed heap checked against what the other containers leave of the (new) task memory', () => {
    const shared = sharedTask('eclipse-temurin:21', { JAVA_TOOL_OPTIONS: '-Xmx3g -XX:+UseG1GC' });
    const { result } = buildTriage(fargate, { taskDefinition: shared, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    const task = result.recommendation!.taskMemory!;
    expect(task).toBeGreaterThan(1024);
    expect(result.recommendation!.memory).toBeNull(); // no container has a hard limit: the fix is the task size
    const left = task - 50; // what the log router reserves
    expect(result.runtime!.recommendedFlag).toBeNull(); // no percentage without a limit of its own
    expect(result.runtime!.problems.join(' ')).toContain(
      `-Xmx3g is ${Math.round((3072 / left) * 100)} % of the ${left} MiB the other containers leave of the task: lower it to at most -Xmx${Math.floor(left * 0.75)}m`,
    );
    // A heap that fits says nothing of the kind; Node's flag is checked the same way.
    shared.containers[0] = { ...shared.containers[0]!, environment: { JAVA_TOOL_OPTIONS: '-Xmx512m' } };
    const fits = buildTriage(fargate, { taskDefinition: shared, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 }).result;
    expect(fits.runtime!.problems.join(' ')).not.toMatch(/other containers leave/);
    shared.containers[0] = { ...shared.containers[0]!, image: 'node:22', environment: { NODE_OPTIONS: '--max-old-space-size=4096' } };
    const node = buildTriage(fargate, { taskDefinition: shared, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 }).result;
    expect(node.runtime!.problems.join(' ')).toMatch(/--max-old-space-size=4096 is \d+ % of the \d+ MiB the other containers leave of the task: lower it to at most --max-old-space-size=\d+/);
  });
});
