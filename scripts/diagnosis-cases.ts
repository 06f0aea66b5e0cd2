/**
 * `npx tsx scripts/diagnosis-cases.ts`: runs the real triage core on a set of hand-built cases (the shapes the
 * tests drive: 1- and 5-minute periods, gaps, restarts, a plateau censored at the limit, sidecars, standalone
 * tasks, stale revisions) and prints a Markdown table of what the tool says for each.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MetricDataset, RawMemoryMetrics } from '../lambda/memory-metrics';
import type { TaskDefinition, TaskSnapshot } from '../lambda/model';
import { parseMetricStatistics } from '../lambda/memory-metrics';
import { parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { triageTask } from '../lambda/triage';

const root = resolve(__dirname, '..');
const json = (p: string) => JSON.parse(readFileSync(resolve(root, p), 'utf8')) as Record<string, unknown>;
const exampleEvent = json('examples/oom-event.json') as { detail: Record<string, unknown> } & Record<string, unknown>;
const exampleDef = parseTaskDefinition(json('examples/task-definition.json'));
const exampleMetrics = parseMetricStatistics(json('examples/metrics.json'), 'aws-ecs');
const STOP = Date.parse('2026-11-20T14:07:31Z');
const OOM = 'OutOfMemoryError: Container killed due to memory usage';

function task(detail: Record<string, unknown> = {}, app: Record<string, unknown> = {}): TaskSnapshot {
  const containers = (exampleEvent.detail['containers'] as Record<string, unknown>[]).map((c, i) => (i === 0 ? { ...c, ...app } : c));
  return parseTaskStateChange({ ...exampleEvent, detail: { ...exampleEvent.detail, containers, ...detail } });
}

function def(over: Partial<TaskDefinition> = {}, app: Partial<TaskDefinition['containers'][number]> = {}): TaskDefinition {
  return { ...exampleDef, ...over, containers: exampleDef.containers.map((c) => (c.name === 'app' ? { ...c, ...app } : c)) };
}

/** A MiB series for the container (Container Insights), per `periodMin`, from a function of minutes before the kill. */
function ci(hours: number, periodMin: number, f: (minutesBefore: number) => number | null, noise = 8): RawMemoryMetrics {
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
  const points = [];
  for (let m = hours * 60; m >= 0; m -= periodMin) {
    const v = f(m);
    if (v === null) continue;
    points.push({ t: STOP - m * 60_000, max: v + Math.abs(rnd() * noise) + noise, avg: v + rnd() * noise });
  }
  const dataset: MetricDataset = { source: 'container-insights-container', unit: 'MiB', periodSeconds: periodMin * 60, points };
  return { datasets: [dataset], containerInsights: true };
}

const capped = (limit: number) => (v: number) => Math.min(limit, v);

interface Case {
  name: string;
  task: TaskSnapshot;
  definition: TaskDefinition | null;
  metrics: RawMemoryMetrics | null;
  deployed?: TaskDefinition;
}

const cases: Case[] = [
  { name: 'Bundled example: JVM, AWS/ECS 5-min, 24 h, plateau at 100 %', task: task(), definition: exampleDef, metrics: { datasets: [exampleMetrics], containerInsights: false } },
  {
    name: 'Chronic: Container Insights 1-min, 24 h at 88-95 %, censored at the limit',
    task: task(),
    definition: def(),
    metrics: ci(24, 1, (m) => capped(1024)(920 + 30 * Math.sin(m / 240) + (m < 10 ? 200 : 0))),
  },
  {
    name: 'Spike: 1-min, 24 h flat at 45 %, then a 4-minute burst to the limit',
    task: task(),
    definition: def(),
    metrics: ci(24, 1, (m) => (m < 4 ? 1024 : 460 + 20 * Math.sin(m / 90))),
  },
  {
    name: 'Leak sawtooth: 5-min, 24 h, +75 MiB/h, restarts every 8 h reset usage',
    task: task(),
    definition: def(),
    metrics: ci(24, 5, (m) => capped(1024)(380 + 75 * ((480 - (m % 480)) / 60) + (m < 30 ? 60 : 0))),
  },
  {
    name: 'Leak with gaps: 1-min, 12 h linear climb, 20 % of points missing',
    task: task(),
    definition: def(),
    metrics: ci(12, 1, (m) => (m % 5 === 0 ? null : capped(1024)(1024 - m * 0.8)), 4),
  },
  { name: 'Unknown: 20 minutes of history', task: task(), definition: def(), metrics: ci(0.33, 1, () => 990) },
  { name: 'No metrics at all', task: task(), definition: def(), metrics: null },
  {
    name: 'Node: --max-old-space-size=1800 in a 2048 MiB container',
    task: task({ memory: '4096', cpu: '1024' }, { memory: '2048', memoryReservation: '1024', image: 'node:22-slim' }),
    definition: def({ memory: 4096, cpu: 1024 }, { image: 'node:22-slim', memory: 2048, memoryReservation: 1024, environment: { NODE_OPTIONS: '--max-old-space-size=1800' } }),
    metrics: ci(24, 1, (m) => capped(2048)(1500 + 200 * Math.sin(m / 200) + (m < 30 ? 500 : 0))),
  },
  {
    name: 'Python leak on EC2, soft limit only (memoryReservation 512, no hard limit)',
    task: task({ launchType: 'EC2', memory: null, cpu: null }, { memory: null, memoryReservation: '512', image: 'python:3.12-slim' }),
    definition: def({ memory: null, cpu: null, requiresCompatibilities: ['EC2'] }, { image: 'python:3.12-slim', memory: null, memoryReservation: 512, environment: {} }),
    metrics: ci(24, 5, (m) => 300 + 30 * ((24 * 60 - m) / 60)),
  },
  {
    name: 'Standalone task (family:nightly-report), no Container Insights',
    task: task({ group: 'family:nightly-report' }),
    definition: def(),
    metrics: { datasets: [], containerInsights: false },
  },
  {
    name: 'Stale revision: service already runs :43 with 3072 MiB',
    task: task(),
    definition: def(),
    metrics: { datasets: [exampleMetrics], containerInsights: false },
    deployed: def({ taskDefinitionArn: exampleDef.taskDefinitionArn!.replace(':42', ':43'), revision: 43, memory: 4096 }, { memory: 3072, memoryReservation: 2048 }),
  },
  {
    name: 'SIGKILL on deploy scale-in (137, no OOM reason)',
    task: task({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/123)' }, { reason: null }),
    definition: def(),
    metrics: { datasets: [exampleMetrics], containerInsights: false },
  },
  {
    name: 'Exit 137 with no reason, memory at the limit',
    task: task({}, { reason: null }),
    definition: def(),
    metrics: { datasets: [exampleMetrics], containerInsights: false },
  },
  {
    name: 'OOM at container start (CannotStartContainerError ... OOM-killed)',
    task: task({ stopCode: 'TaskFailedToStart' }, { exitCode: null, reason: 'CannotStartContainerError: failed to create shim task: container init was OOM-killed (memory limit too low?): unknown' }),
    definition: def(),
    metrics: null,
  },
];

// A sidecar (the log router) OOM-killed while the app keeps running, in the four-container shared fixture.
const shared = JSON.parse(readFileSync(resolve(root, '../shared/fixtures/ecs-events/09-fargate-4-container-sidecars-running.json'), 'utf8')) as { event: { detail: { containers: Record<string, unknown>[] } } };
const sidecarDetail = structuredClone(shared.event.detail);
Object.assign(sidecarDetail.containers[0]!, { lastStatus: 'STOPPED', exitCode: 137, reason: OOM });
const sidecarTask = parseTaskStateChange({ ...shared.event, detail: sidecarDetail });
const mk = (name: string, essential: boolean, memory: number, memoryReservation: number) => ({ name, image: `${name}:1`, essential, memory, memoryReservation, cpu: 0, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null });
cases.push({
  name: 'Sidecar (fluent-bit log router) OOM in a 4-container Fargate task, AWS/ECS service metric',
  task: sidecarTask,
  definition: {
    taskDefinitionArn: sidecarTask.taskDefinitionArn, family: 'cdp-demo-test-15', revision: 1, cpu: 1024, memory: 2048, requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc',
    containers: [mk('cdp-demo-test-15_log_router', false, 128, 50), mk('cdp-demo-test-15_ssl', false, 256, 128), mk('cdp-demo-test-15', true, 1536, 1024), mk('cdp-demo-test-15_cwagent', false, 128, 64)],
  },
  metrics: {
    datasets: [{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: Array.from({ length: 360 }, (_, i) => ({ t: STOP - (360 - i) * 60_000, max: 70 + 3 * Math.sin(i / 20), avg: 66 + 3 * Math.sin(i / 20) })) }],
    containerInsights: false,
  },
});

/** The Markdown table the README shows under "Diagnosis examples" (a test keeps the two the same). */
export async function diagnosisTable(): Promise<string> {
  const rows: string[] = [];
  rows.push('| case | verdict | pattern (confidence) | evidence | current → recommended (memory / reservation / task) | runtime flag | next kill |');
  rows.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of cases) {
    const { result } = await triageTask(
      c.task,
      {
        describeTaskDefinition: c.definition ? async (arn) => (c.deployed && arn === c.deployed.taskDefinitionArn ? c.deployed : c.definition!) : undefined,
        fetchMemoryMetrics: c.metrics ? async () => c.metrics! : undefined,
        deployedTaskDefinitionArn: c.deployed ? async () => c.deployed!.taskDefinitionArn : undefined,
      },
      { now: STOP, lookbackHours: 24 },
    );
    const r = result.recommendation;
    const e = result.analysis.evidence;
    const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(Math.round(n)));
    const rec = r
      ? `${fmt(r.current.memory)} / ${fmt(r.current.memoryReservation)} / ${fmt(r.current.taskMemory)} → **${r.memory} / ${r.memoryReservation} / ${fmt(r.taskMemory)}**${r.taskCpu !== r.current.taskCpu && r.taskCpu ? ` (cpu ${r.taskCpu})` : ''}`
      : result.classification.sigkillCause
        ? 'no memory change: handle SIGTERM / raise stopTimeout'
        : 'no change';
    const extra = [result.staleRevision ? `stale: :${result.staleRevision.deployed} deployed` : null, result.classification.target && result.classification.containers.find((x) => x.name === result.classification.target)?.essential === false ? 'sidecar' : null].filter(Boolean).join(', ');
    rows.push(
      `| ${c.name} | ${result.classification.verdict} (${result.confidence})${extra ? `, ${extra}` : ''} | ${result.analysis.pattern} (${result.analysis.confidence}) | ${e.source}, ${e.points} pts, ${e.hours.toFixed(1)} h, peak ${fmt(e.peakMiB)}, avg ${fmt(e.averageMiB)}, slope ${e.slopeMiBPerHour === null ? '-' : e.slopeMiBPerHour.toFixed(1)} | ${rec} | ${result.runtime?.recommendedFlag ?? '-'} | ${result.analysis.nextKillEstimateHours === null ? '-' : `${result.analysis.nextKillEstimateHours.toFixed(1)} h`} |`,
    );
  }
  return `${rows.join('\n')}\n`;
}

if (require.main === module) {
  void diagnosisTable().then((table) => process.stdout.write(table));
}
