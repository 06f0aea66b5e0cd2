/**
 * Memory history for a killed container: read from CloudWatch (adapter) or from `aws cloudwatch
 * get-metric-statistics` files (triage), then choose the best source and convert it to MiB (pure).
 *
 * Sources, best first:
 * 1. Container Insights with enhanced observability: `ECS/ContainerInsights` `ContainerMemoryUtilized` (MiB) by
 *    ClusterName + ServiceName (or TaskDefinitionFamily) + ContainerName: the container itself.
 * 2. Container Insights: `MemoryUtilized` (MiB) by ClusterName + ServiceName (or TaskDefinitionFamily): per task.
 * 3. `AWS/ECS` `MemoryUtilization` (percent) by ClusterName + ServiceName: per task, as a share of the memory in
 *    the task definition (task memory, else the containers' limits; soft limits when only those are set, so it
 *    can exceed 100 %). Services only: standalone tasks have none.
 * 4. None.
 * `Maximum` is the hottest task (or container) of the period; `Average` the mean across them.
 */
import { type CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { InvalidInputError } from './errors';
import type { EvidenceSource, MemoryPoint, MemorySeries, TaskDefinition, TaskSnapshot } from './model';
import { MAX_PLAUSIBLE_MIB } from './memory-pattern';
import { parseTimestamp } from './parse-task';

export interface RawPoint {
  t: number;
  max: number | null;
  avg: number | null;
}

export interface MetricDataset {
  source: Exclude<EvidenceSource, 'none'>;
  unit: 'percent' | 'MiB';
  periodSeconds: number;
  points: RawPoint[];
}

export interface RawMemoryMetrics {
  datasets: MetricDataset[];
  /** True when any Container Insights metric answered with data, false when none did, null when not asked. */
  containerInsights: boolean | null;
}

export interface MetricsQuery {
  task: TaskSnapshot;
  container: string;
  lookbackHours: number;
  now: number;
}

/** 1-minute points up to a day (1440 per query); 5-minute points beyond, as CloudWatch keeps them longer. */
export function periodFor(lookbackHours: number): number {
  return lookbackHours <= 24 ? 60 : 300;
}

export function dimensionsFor(task: TaskSnapshot): { Name: string; Value: string }[] | null {
  if (!task.clusterName) return null;
  if (task.serviceName) return [{ Name: 'ClusterName', Value: task.clusterName }, { Name: 'ServiceName', Value: task.serviceName }];
  if (task.family) return [{ Name: 'ClusterName', Value: task.clusterName }, { Name: 'TaskDefinitionFamily', Value: task.family }];
  return null;
}

interface QuerySpec {
  id: string;
  source: MetricDataset['source'];
  unit: MetricDataset['unit'];
  stat: 'Maximum' | 'Average';
  namespace: string;
  metric: string;
  dimensions: { Name: string; Value: string }[];
}

/** The GetMetricData queries for a task's memory: every source at once, in one call. */
export function buildMetricQueries(query: MetricsQuery): QuerySpec[] {
  const base = dimensionsFor(query.task);
  if (!base) return [];
  const specs: QuerySpec[] = [];
  for (const stat of ['Maximum', 'Average'] as const) {
    const s = stat === 'Maximum' ? 'max' : 'avg';
    specs.push({
      id: `cic_${s}`,
      source: 'container-insights-container',
      unit: 'MiB',
      stat,
      namespace: 'ECS/ContainerInsights',
      metric: 'ContainerMemoryUtilized',
      dimensions: [...base, { Name: 'ContainerName', Value: query.container }],
    });
    specs.push({
      id: `cit_${s}`,
      source: query.task.serviceName ? 'container-insights-service' : 'container-insights-task',
      unit: 'MiB',
      stat,
      namespace: 'ECS/ContainerInsights',
      metric: 'MemoryUtilized',
      dimensions: base,
    });
    if (query.task.serviceName) {
      specs.push({
        id: `ecs_${s}`,
        source: 'aws-ecs-service',
        unit: 'percent',
        stat,
        namespace: 'AWS/ECS',
        metric: 'MemoryUtilization',
        dimensions: base,
      });
    }
  }
  return specs;
}

/** Read every source with one GetMetricData call (following NextToken). */
export async function fetchMemoryMetrics(cloudwatch: CloudWatchClient, query: MetricsQuery): Promise<RawMemoryMetrics> {
  const specs = buildMetricQueries(query);
  if (specs.length === 0) return { datasets: [], containerInsights: null };
  const period = periodFor(query.lookbackHours);
  const queries: MetricDataQuery[] = specs.map((spec) => ({
    Id: spec.id,
    MetricStat: {
      Metric: { Namespace: spec.namespace, MetricName: spec.metric, Dimensions: spec.dimensions },
      Period: period,
      Stat: spec.stat,
    },
    ReturnData: true,
  }));
  const endTime = new Date(Math.floor(query.now / 60_000) * 60_000 + 60_000);
  const startTime = new Date(endTime.getTime() - query.lookbackHours * 3_600_000);
  const values = new Map<string, Map<number, number>>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: startTime, EndTime: endTime, NextToken: nextToken, ScanBy: 'TimestampAscending' }),
    );
    for (const result of out.MetricDataResults ?? []) {
      if (!result.Id) continue;
      const byTime = values.get(result.Id) ?? new Map<number, number>();
      (result.Timestamps ?? []).forEach((ts, i) => {
        const v = result.Values?.[i];
        if (v !== undefined && Number.isFinite(v)) byTime.set(new Date(ts).getTime(), v);
      });
      values.set(result.Id, byTime);
    }
    nextToken = out.NextToken;
    pages += 1;
  } while (nextToken && pages < 20);

  const datasets: MetricDataset[] = [];
  for (const prefix of ['cic', 'cit', 'ecs']) {
    const maxSpec = specs.find((s) => s.id === `${prefix}_max`);
    if (!maxSpec) continue;
    const points = mergePoints(values.get(`${prefix}_max`), values.get(`${prefix}_avg`));
    if (points.length > 0) datasets.push({ source: maxSpec.source, unit: maxSpec.unit, periodSeconds: period, points });
  }
  const containerInsights = datasets.some((d) => d.source.startsWith('container-insights'));
  return { datasets, containerInsights };
}

function mergePoints(max: Map<number, number> | undefined, avg: Map<number, number> | undefined): RawPoint[] {
  const times = new Set<number>([...(max?.keys() ?? []), ...(avg?.keys() ?? [])]);
  return [...times]
    .sort((a, b) => a - b)
    .map((t) => ({ t, max: max?.get(t) ?? null, avg: avg?.get(t) ?? null }));
}

/**
 * Parse `aws cloudwatch get-metric-statistics` output (`{"Label":..,"Datapoints":[{"Timestamp","Maximum",
 * "Average","Unit"}]}`). The label and unit say which metric it is; `fallback` applies when they do not.
 */
/** A CloudWatch metric's bare name (CPUUtilization, MemoryReserved, NetworkRxBytes), not a label someone chose. */
const METRIC_NAME = /^[A-Z][A-Za-z]*(Utilization|Utilized|Reservation|Reserved|Bytes|Count)$/;

export function parseMetricStatistics(input: unknown, fallback: 'aws-ecs' | 'container-insights'): MetricDataset {
  if (typeof input === 'object' && input !== null && Array.isArray((input as { MetricDataResults?: unknown }).MetricDataResults)) {
    return parseMetricStatistics(metricDataAsStatistics((input as { MetricDataResults: unknown[] }).MetricDataResults), fallback);
  }
  if (typeof input !== 'object' || input === null || !Array.isArray((input as { Datapoints?: unknown }).Datapoints)) {
    throw new InvalidInputError(
      'metrics: expected get-metric-statistics output with a Datapoints array (or get-metric-data output with MetricDataResults)',
    );
  }
  const { Label, Datapoints } = input as { Label?: unknown; Datapoints: unknown[] };
  const label = typeof Label === 'string' ? Label : '';
  // get-metric-statistics names the metric in its Label: another metric (CPU, a reservation) is not memory use.
  if (METRIC_NAME.test(label) && (!/memory/i.test(label) || /reserv/i.test(label))) {
    throw new InvalidInputError(`metrics: the file holds ${label}, not memory use (export MemoryUtilization, MemoryUtilized or ContainerMemoryUtilized)`);
  }
  // One point per timestamp: duplicates (overlapping exports pasted together) merge to the larger Maximum and the
  // mean Average. Negative or non-numeric values are not memory: they are skipped like a missing datapoint.
  const byTime = new Map<number, { max: number | null; avg: number | null; avgs: number }>();
  let unit = '';
  const value = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
  for (const dp of Datapoints) {
    if (typeof dp !== 'object' || dp === null) continue;
    const d = dp as Record<string, unknown>;
    const t = parseTimestamp(d['Timestamp']);
    const max = value(d['Maximum']);
    const avg = value(d['Average']);
    if (t === null || (max === null && avg === null)) continue;
    if (typeof d['Unit'] === 'string') unit = d['Unit'];
    const seen = byTime.get(t);
    if (!seen) {
      byTime.set(t, { max, avg, avgs: avg === null ? 0 : 1 });
    } else {
      if (max !== null) seen.max = seen.max === null ? max : Math.max(seen.max, max);
      if (avg !== null) {
        seen.avg = seen.avg === null ? avg : (seen.avg * seen.avgs + avg) / (seen.avgs + 1);
        seen.avgs += 1;
      }
    }
  }
  if (byTime.size === 0 && Datapoints.length > 0) {
    // Datapoints, but none this can read: say what they hold rather than "no memory metrics".
    const keys = new Set(Datapoints.flatMap((d) => (typeof d === 'object' && d !== null ? Object.keys(d) : [])).filter((k) => k !== 'Timestamp' && k !== 'Unit'));
    throw new InvalidInputError(
      `metrics: ${Datapoints.length} datapoints, none with a Timestamp and a numeric Maximum or Average (they hold ${[...keys].join(', ') || 'nothing else'}): ` +
        'export with --statistics Maximum Average',
    );
  }
  const points: RawPoint[] = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, max: v.max, avg: v.avg }));
  // The period: the most common spacing, as CloudWatch periods go (60 s to 1 h); gaps and strays do not move it.
  const gaps = new Map<number, number>();
  points.slice(1).forEach((p, i) => {
    const gap = Math.round((p.t - (points[i] as RawPoint).t) / 1000);
    if (gap >= 1) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  });
  const commonGap = [...gaps.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 60;
  const periodSeconds = Math.min(3600, Math.max(60, commonGap));
  // What the numbers are: the Unit, else the metric the label names, else what the file was given as (a --metrics file
  // is AWS/ECS MemoryUtilization, a percentage; get-metric-data output carries no Unit and any Label the user chose).
  const byteUnit = /bytes$/i.test(unit);
  const percent =
    unit === 'Percent' || (!byteUnit && (/Utilization$/.test(label) || (!/Utilized$/.test(label) && fallback === 'aws-ecs')));
  let source: MetricDataset['source'];
  if (/^ContainerMemory/.test(label)) source = 'container-insights-container';
  else if (/^TaskMemory/.test(label)) source = 'container-insights-task';
  else if (label === 'MemoryUtilized' || fallback === 'container-insights') source = 'container-insights-service';
  else source = 'aws-ecs-service';
  if (/^ContainerMemoryUtilization$/.test(label)) source = 'container-insights-container';
  // Container Insights publishes MemoryUtilized in Megabytes; a Bytes unit means someone converted it.
  const scale = unit === 'Bytes' ? 1 / (1024 * 1024) : unit === 'Kilobytes' ? 1 / 1024 : unit === 'Gigabytes' ? 1024 : 1;
  return {
    source,
    unit: percent ? 'percent' : 'MiB',
    periodSeconds,
    points: scale === 1 ? points : points.map((p) => ({ t: p.t, max: p.max === null ? null : p.max * scale, avg: p.avg === null ? null : p.avg * scale })),
  };
}

/**
 * `aws cloudwatch get-metric-data` output as get-metric-statistics datapoints: the result whose Id or Label says
 * max is the Maximum, avg/average the Average; a single result stands for the Maximum. The metric name is taken
 * from a label that names one (ContainerMemoryUtilized, MemoryUtilized, MemoryUtilization).
 */
function metricDataAsStatistics(results: unknown[]): { Label: string; Datapoints: Record<string, unknown>[] } {
  type Result = { Id?: unknown; Label?: unknown; Timestamps: unknown[]; Values: unknown[] };
  const valid = results.filter(
    (r): r is Result =>
      typeof r === 'object' && r !== null && Array.isArray((r as { Timestamps?: unknown }).Timestamps) && Array.isArray((r as { Values?: unknown }).Values),
  );
  // The AWS CLI saves an auto-paginated result as its pages' lists joined: each query Id once per page. One result per Id.
  const byId = new Map<unknown, Result>();
  const usable: Result[] = [];
  for (const r of valid) {
    const seen = typeof r.Id === 'string' ? byId.get(r.Id) : undefined;
    if (seen) {
      seen.Timestamps = [...seen.Timestamps, ...r.Timestamps];
      seen.Values = [...seen.Values, ...r.Values];
      continue;
    }
    const copy = { ...r };
    if (typeof r.Id === 'string') byId.set(r.Id, copy);
    usable.push(copy);
  }
  if (usable.length === 0) throw new InvalidInputError('metrics: MetricDataResults holds no result with Timestamps and Values');
  const name = (r: { Id?: unknown; Label?: unknown }) => `${typeof r.Id === 'string' ? r.Id : ''} ${typeof r.Label === 'string' ? r.Label : ''}`;
  let max = usable.find((r) => /max/i.test(name(r))) ?? (usable.length === 1 ? usable[0] : undefined);
  let avg = usable.find((r) => r !== max && /av(g|erage)/i.test(name(r)));
  if (!max && !avg && usable.length === 2) {
    // Two results whose Ids and Labels say nothing (m1/m2, both labelled with the metric's name): the Maximum is the
    // one that is never below the other at a common timestamp.
    const [a, b] = usable as [(typeof usable)[number], (typeof usable)[number]];
    const at = new Map(b.Timestamps.map((t, i) => [String(t), Number(b.Values[i])]));
    const pairs = a.Timestamps.map((t, i) => [Number(a.Values[i]), at.get(String(t))] as const).filter(([x, y]) => Number.isFinite(x) && y !== undefined && Number.isFinite(y));
    if (pairs.length > 0 && pairs.every(([x, y]) => x >= y!)) [max, avg] = [a, b];
    else if (pairs.length > 0 && pairs.every(([x, y]) => x <= y!)) [max, avg] = [b, a];
  }
  if (!max && !avg) throw new InvalidInputError('metrics: cannot tell the Maximum from the Average in MetricDataResults (name their Ids max and avg)');
  const labels = usable.map((r) => (typeof r.Label === 'string' ? r.Label : ''));
  const label = labels.find((l) => /Memory(Utilized|Utilization)/.test(l)) ?? '';
  // A label that is another metric's bare name (CPUUtilization) goes on, for parseMetricStatistics to refuse.
  const other = label ? undefined : labels.find((l) => METRIC_NAME.test(l));
  const metric = /ContainerMemoryUtilized/.test(label)
    ? 'ContainerMemoryUtilized'
    : /ContainerMemoryUtilization/.test(label)
      ? 'ContainerMemoryUtilization'
      : /MemoryUtilized/.test(label)
        ? 'MemoryUtilized'
        : /MemoryUtilization/.test(label)
          ? 'MemoryUtilization'
          : '';
  const byTime = new Map<string, Record<string, unknown>>();
  const add = (r: { Timestamps: unknown[]; Values: unknown[] } | undefined, key: 'Maximum' | 'Average') => {
    r?.Timestamps.forEach((ts, i) => {
      const k = String(ts);
      const dp = byTime.get(k) ?? { Timestamp: ts };
      dp[key] = r.Values[i];
      byTime.set(k, dp);
    });
  };
  add(max, 'Maximum');
  add(avg, 'Average');
  return { Label: other ?? metric, Datapoints: [...byTime.values()] };
}

/**
 * The memory the AWS/ECS percentage is a share of: the task memory, else the memory the containers reserve (each one's
 * soft limit where it has one, else its hard limit: the ECS service_utilization page).
 */
export function utilizationDenominator(taskDefinition: TaskDefinition | null, task: TaskSnapshot): number | null {
  const taskMemory = taskDefinition?.memory ?? task.memory;
  if (taskMemory) return taskMemory;
  const containers = taskDefinition?.containers ?? task.containers;
  const sum = containers.reduce((acc, c) => acc + (c.memoryReservation ?? c.memory ?? 0), 0);
  return sum > 0 ? sum : null;
}

/**
 * What caps a task- or service-scope series (the task's usage can never go above it): the task memory, or the sum of
 * the containers' hard limits when every container has one (a single container's own limit caps the task's usage
 * too); the smaller of the two. Null when something in the task has no cap (EC2, reservations only): then nothing is
 * censored, and the reservations that form the percentage's denominator are not a limit.
 */
export function taskUsageCeiling(taskDefinition: TaskDefinition | null, task: TaskSnapshot): number | null {
  const taskMemory = taskDefinition?.memory ?? task.memory ?? null;
  const containers: { memory: number | null }[] = taskDefinition?.containers ?? task.containers;
  const hardSum = containers.length > 0 && containers.every((c) => c.memory !== null) ? containers.reduce((acc, c) => acc + (c.memory ?? 0), 0) : null;
  if (taskMemory !== null && hardSum !== null) return Math.min(taskMemory, hardSum);
  return taskMemory ?? hardSum;
}

export interface SeriesContext {
  task: TaskSnapshot;
  taskDefinition: TaskDefinition | null;
  container: string;
}

const RANK: Record<MetricDataset['source'], number> = {
  'container-insights-container': 0,
  'container-insights-task': 1,
  'container-insights-service': 2,
  'aws-ecs-service': 3,
};

/**
 * Choose the best dataset and convert it to MiB of its scope. Notes say what was chosen, what was not there,
 * and why a number may not be the container's own.
 */
export function selectMemorySeries(raw: RawMemoryMetrics, ctx: SeriesContext): { series: MemorySeries; notes: string[] } {
  const notes: string[] = [];
  const defContainer = ctx.taskDefinition?.containers.find((c) => c.name === ctx.container);
  const eventContainer = ctx.task.containers.find((c) => c.name === ctx.container);
  const containerLimit = defContainer?.memory ?? eventContainer?.memory ?? null;
  const taskMemory = ctx.taskDefinition?.memory ?? ctx.task.memory ?? null;
  const containerCount = ctx.taskDefinition?.containers.length ?? ctx.task.containers.length;
  const candidates = [...raw.datasets].filter((d) => d.points.length > 0).sort((a, b) => RANK[a.source] - RANK[b.source]);

  for (const dataset of candidates) {
    let scale: number | null = 1;
    let scope: MemorySeries['scope'];
    let ceiling: number | null;
    if (dataset.source === 'container-insights-container') {
      scope = 'container';
      ceiling = containerLimit ?? taskMemory;
      if (dataset.unit === 'percent') scale = ceiling ? ceiling / 100 : null;
      if (scale === null) {
        notes.push(`${dataset.source}: a percentage with no known container or task limit to convert it; skipped.`);
        continue;
      }
    } else {
      scope = dataset.source === 'aws-ecs-service' || dataset.source === 'container-insights-service' ? 'service' : 'task';
      const denominator = utilizationDenominator(ctx.taskDefinition, ctx.task);
      ceiling = taskUsageCeiling(ctx.taskDefinition, ctx.task);
      if (dataset.unit === 'percent') {
        scale = denominator ? denominator / 100 : null;
        if (scale === null) {
          notes.push(`${dataset.source}: a percentage with no known task memory to convert it; skipped.`);
          continue;
        }
      }
    }
    // A value no machine could hold (or not a number) is not a measurement: the point is dropped and said so.
    const plausible = (v: number | null): number | null => (v !== null && Number.isFinite(v) && v >= 0 && v <= MAX_PLAUSIBLE_MIB ? v : null);
    const points: MemoryPoint[] = [];
    let dropped = 0;
    const factor = scale ?? 1;
    for (const p of dataset.points) {
      const maxMiB = p.max === null ? null : plausible(p.max * factor);
      const avgMiB = p.avg === null ? null : plausible(p.avg * factor);
      if ((p.max !== null && maxMiB === null) || (p.avg !== null && avgMiB === null)) dropped++;
      else points.push({ t: p.t, maxMiB, avgMiB });
    }
    if (dropped > 0) notes.push(`${dataset.source}: ${dropped} point${dropped === 1 ? '' : 's'} with impossible values (over 100 TiB, or not a number) dropped.`);
    if (!points.some((p) => p.maxMiB || p.avgMiB)) continue; // nothing usable left (or only zeros: no usage reported): the next source may have it
    notes.push(describeSource(dataset.source, containerCount, ctx.container));
    return { series: { source: dataset.source, scope, periodSeconds: dataset.periodSeconds, points, ceilingMiB: ceiling }, notes };
  }
  if (!ctx.task.serviceName) {
    notes.push('A standalone task (group family:…) has no AWS/ECS service metrics; only Container Insights covers it.');
  }
  return { series: { source: 'none', scope: 'none', periodSeconds: 60, points: [], ceilingMiB: containerLimit ?? taskMemory }, notes };
}

function describeSource(source: MetricDataset['source'], containers: number, container: string): string {
  const all = containers === 2 ? 'both' : `all ${containers}`;
  switch (source) {
    case 'container-insights-container':
      return `Memory history: Container Insights ContainerMemoryUtilized for container ${container} itself.`;
    case 'container-insights-task':
    case 'container-insights-service':
      return containers > 1
        ? `Memory history: Container Insights MemoryUtilized per task (${all} containers together), not ${container} alone.`
        : 'Memory history: Container Insights MemoryUtilized per task (one container, so it is the container).';
    default:
      return containers > 1
        ? `Memory history: AWS/ECS MemoryUtilization of the service's tasks (${all} containers together), not ${container} alone.`
        : 'Memory history: AWS/ECS MemoryUtilization of the service (one container per task, so it is the container).';
  }
}

/** The exact command that turns on Container Insights with enhanced observability for the cluster. */
export function containerInsightsCommand(task: TaskSnapshot): string {
  const cluster = task.clusterName || '<cluster>';
  const region = task.region ? ` --region ${task.region}` : '';
  return `aws ecs update-cluster-settings --cluster ${cluster} --settings name=containerInsights,value=enhanced${region}`;
}
