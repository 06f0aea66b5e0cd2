/**
 * AWS console deep links for an alert: the ECS task, the ECS service, the container's CloudWatch Logs stream and
 * the memory metric. Pure: no SDK, no env, no clock.
 *
 * The URL patterns come from public code, not AWS documentation (see /work/shared/ALERTS.md). Encodings:
 * - ECS paths: encodeURIComponent per segment.
 * - Logs (logsV2 fragment): E(x) = encodeURIComponent(x) with every `%` turned into `$25`, so `/` is `$252F`
 *   (fivexl wrote `%2` and broke every stream link).
 * - Metrics (metricsV2 fragment): the console's jsurl notation: `~` separators, strings prefixed with `'`, and
 *   every character outside [A-Za-z0-9_.-] written as `*hh` (`**hhhh` above 0xFF), so `/` is `*2f`.
 */
import type { ContainerDefinition, MemorySeries, TaskDefinition, TaskSnapshot, TriageResult } from './model';

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

/** The partition of a region, else the partition given (the ARN's), else `aws`. */
export function partitionOf(region: string, fallback: string | null = null): Partition {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (fallback === 'aws-us-gov' || fallback === 'aws-cn') return fallback;
  return 'aws';
}

const CONSOLE_DOMAIN: Record<Partition, string> = {
  aws: 'console.aws.amazon.com',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};

/** `https://{region}.console.aws.amazon.com` (or the partition's console). */
export function consoleOrigin(region: string, partition: string | null = null): string {
  const p = partitionOf(region, partition);
  return `https://${encodeURIComponent(region)}.${CONSOLE_DOMAIN[p]}`;
}

/** The logsV2 fragment encoding: encodeURIComponent, then `%` -> `$25`. */
export function logsFragmentEncode(value: string): string {
  return encodeURIComponent(value).replace(/%/g, '$25');
}

/** jsurl string body: characters outside [A-Za-z0-9_.-] as `*hh` / `**hhhh` (UTF-16 code units). */
export function jsurlEncode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] as string;
    if (/[A-Za-z0-9_.-]/.test(ch)) {
      out += ch;
      continue;
    }
    const code = value.charCodeAt(i);
    out += code < 0x100 ? `*${code.toString(16).padStart(2, '0')}` : `**${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}

function jsurlString(value: string): string {
  return `'${jsurlEncode(value)}`;
}

export function ecsTaskLink(p: { region: string; partition?: string | null; cluster: string; taskId: string }): string {
  const origin = consoleOrigin(p.region, p.partition ?? null);
  return `${origin}/ecs/v2/clusters/${encodeURIComponent(p.cluster)}/tasks/${encodeURIComponent(p.taskId)}?region=${encodeURIComponent(p.region)}`;
}

export function ecsServiceLink(p: { region: string; partition?: string | null; cluster: string; service: string }): string {
  const origin = consoleOrigin(p.region, p.partition ?? null);
  return `${origin}/ecs/v2/clusters/${encodeURIComponent(p.cluster)}/services/${encodeURIComponent(p.service)}/health?region=${encodeURIComponent(p.region)}`;
}

export function logStreamLink(p: { region: string; partition?: string | null; logGroup: string; logStream: string }): string {
  const origin = consoleOrigin(p.region, p.partition ?? null);
  const region = encodeURIComponent(p.region);
  return `${origin}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${logsFragmentEncode(p.logGroup)}/log-events/${logsFragmentEncode(p.logStream)}`;
}

/** The awslogs group, region and stream of one container, or null without awslogs or without a stream prefix. */
export function awslogsStream(
  container: ContainerDefinition,
  taskId: string,
  taskRegion: string | null,
): { logGroup: string; logStream: string; region: string } | null {
  const cfg = container.logConfiguration;
  if (!cfg || cfg.logDriver !== 'awslogs') return null;
  const group = cfg.options['awslogs-group'];
  const prefix = cfg.options['awslogs-stream-prefix'];
  const region = cfg.options['awslogs-region'] ?? taskRegion;
  // Without a prefix the stream name is the Docker container id, which the event does not carry.
  if (!group || !prefix || !region) return null;
  return { logGroup: group, logStream: `${prefix}/${container.name}/${taskId}`, region };
}

export interface MetricRef {
  namespace: string;
  metricName: string;
  /** Dimension name -> value, in this order. */
  dimensions: Array<[string, string]>;
  stat?: 'Maximum' | 'Average';
  periodSeconds?: number;
  lookbackHours?: number;
}

export function metricLink(p: { region: string; partition?: string | null; metric: MetricRef }): string {
  const m = p.metric;
  const origin = consoleOrigin(p.region, p.partition ?? null);
  const metricArray = [m.namespace, m.metricName, ...m.dimensions.flat()].map(jsurlString).join('~');
  const graph =
    `(metrics~(~(~${metricArray}))~view~'timeSeries~stat~'${m.stat ?? 'Maximum'}~period~${m.periodSeconds ?? 60}` +
    `~region~${jsurlString(p.region)}~start~'-PT${m.lookbackHours ?? 24}H~end~'P0D)`;
  return `${origin}/cloudwatch/home?region=${encodeURIComponent(p.region)}#metricsV2:graph=~${graph}`;
}

/**
 * The metric behind the evidence, as the CloudWatch console can show it. Service-scoped sources need a service;
 * task/container Container Insights metric names are unconfirmed, so those fall back to the service view too.
 */
export function metricFor(task: TaskSnapshot, series: Pick<MemorySeries, 'source' | 'periodSeconds'> | null, lookbackHours = 24): MetricRef | null {
  if (!task.serviceName) return null;
  const dims: Array<[string, string]> = [
    ['ClusterName', task.clusterName],
    ['ServiceName', task.serviceName],
  ];
  const source = series?.source ?? 'aws-ecs-service';
  const period = series?.periodSeconds ?? 60;
  if (source.startsWith('container-insights')) {
    return { namespace: 'ECS/ContainerInsights', metricName: 'MemoryUtilized', dimensions: dims, stat: 'Maximum', periodSeconds: period, lookbackHours };
  }
  return { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: dims, stat: 'Maximum', periodSeconds: period, lookbackHours };
}

export interface AlertLinks {
  task: string | null;
  service: string | null;
  logs: string | null;
  metric: string | null;
}

/** Every link for the alert's target container; each is null when its inputs are missing. */
export function alertLinks(
  result: Pick<TriageResult, 'task' | 'taskDefinition' | 'classification'>,
  series: Pick<MemorySeries, 'source' | 'periodSeconds'> | null = null,
  lookbackHours = 24,
): AlertLinks {
  const t = result.task;
  const region = t.region;
  if (!region) return { task: null, service: null, logs: null, metric: null };
  const partition = t.partition;
  const task = t.taskId ? ecsTaskLink({ region, partition, cluster: t.clusterName, taskId: t.taskId }) : null;
  const service = t.serviceName ? ecsServiceLink({ region, partition, cluster: t.clusterName, service: t.serviceName }) : null;
  const logs = containerLogsLink(result.taskDefinition, result.classification.target, t.taskId, region, partition);
  const ref = metricFor(t, series, lookbackHours);
  const metric = ref ? metricLink({ region, partition, metric: ref }) : null;
  return { task, service, logs, metric };
}

function containerLogsLink(
  td: TaskDefinition | null,
  target: string | null,
  taskId: string,
  region: string,
  partition: string,
): string | null {
  if (!td || !target || !taskId) return null;
  const def = td.containers.find((c) => c.name === target);
  if (!def) return null;
  const s = awslogsStream(def, taskId, region);
  if (!s) return null;
  return logStreamLink({ region: s.region, partition: s.region === region ? partition : null, logGroup: s.logGroup, logStream: s.logStream });
}
