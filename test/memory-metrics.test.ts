import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildMetricQueries,
  containerInsightsCommand,
  fetchMemoryMetrics,
  parseMetricStatistics,
  type RawMemoryMetrics,
  selectMemorySeries,
  taskUsageCeiling,
  utilizationDenominator,
} from '../lambda/memory-metrics';
import { parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { analyzeMemory } from '../lambda/memory-pattern';
import { EXAMPLES, SHARED_FIXTURES, loadFixtures, loadJson } from './helpers/fixtures';

const task = parseTaskStateChange(loadJson(`${EXAMPLES}/oom-event.json`));
const def = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
const cw = mockClient(CloudWatchClient);
const NOW = Date.parse('2026-11-20T14:07:31Z');

beforeEach(() => cw.reset());

describe('fetchMemoryMetrics', () => {
  it('asks every source in one GetMetricData call and keeps what answered', async () => {
    const t0 = NOW - 3 * 60_000;
    const ts = [0, 1, 2].map((i) => new Date(t0 + i * 60_000));
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'cic_max', Timestamps: ts, Values: [900, 950, 1010] },
        { Id: 'cic_avg', Timestamps: ts, Values: [850, 900, 980] },
        { Id: 'ecs_max', Timestamps: ts, Values: [88, 93, 99] },
        { Id: 'ecs_avg', Timestamps: ts.slice(0, 2), Values: [80, 85] },
        { Id: 'cit_max', Timestamps: [], Values: [] },
      ],
    });
    const raw = await fetchMemoryMetrics(new CloudWatchClient({}), { task, container: 'app', lookbackHours: 24, now: NOW });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.MetricDataQueries).toHaveLength(6);
    const container = input.MetricDataQueries!.find((q) => q.Id === 'cic_max')!;
    expect(container.MetricStat!.Metric).toEqual({
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'ContainerMemoryUtilized',
      Dimensions: [
        { Name: 'ClusterName', Value: 'prod' },
        { Name: 'ServiceName', Value: 'checkout-api' },
        { Name: 'ContainerName', Value: 'app' },
      ],
    });
    expect(container.MetricStat!.Period).toBe(60);
    expect(input.EndTime!.getTime() - input.StartTime!.getTime()).toBe(24 * 3_600_000);
    expect(raw.containerInsights).toBe(true);
    expect(raw.datasets.map((d) => d.source)).toEqual(['container-insights-container', 'aws-ecs-service']);
    expect(raw.datasets[1]!.points[2]).toEqual({ t: ts[2]!.getTime(), max: 99, avg: null });
  });

  it('follows NextToken', async () => {
    const ts = new Date(NOW - 60_000);
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'ecs_max', Timestamps: [ts], Values: [50] }], NextToken: 'more' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'ecs_avg', Timestamps: [ts], Values: [40] }] });
    const raw = await fetchMemoryMetrics(new CloudWatchClient({}), { task, container: 'app', lookbackHours: 6, now: NOW });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cw.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('more');
    expect(raw.datasets[0]!.points).toEqual([{ t: ts.getTime(), max: 50, avg: 40 }]);
    expect(raw.containerInsights).toBe(false);
  });

  it('queries family-level Container Insights only, for a standalone task', () => {
    const standalone = { ...task, group: 'family:checkout-api', serviceName: null };
    const specs = buildMetricQueries({ task: standalone, container: 'app', lookbackHours: 24, now: NOW });
    expect(specs.map((s) => s.id).sort()).toEqual(['cic_avg', 'cic_max', 'cit_avg', 'cit_max']);
    expect(specs[0]!.dimensions).toContainEqual({ Name: 'TaskDefinitionFamily', Value: 'checkout-api' });
  });
});

describe('parseMetricStatistics', () => {
  it('reads the example get-metric-statistics output, sorted, 5-minute period, percent', () => {
    const d = parseMetricStatistics(loadJson(`${EXAMPLES}/metrics.json`), 'aws-ecs');
    expect(d.source).toBe('aws-ecs-service');
    expect(d.unit).toBe('percent');
    expect(d.periodSeconds).toBe(300);
    expect(d.points).toHaveLength(288);
    expect(d.points[0]!.t).toBeLessThan(d.points[287]!.t);
  });

  it('reads Container Insights output in Megabytes by its label', () => {
    const d = parseMetricStatistics(
      { Label: 'ContainerMemoryUtilized', Datapoints: [{ Timestamp: '2026-11-20T14:00:00Z', Maximum: 700, Average: 650, Unit: 'Megabytes' }] },
      'container-insights',
    );
    expect(d).toMatchObject({ source: 'container-insights-container', unit: 'MiB' });
  });

  it('reads numbers that carry no unit as what the file was given as: --metrics is MemoryUtilization (percent)', () => {
    const ts = ['2026-11-20T14:00:00Z', '2026-11-20T14:05:00Z'];
    // get-metric-data has no Unit, and the Labels are whatever the user named the queries.
    const gmd = { MetricDataResults: [{ Id: 'max', Label: 'max', Timestamps: ts, Values: [99, 100] }, { Id: 'avg', Label: 'avg', Timestamps: ts, Values: [80, 82] }] };
    expect(parseMetricStatistics(gmd, 'aws-ecs')).toMatchObject({ source: 'aws-ecs-service', unit: 'percent' });
    expect(parseMetricStatistics(gmd, 'container-insights')).toMatchObject({ unit: 'MiB' });
    // get-metric-statistics with neither Label nor Unit.
    const bare = { Datapoints: ts.map((t) => ({ Timestamp: t, Maximum: 99, Average: 80 })) };
    expect(parseMetricStatistics(bare, 'aws-ecs')).toMatchObject({ unit: 'percent' });
    // A label or unit that says otherwise wins.
    expect(parseMetricStatistics({ Label: 'MemoryUtilized', Datapoints: bare.Datapoints }, 'aws-ecs')).toMatchObject({ unit: 'MiB' });
    const kb = parseMetricStatistics({ Datapoints: [{ Timestamp: ts[0], Maximum: 1048576, Unit: 'Kilobytes' }] }, 'aws-ecs');
    expect(kb).toMatchObject({ unit: 'MiB' });
    expect(kb.points[0]!.max).toBe(1024);
    expect(parseMetricStatistics({ Datapoints: [{ Timestamp: ts[0], Maximum: 2 * 1024 ** 3, Unit: 'Bytes' }] }, 'aws-ecs').points[0]!.max).toBe(2048);
    expect(parseMetricStatistics({ Datapoints: [{ Timestamp: ts[0], Maximum: 1.5, Unit: 'Gigabytes' }] }, 'aws-ecs').points[0]!.max).toBe(1536);
  });

  it('merges duplicate timestamps, skips negative and non-numeric values, and keeps the common period', () => {
    const at = (m: number) => new Date(Date.parse('2026-11-20T14:00:00Z') - m * 60_000).toISOString();
    const d = parseMetricStatistics(
      {
        Label: 'MemoryUtilization',
        Datapoints: [
          { Timestamp: at(0), Maximum: 90, Average: 80, Unit: 'Percent' },
          { Timestamp: at(0), Maximum: 95, Average: 70, Unit: 'Percent' },
          { Timestamp: at(1), Maximum: 60, Unit: 'Percent' },
          { Timestamp: at(2), Maximum: -5, Average: 'NaN' },
          { Timestamp: 'garbage', Maximum: 50 },
          { Timestamp: at(3), Maximum: 61, Average: 59 },
          { Timestamp: at(60 * 24 * 365), Maximum: 10, Average: 10 },
        ],
      },
      'aws-ecs',
    );
    expect(d.points).toHaveLength(4);
    expect(d.points[3]).toEqual({ t: Date.parse(at(0)), max: 95, avg: 75 });
    expect(d.periodSeconds).toBe(60);
  });

  it('also reads get-metric-data output, telling Maximum from Average by Id', () => {
    const ts = ['2026-11-20T14:00:00+00:00', '2026-11-20T13:59:00+00:00'];
    const d = parseMetricStatistics(
      {
        MetricDataResults: [
          { Id: 'avg', Label: 'ContainerMemoryUtilized', Timestamps: ts, Values: [600, 580], StatusCode: 'Complete' },
          { Id: 'max', Label: 'ContainerMemoryUtilized', Timestamps: ts, Values: [700, 650], StatusCode: 'Complete' },
        ],
      },
      'container-insights',
    );
    expect(d).toMatchObject({ source: 'container-insights-container', unit: 'MiB', periodSeconds: 60 });
    expect(d.points).toEqual([
      { t: Date.parse(ts[1]!), max: 650, avg: 580 },
      { t: Date.parse(ts[0]!), max: 700, avg: 600 },
    ]);
    expect(() => parseMetricStatistics({ MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [] }, { Id: 'b', Timestamps: [], Values: [] }] }, 'aws-ecs')).toThrow(
      /cannot tell the Maximum/,
    );
  });

  it.each([[null], [{}], [{ Datapoints: 'x' }]])('rejects %j', (input) => {
    expect(() => parseMetricStatistics(input, 'aws-ecs')).toThrow(/Datapoints/);
  });
});

describe('selectMemorySeries', () => {
  const pts = [{ t: NOW - 60_000, max: 100, avg: 50 }];
  const raw = (sources: RawMemoryMetrics['datasets']): RawMemoryMetrics => ({ datasets: sources, containerInsights: null });

  it('converts AWS/ECS percent with the task memory and says it is the task, not the container', () => {
    const { series, notes } = selectMemorySeries(raw([{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: pts }]), {
      task,
      taskDefinition: def,
      container: 'app',
    });
    expect(series).toMatchObject({ source: 'aws-ecs-service', scope: 'service', ceilingMiB: 1024 });
    expect(series.points[0]).toMatchObject({ maxMiB: 1024, avgMiB: 512 });
    expect(notes[0]).toMatch(/\(both containers together\)/);
  });

  it('caps a task-scope series at what caps the task: the one container\'s own hard limit, or nothing when something has no cap', () => {
    const percent75 = raw([{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: [{ t: NOW - 60_000, max: 75, avg: 70 }] }]);
    // One container with a 1536 MiB hard limit in a 2048 MiB Fargate task: 75 % of the task is the container's limit.
    const single = { ...def, memory: 2048, containers: [{ ...def.containers[0]!, memory: 1536 }] };
    const one = selectMemorySeries(percent75, { task, taskDefinition: single, container: single.containers[0]!.name });
    expect(one.series).toMatchObject({ scope: 'service', ceilingMiB: 1536 });
    expect(one.series.points[0]!.maxMiB).toBe(1536);
    expect(analyzeMemory(one.series, { limitMiB: one.series.ceilingMiB, now: NOW }).evidence.censored).toBe(true);
    // EC2 with reservations only and no task memory: the percentage's denominator (the reservations) is no limit.
    const soft = { ...def, memory: null, containers: def.containers.map((c) => ({ ...c, memory: null, memoryReservation: 256 })) };
    const none = selectMemorySeries(percent75, { task: { ...task, memory: null }, taskDefinition: soft, container: 'app' });
    expect(none.series.ceilingMiB).toBeNull();
    expect(none.series.points[0]!.maxMiB).toBe(384); // 75 % of the 512 MiB of reservations
    expect(taskUsageCeiling(soft, { ...task, memory: null })).toBeNull();
    // Every container capped, no task memory: the sum of the hard limits.
    const hard = { ...def, memory: null, containers: def.containers.map((c) => ({ ...c, memory: 300 })) };
    expect(taskUsageCeiling(hard, { ...task, memory: null })).toBe(600);
  });

  it('drops points with impossible values (over 100 TiB) and says so, so nothing downstream reads Infinity', () => {
    const { series, notes } = selectMemorySeries(
      raw([{ source: 'container-insights-container', unit: 'MiB', periodSeconds: 60, points: [{ t: NOW - 120_000, max: 1e308, avg: 1e308 }, { t: NOW - 60_000, max: 900, avg: 800 }] }]),
      { task, taskDefinition: def, container: 'app' },
    );
    expect(series.points).toEqual([{ t: NOW - 60_000, maxMiB: 900, avgMiB: 800 }]);
    expect(notes.join(' ')).toMatch(/1 point with impossible values/);
  });

  it('skips a container percentage with no limit to convert it, and a source left with no usable point, for the next source', () => {
    const noLimits = { ...task, memory: null, containers: task.containers.map((c) => ({ ...c, memory: null })) };
    const { series, notes } = selectMemorySeries(
      raw([
        { source: 'container-insights-container', unit: 'percent', periodSeconds: 60, points: [{ t: NOW - 60_000, max: 90, avg: 80 }] },
        { source: 'container-insights-task', unit: 'MiB', periodSeconds: 60, points: [{ t: NOW - 60_000, max: 1e308, avg: 1e308 }] },
        { source: 'aws-ecs-service', unit: 'MiB', periodSeconds: 60, points: [{ t: NOW - 60_000, max: 700, avg: 600 }] },
      ]),
      { task: noLimits, taskDefinition: null, container: 'app' },
    );
    expect(series.source).toBe('aws-ecs-service');
    expect(series.points).toHaveLength(1);
    expect(notes.join(' ')).toMatch(/container-insights-container: a percentage with no known container or task limit.*skipped/);
    expect(notes.join(' ')).not.toMatch(/container-insights-container: \d+ points? with impossible values/);
  });

  it('prefers the container-level Container Insights metric', () => {
    const { series } = selectMemorySeries(
      raw([
        { source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: pts },
        { source: 'container-insights-container', unit: 'MiB', periodSeconds: 60, points: [{ t: NOW, max: 1000, avg: 900 }] },
      ]),
      { task, taskDefinition: def, container: 'app' },
    );
    expect(series).toMatchObject({ source: 'container-insights-container', scope: 'container', ceilingMiB: 1024 });
    expect(series.points[0]!.maxMiB).toBe(1000);
  });

  it('uses soft limits as the denominator when only they are set (EC2 fixture 12)', () => {
    const f = loadFixtures(SHARED_FIXTURES).find((x) => x.file.startsWith('12-'))!;
    const ec2 = parseTaskStateChange(f.event);
    expect(utilizationDenominator(null, { ...ec2, memory: null })).toBe(128);
  });

  it('uses the soft limit as the denominator whenever one is set, even beside a hard limit (ECS counts reserved memory that way)', () => {
    // docs.aws.amazon.com/AmazonECS/latest/developerguide/service_utilization.html: "If you specify a soft limit
    // (memoryReservation), it's used to calculate the amount of reserved memory. Otherwise, the hard limit (memory) is
    // used." So 199 % of an app with memory 1024 / memoryReservation 512 is about 1019 MiB, not 2038 MiB.
    const ec2 = { ...task, memory: null, containers: [{ ...task.containers[0]!, name: 'app', memory: 1024, memoryReservation: 512 }] };
    expect(utilizationDenominator(null, ec2)).toBe(512);
    const { series } = selectMemorySeries(raw([{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: [{ t: NOW - 60_000, max: 199, avg: 150 }] }]), {
      task: ec2,
      taskDefinition: null,
      container: 'app',
    });
    expect(series.points[0]!.maxMiB).toBeCloseTo(1018.9, 1);
  });

  it('passes over a source that reported only zeros (telemetry that never worked), for the next source or none', () => {
    // A container the kernel killed at its limit did not use 0 MiB all day: zeros read as a baseline would make the
    // kill a huge "spike".
    const zeros = Array.from({ length: 288 }, (_, i) => ({ t: NOW - (288 - i) * 300_000, max: 0, avg: 0 }));
    const next = selectMemorySeries(
      raw([
        { source: 'container-insights-container', unit: 'MiB', periodSeconds: 300, points: zeros },
        { source: 'aws-ecs-service', unit: 'percent', periodSeconds: 60, points: pts },
      ]),
      { task, taskDefinition: def, container: 'app' },
    );
    expect(next.series.source).toBe('aws-ecs-service');
    const only = selectMemorySeries(raw([{ source: 'aws-ecs-service', unit: 'percent', periodSeconds: 300, points: zeros }]), { task, taskDefinition: def, container: 'app' });
    expect(only.series.source).toBe('none');
  });

  it('says so when there is nothing, and that standalone tasks have no service metrics', () => {
    const { series, notes } = selectMemorySeries(raw([]), { task: { ...task, serviceName: null, group: 'family:x' }, taskDefinition: def, container: 'app' });
    expect(series.source).toBe('none');
    expect(series.ceilingMiB).toBe(1024);
    expect(notes.join(' ')).toMatch(/standalone task/);
  });

  it('prints the exact command to enable Container Insights', () => {
    expect(containerInsightsCommand(task)).toBe(
      'aws ecs update-cluster-settings --cluster prod --settings name=containerInsights,value=enhanced --region eu-west-1',
    );
  });
});
