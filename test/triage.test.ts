/**
 * The triage core on the cases a senior SRE would check by hand: a sidecar killed in a four-container task, a
 * standalone task, a stale revision, and an unexplained 137 with the memory at the limit.
 */
import { renderTriageText, toTriageJson } from '../lambda/triage-report';
import { renderEmailBody } from '../lambda/render-email';
import { renderSlack } from '../lambda/render-slack';
import { describe, expect, it, vi } from 'vitest';
import type { MetricsQuery } from '../lambda/memory-metrics';
import type { TaskDefinition } from '../lambda/model';
import { parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { buildTriage, gatherEvidence, triageTask } from '../lambda/triage';
import { EXAMPLES, SHARED_FIXTURES, loadFixtures, loadJson } from './helpers/fixtures';

const NOW = Date.parse('2026-11-20T14:08:00Z');
const OOM = 'OutOfMemoryError: Container killed due to memory usage';

/** A flat-ish per-minute history in percent of the task memory, peaking at `peakPct` at the end. */
function percentHistory(hours: number, basePct: number, peakPct: number) {
  const n = hours * 60;
  return Array.from({ length: n }, (_, i) => {
    const wobble = Math.sin(i / 17) * 2;
    const last = i >= n - 5;
    return { t: NOW - (n - i) * 60_000, max: last ? peakPct : basePct + 3 + wobble, avg: last ? peakPct - 3 : basePct + wobble };
  });
}

/** Shared fixture 09 (a four-container Fargate task) with one container OOM-killed. */
function fixture09WithOom(name: string) {
  const fixture = loadFixtures(SHARED_FIXTURES).find((f) => f.file.startsWith('09-'))!;
  const detail = structuredClone(fixture.event!['detail']) as { containers: Record<string, unknown>[] };
  Object.assign(detail.containers.find((c) => c['name'] === name)!, { lastStatus: 'STOPPED', exitCode: 137, reason: OOM });
  return parseTaskStateChange({ ...fixture.event, detail });
}

/** The triage with that task definition and a 6 h service history in percent, 60 % rising to 75 % at the kill. */
function triageFixture09(task: ReturnType<typeof fixture09WithOom>, definition: TaskDefinition) {
  return triageTask(
    task,
    {
      describeTaskDefinition: async () => definition,
      fetchMemoryMetrics: async () => ({ datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: percentHistory(6, 60, 75) }], containerInsights: false }),
    },
    { now: NOW, lookbackHours: 24 },
  );
}

describe('sidecar killed in a four-container task (shared fixture 09, made an OOM)', () => {
  const task = fixture09WithOom('cdp-demo-test-15_log_router');
  const definition: TaskDefinition = {
    taskDefinitionArn: task.taskDefinitionArn,
    family: 'cdp-demo-test-15',
    revision: 1,
    cpu: 1024,
    memory: 2048,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    containers: [
      { name: 'cdp-demo-test-15_log_router', image: 'cdp-fluent-bit:latest', essential: false, memory: 128, memoryReservation: 50, cpu: 0, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null },
      { name: 'cdp-demo-test-15_ssl', image: 'cdp-ssl-sidecar:12', essential: false, memory: 256, memoryReservation: 128, cpu: 0, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null },
      { name: 'cdp-demo-test-15', image: 'cdp-demo-test-15:0.1.0', essential: true, memory: 1536, memoryReservation: 1024, cpu: 0, environment: { NODE_OPTIONS: '--max-old-space-size=1400' }, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null },
      { name: 'cdp-demo-test-15_cwagent', image: 'cdp-cloudwatch-agent:latest', essential: false, memory: 128, memoryReservation: 64, cpu: 0, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null },
    ],
  };

  it('names the sidecar, keeps the task running, and keeps the limits within the task memory', async () => {
    const { result } = await triageFixture09(task, definition);
    expect(result.classification.verdict).toBe('oom');
    expect(result.classification.target).toBe('cdp-demo-test-15_log_router');
    const verdicts = Object.fromEntries(result.classification.containers.map((c) => [c.name, [c.kind, c.essential]]));
    expect(verdicts['cdp-demo-test-15_log_router']).toEqual(['oom-killed', false]);
    expect(verdicts['cdp-demo-test-15']).toEqual(['running', true]);
    const rec = result.recommendation!;
    expect(rec.memory).toBeGreaterThan(128);
    const others = definition.containers.filter((c) => c.name !== rec.container).reduce((s, c) => s + (c.memory ?? c.memoryReservation ?? 0), 0);
    expect((rec.memory ?? Number.NaN) + others).toBeLessThanOrEqual(rec.taskMemory ?? definition.memory!);
    // The service metric is the task's: the triage must say the numbers are not the sidecar's own.
    expect(result.analysis.reasons.join(' ')).toMatch(/all 4 containers together/);
    expect(result.confidence).not.toBe('high');
    expect(result.suggestions.join(' ')).toMatch(/containerInsights,value=enhanced/);
  });
});

describe('a Go sidecar (the ADOT collector) killed in the same task', () => {
  const task = fixture09WithOom('cdp-demo-test-15_cwagent');
  const container = (name: string, image: string, memory: number, memoryReservation: number, environment: Record<string, string> = {}) => ({
    name, image, essential: name === 'cdp-demo-test-15', memory, memoryReservation, cpu: 0, environment, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null,
  });
  const definition: TaskDefinition = {
    taskDefinitionArn: task.taskDefinitionArn, family: 'cdp-demo-test-15', revision: 1, cpu: 1024, memory: 2048, requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc',
    containers: [
      container('cdp-demo-test-15_log_router', 'cdp-fluent-bit:latest', 128, 50),
      container('cdp-demo-test-15_ssl', 'cdp-ssl-sidecar:12', 256, 128),
      container('cdp-demo-test-15', 'cdp-demo-test-15:0.1.0', 1280, 1024),
      container('cdp-demo-test-15_cwagent', 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1', 256, 128, { AOT_CONFIG_CONTENT: 'receivers: {}' }),
    ],
  };

  it('sets GOMEMLIMIT under the new limit, in the alert sentence and the CLI steps, and never prints another variable', async () => {
    const { result } = await triageFixture09(task, definition);
    expect(result.classification.target).toBe('cdp-demo-test-15_cwagent');
    const memory = result.recommendation!.memory!;
    expect(memory).toBeGreaterThan(256);
    expect(result.runtime).toMatchObject({ runtime: 'go', detectedFrom: 'image', currentFlag: null, recommendedFlag: `${Math.floor(memory * 0.8)}MiB` }); // a collector: 80 %
    expect(result.runtime!.problems[0]).toMatch(/^No GOMEMLIMIT: Go does not read the container's limit/);
    expect(result.runtime!.problems.join(' ')).toMatch(/memory_limiter/);
    const email = renderEmailBody(result, {});
    expect(email).toContain(`Set GOMEMLIMIT=${Math.floor(memory * 0.8)}MiB in the container's environment`);
    expect(email).toContain('--arg v GOMEMLIMIT');
    const slack = JSON.stringify(renderSlack(result, { series: null }));
    expect(slack).toContain(`GOMEMLIMIT=${Math.floor(memory * 0.8)}MiB`);
    expect(toTriageJson(result).runtimeFlag).toBe(`GOMEMLIMIT=${Math.floor(memory * 0.8)}MiB`);
    expect(email + slack).not.toContain('receivers: {}');
  });
});

describe('an event that lists no containers (a task that failed to start)', () => {
  it('takes the containers from the task definition, so the task-level OOM names one (the offline triage too)', () => {
    const ex = loadJson<{ detail: Record<string, unknown> }>(`${EXAMPLES}/oom-event.json`);
    const task = parseTaskStateChange({ ...ex, detail: { ...ex.detail, containers: [], stopCode: 'TaskFailedToStart', stoppedReason: 'OutOfMemoryError: Container killed due to memory usage' } });
    const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
    const noMetrics = { datasets: [], containerInsights: null };
    expect(buildTriage(task, { taskDefinition: null, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 }).result.classification.target).toBeNull();
    const { result } = buildTriage(task, { taskDefinition: definition, metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    expect(result.classification).toMatchObject({ verdict: 'oom', target: 'app' });
    expect(result.warnings).toContain("The event lists no containers: the task definition's are used.");
    expect(result.recommendation?.container).toBe('app');
  });
});

describe('a SIGKILL beside the essential container that was OOM-killed', () => {
  it('is explained as ECS stopping the task for that OOM, not as an unexplained kill of its own (CLI text)', () => {
    const ex = loadJson<{ detail: { containers: Record<string, unknown>[] } & Record<string, unknown> }>(`${EXAMPLES}/oom-event.json`);
    const containers = ex.detail.containers.map((c) => (c['name'] === 'log_router' ? { ...c, exitCode: 137, reason: undefined } : c));
    const task = parseTaskStateChange({ ...ex, detail: { ...ex.detail, stopCode: 'EssentialContainerExited', containers } });
    const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
    const { result } = buildTriage(task, { taskDefinition: definition, metrics: { datasets: [], containerInsights: null }, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    expect(result.classification).toMatchObject({ verdict: 'oom', target: 'app' });
    const text = renderTriageText(result);
    expect(text).toMatch(/log_router \[sidecar\]: sigkill, exit 137\n {4}The essential container app was OOM-killed, so ECS stopped the task and this one was SIGKILLed/);
    expect(text).not.toMatch(/no stop initiated by ECS/);
  });
});

describe('no task definition (the CLI without --task-definition, or DescribeTaskDefinition failed)', () => {
  it("sizes the task from every container's limit the event carries, not the killed one's alone", () => {
    const ex = loadJson<{ detail: { containers: Record<string, unknown>[] } & Record<string, unknown> }>(`${EXAMPLES}/oom-event.json`);
    const containers = ex.detail.containers.map((c) => ({ ...c, memory: c['name'] === 'app' ? '768' : '256' }));
    const task = parseTaskStateChange({ ...ex, detail: { ...ex.detail, containers, memory: '1024', cpu: '512' } });
    const { result } = buildTriage(task, { taskDefinition: null, metrics: { datasets: [], containerInsights: null }, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });
    expect(result.recommendation).toMatchObject({ container: 'app', memory: 960, taskMemory: 2048 });
  });
});

describe('standalone task (group family:...)', () => {
  const event = loadJson<{ detail: Record<string, unknown> }>(`${EXAMPLES}/oom-event.json`);
  const task = parseTaskStateChange({ ...event, detail: { ...event.detail, group: 'family:nightly-report', startedBy: 'events-rule/nightly' } });
  const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));

  it('asks only Container Insights (no service metrics exist), says so, and still recommends', async () => {
    const fetchMemoryMetrics = vi.fn(async (_q: MetricsQuery) => ({ datasets: [], containerInsights: false }));
    const deployedTaskDefinitionArn = vi.fn(async () => null);
    const evidence = await gatherEvidence(task, 'app', { describeTaskDefinition: async () => definition, fetchMemoryMetrics, deployedTaskDefinitionArn }, { now: NOW, lookbackHours: 24 });
    expect(deployedTaskDefinitionArn).not.toHaveBeenCalled();
    const { result } = buildTriage(task, evidence, { now: NOW, lookbackHours: 24 });
    expect(task.serviceName).toBeNull();
    expect(result.analysis.evidence.source).toBe('none');
    expect(result.analysis.reasons.join(' ')).toMatch(/standalone task/);
    expect(result.recommendation!.memory).toBeGreaterThan(1024);
    expect(result.confidence).toBe('low');
  });
});

describe('stale revision', () => {
  const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
  const task = parseTaskStateChange(event);
  const killed = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
  const deployed: TaskDefinition = {
    ...killed,
    taskDefinitionArn: killed.taskDefinitionArn!.replace(':42', ':43'),
    revision: 43,
    memory: 4096,
    containers: killed.containers.map((c) => (c.name === 'app' ? { ...c, memory: 3072, memoryReservation: 2048 } : c)),
  };

  it('says the service already runs a newer revision and compares with it', async () => {
    const describeTaskDefinition = vi.fn(async (arn: string) => (arn.endsWith(':43') ? deployed : killed));
    const { result } = await triageTask(
      task,
      { describeTaskDefinition, deployedTaskDefinitionArn: async () => deployed.taskDefinitionArn },
      { now: NOW, lookbackHours: 24 },
    );
    expect(describeTaskDefinition).toHaveBeenCalledTimes(2);
    expect(result.staleRevision).toMatchObject({ killed: 42, deployed: 43, deployedValues: { memory: 3072, memoryReservation: 2048, taskMemory: 4096 } });
    expect(result.warnings.join(' ')).toMatch(/already runs checkout-api:43/);
    expect(result.warnings.join(' ')).toMatch(/the fix may be deployed/);
  });

  it('says nothing when the killed revision is the deployed one', async () => {
    const { result } = await triageTask(task, { describeTaskDefinition: async () => killed, deployedTaskDefinitionArn: async () => killed.taskDefinitionArn }, { now: NOW, lookbackHours: 24 });
    expect(result.staleRevision).toBeNull();
  });
});

describe('exit 137 with no reason', () => {
  const event = loadJson<{ detail: { containers: Record<string, unknown>[] } }>(`${EXAMPLES}/oom-event.json`);
  const detail = structuredClone(event.detail);
  delete detail.containers[0]!['reason'];
  const task = parseTaskStateChange({ ...event, detail });
  const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));

  it('is an OOM when the memory sat at the limit', async () => {
    const { result } = await triageTask(
      task,
      { describeTaskDefinition: async () => definition, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: percentHistory(6, 80, 100) }], containerInsights: false }) },
      { now: NOW, lookbackHours: 24 },
    );
    expect(result.classification.verdict).toBe('oom');
    expect(result.classification.confidence).toBe('medium');
    expect(result.recommendation).not.toBeNull();
  });

  it('stays a possible OOM, with no memory change, when memory was far from the limit', async () => {
    const { result } = await triageTask(
      task,
      { describeTaskDefinition: async () => definition, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: percentHistory(6, 30, 35) }], containerInsights: false }) },
      { now: NOW, lookbackHours: 24 },
    );
    expect(result.classification.verdict).toBe('possible-oom');
    expect(result.recommendation).toBeNull();
  });

  it('is the cascade of another essential container exit, with a warning when memory also sat at the limit', async () => {
    const cascade = structuredClone(task);
    cascade.stopCode = 'EssentialContainerExited';
    cascade.containers.push({ ...cascade.containers[1]!, name: 'envoy', exitCode: 1, reason: null });
    const withEnvoy: TaskDefinition = { ...definition, containers: [...definition.containers, { ...definition.containers[1]!, name: 'envoy', essential: true }] };
    const { result } = await triageTask(
      cascade,
      { describeTaskDefinition: async () => withEnvoy, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: percentHistory(6, 80, 100) }], containerInsights: false }) },
      { now: NOW, lookbackHours: 24 },
    );
    expect(result.classification.verdict).toBe('not-oom');
    expect(result.classification.sigkillCause).toMatch(/envoy/);
    expect(result.recommendation).toBeNull();
    expect(result.warnings.join(' ')).toMatch(/memory peaked at its limit too: it may be the next OOM/);
  });

  it('is a possible OOM, with a fix, when the essential container exited cleanly (0) and memory sat at the limit: the exit may have answered the SIGTERM', async () => {
    // nginx, gunicorn and most servers exit 0 on SIGTERM: after app died first (the OOM killer, the reason lost), ECS
    // stopped the task and nginx exited 0. The event reads the same as nginx ending first; memory at the limit decides.
    const cascade = structuredClone(task);
    cascade.stopCode = 'EssentialContainerExited';
    cascade.containers.push({ ...cascade.containers[1]!, name: 'nginx', exitCode: 0, reason: null });
    const withNginx: TaskDefinition = { ...definition, containers: [...definition.containers, { ...definition.containers[1]!, name: 'nginx', essential: true }] };
    const triage = (points: ReturnType<typeof percentHistory>) =>
      triageTask(cascade, { describeTaskDefinition: async () => withNginx, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points }], containerInsights: false }) }, { now: NOW, lookbackHours: 24 });
    const atLimit = (await triage(percentHistory(6, 80, 100))).result;
    expect(atLimit.classification).toMatchObject({ verdict: 'possible-oom', confidence: 'low', target: 'app' });
    expect(atLimit.classification.notes.join(' ')).toMatch(/Its memory was at the limit when an essential container exited 0: it may have died first/);
    expect(atLimit.recommendation).not.toBeNull();
    // Nothing in the alert says any more that memory is not the problem.
    expect(atLimit.classification.sigkillCause).toBeNull();
    const email = renderEmailBody(atLimit, {});
    const slack = JSON.stringify(renderSlack(atLimit, { series: null }));
    for (const text of [email, slack]) expect(text).not.toMatch(/not a memory problem|will not help/i);
    expect(email).toMatch(/it may have died first/);
    // Far from the limit: nginx's exit stopped the task, not memory.
    const low = (await triage(percentHistory(6, 30, 35))).result;
    expect(low.classification.verdict).toBe('not-oom');
    expect(low.recommendation).toBeNull();
  });

  it('stays the cascade when any essential container that exited first exited with an error, whatever the event order', async () => {
    for (const order of [['envoy', 'nginx'], ['nginx', 'envoy']]) {
      const cascade = structuredClone(task);
      cascade.stopCode = 'EssentialContainerExited';
      for (const name of order) cascade.containers.push({ ...cascade.containers[1]!, name, exitCode: name === 'envoy' ? 1 : 0, reason: null });
      const both: TaskDefinition = { ...definition, containers: [...definition.containers, ...order.map((name) => ({ ...definition.containers[1]!, name, essential: true }))] };
      const { result } = await triageTask(
        cascade,
        { describeTaskDefinition: async () => both, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: percentHistory(6, 80, 100) }], containerInsights: false }) },
        { now: NOW, lookbackHours: 24 },
      );
      expect(result.classification.verdict, order.join(',')).toBe('not-oom');
    }
  });

  it('stays the cascade when only the whole task sat at its cap (a task series), not this container at its own limit', async () => {
    // A 2048 MiB task: job (essential, no hard limit) exits 0 at the task's cap; agent (essential, 256 MiB) ignored the
    // SIGTERM and was SIGKILLed after stopTimeout. The task series at the cap says nothing about the agent's memory.
    const batch = structuredClone(task);
    batch.stopCode = 'EssentialContainerExited';
    batch.memory = 2048;
    batch.containers = [
      { ...batch.containers[0]!, name: 'agent', exitCode: 137, reason: null, memory: 256 },
      { ...batch.containers[0]!, name: 'job', exitCode: 0, reason: null, memory: null },
    ];
    const td: TaskDefinition = {
      ...definition,
      memory: 2048,
      containers: [
        { ...definition.containers[0]!, name: 'agent', essential: true, memory: 256, memoryReservation: null },
        { ...definition.containers[0]!, name: 'job', essential: true, memory: null, memoryReservation: null },
      ],
    };
    const { result } = await triageTask(
      batch,
      { describeTaskDefinition: async () => td, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'container-insights-task', unit: 'MiB', periodSeconds: 60, points: percentHistory(6, 1600, 2048) }], containerInsights: true }) },
      { now: NOW, lookbackHours: 24 },
    );
    expect(result.classification).toMatchObject({ verdict: 'not-oom', target: 'agent' });
  });
});

describe('impossible metric values', () => {
  it('are dropped and the alert\'s reasons say so', () => {
    const task = parseTaskStateChange(loadJson(`${EXAMPLES}/oom-event.json`));
    const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
    const points = [...percentHistory(2, 60, 95).map((p) => ({ ...p })), { t: NOW - 30_000, max: 1e308, avg: 1e308 }];
    const { result } = buildTriage(
      task,
      { taskDefinition: definition, metrics: { datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points }], containerInsights: false }, deployed: null, warnings: [] },
      { now: NOW, lookbackHours: 24 },
    );
    expect(result.analysis.reasons.join(' ')).toMatch(/1 point with impossible values \(over 100 TiB, or not a number\) dropped/);
    expect(JSON.stringify(result)).not.toMatch(/Infinity|NaN/);
  });
});

describe('Fargate headroom', () => {
  it('says how far the hard limit can go inside the new task size at no extra cost', async () => {
    const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
    const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
    const { result } = await triageTask(parseTaskStateChange(event), { describeTaskDefinition: async () => definition }, { now: NOW, lookbackHours: 24 });
    const rec = result.recommendation!;
    const ceiling = rec.taskMemory! - 50; // the log router's reservation is the only other claim on the task
    expect(ceiling - (rec.memory ?? Number.NaN)).toBeGreaterThanOrEqual(128);
    expect(result.suggestions.join(' ')).toContain(`app's hard limit could go up to ${ceiling} MiB at no extra cost`);
  });
});

describe('leak', () => {
  it('estimates the next kill at the proposed limit, later than at the current one, and says raising only delays it', async () => {
    const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
    const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
    // 5-minute Container Insights history: +75 MiB/h from 380 MiB, restarts every 8 h, killed at 1024 MiB.
    const points = Array.from({ length: 289 }, (_, i) => {
      const m = (288 - i) * 5;
      const v = Math.min(1024, 380 + 75 * ((480 - (m % 480)) / 60) + (m < 30 ? 60 : 0));
      return { t: NOW - m * 60_000, max: v + 10, avg: v };
    });
    const { result } = await triageTask(
      parseTaskStateChange(event),
      { describeTaskDefinition: async () => definition, fetchMemoryMetrics: async () => ({ datasets: [{ source: 'container-insights-container', unit: 'MiB', periodSeconds: 300, points }], containerInsights: true }) },
      { now: NOW, lookbackHours: 24 },
    );
    expect(result.analysis.pattern).toBe('leak');
    const reason = result.analysis.reasons.find((r) => r.startsWith('at the proposed'))!;
    const [, proposed, current] = /about ([\d.]+) h after a restart \(([\d.]+) h at the current limit\)/.exec(reason)!;
    expect(Number(proposed)).toBeGreaterThan(Number(current));
    expect(result.analysis.nextKillEstimateHours).toBe(Number(proposed));
    expect(result.analysis.nextKillAtMiB).toBe(result.recommendation!.memory);
    // The text report says which limit the estimate is for.
    expect(renderTriageText(result)).toContain(`next kill in about ${Number(proposed).toFixed(1)} h at the proposed ${result.recommendation!.memory} MiB limit`);
    expect(result.suggestions.join(' ')).toMatch(/raising the limit only delays the next kill/);
    expect(result.runtime?.profiling).toMatch(/HeapDumpOnOutOfMemoryError/);
  });
});
