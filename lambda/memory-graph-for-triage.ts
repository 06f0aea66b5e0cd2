/**
 * Which metric the Slack graph draws for a triage: the same source the evidence came from, with the limit line
 * in that metric's unit. Then render it with `renderMemoryGraph` (best effort: null on any failure).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { type GraphLimit, type GraphMetric, renderMemoryGraph } from './memory-graph';
import { dimensionsFor } from './memory-metrics';
import type { MemorySeries, TriageResult } from './model';

export function graphMetricFor(result: TriageResult, series: MemorySeries): { metric: GraphMetric; limit: GraphLimit | null } | null {
  const base = dimensionsFor(result.task);
  const container = result.classification.target;
  if (!base || !container) return null;
  const dims = base.map((d) => [d.Name, d.Value] as [string, string]);
  const period = series.periodSeconds;
  const ceiling = series.ceilingMiB;
  switch (series.source) {
    case 'container-insights-container':
      return {
        metric: { namespace: 'ECS/ContainerInsights', metricName: 'ContainerMemoryUtilized', dimensions: [...dims, ['ContainerName', container]], source: series.source, periodSeconds: period },
        limit: ceiling ? { value: ceiling, unit: 'MiB' } : null,
      };
    case 'container-insights-task':
    case 'container-insights-service':
      return {
        metric: { namespace: 'ECS/ContainerInsights', metricName: 'MemoryUtilized', dimensions: dims, source: series.source, periodSeconds: period },
        limit: ceiling ? { value: ceiling, unit: 'MiB' } : null,
      };
    case 'aws-ecs-service':
      return {
        metric: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: dims, source: series.source, periodSeconds: period },
        limit: { value: 100, unit: 'percent' },
      };
    default:
      return null;
  }
}

export async function renderGraphForTriage(input: {
  cloudwatch: CloudWatchClient;
  s3: S3Client;
  bucket: string;
  result: TriageResult;
  series: MemorySeries;
  lookbackHours: number;
  now: number;
  log: (message: string, fields: Record<string, unknown>) => void;
}): Promise<string | null> {
  const chosen = graphMetricFor(input.result, input.series);
  if (!chosen) return null;
  return renderMemoryGraph({
    cloudwatch: input.cloudwatch,
    s3: input.s3,
    bucket: input.bucket,
    task: input.result.task,
    metric: chosen.metric,
    limit: chosen.limit,
    lookbackHours: input.lookbackHours,
    now: input.now,
    onError: (stage, error) => input.log('Memory graph skipped; the alert keeps the text sparkline', { stage, error: String(error) }),
  });
}
