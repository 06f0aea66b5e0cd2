/**
 * The memory graph image for Slack: CloudWatch GetMetricWidgetImage (Maximum + Average with a horizontal line at
 * the limit) -> S3 PutObject (image/png) -> a presigned GET URL. Adapter: clients and presigner are injected.
 *
 * Best effort: any failure returns null (the alert goes out with the text sparkline only); `onError` lets the
 * caller log why.
 *
 * URL lifetime: SigV4 presigned URLs last at most 7 days (604800 s), and that is what we ask for. With a Lambda
 * role's temporary credentials the URL stops working when the session's credentials expire (hours, not days),
 * whatever X-Amz-Expires says. Slack fetches and caches the image within seconds of the post, so the alert
 * renders; when someone scrolls back later Slack may refetch and the image fades. The text sparkline stays.
 * A durable image needs a stable URL that signs a fresh one on every request (ALERTS.md, lightdash#21586).
 */
import { GetMetricWidgetImageCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { EvidenceSource, TaskSnapshot } from './model';

/** The SigV4 maximum. */
export const PRESIGN_EXPIRES_SECONDS = 604_800;
/** Slack fetches within seconds; anything under this is suspicious enough to report. */
export const MIN_USEFUL_EXPIRES_SECONDS = 300;

export interface GraphMetric {
  namespace: string;
  metricName: string;
  dimensions: Array<[string, string]>;
  source?: EvidenceSource;
  periodSeconds?: number;
}

export type GraphLimit = { value: number; unit: 'MiB' } | { value: number; unit: 'percent' };

export type Presign = (s3: S3Client, command: GetObjectCommand, options: { expiresIn: number }) => Promise<string>;

export interface RenderMemoryGraphInput {
  cloudwatch: CloudWatchClient;
  s3: S3Client;
  bucket: string;
  /** Default `graphs/`. */
  keyPrefix?: string;
  task: TaskSnapshot;
  metric: GraphMetric;
  /** The limit line (MiB for Container Insights MemoryUtilized, percent for AWS/ECS MemoryUtilization). */
  limit: GraphLimit | null;
  lookbackHours: number;
  now: number;
  presign?: Presign;
  width?: number;
  height?: number;
  onError?: (stage: 'cloudwatch' | 'empty-image' | 's3' | 'presign', error: unknown) => void;
}

/** The MetricWidget JSON for GetMetricWidgetImage. */
export function memoryWidget(p: { metric: GraphMetric; limit: GraphLimit | null; lookbackHours: number; title: string; width?: number; height?: number; region?: string | null }): Record<string, unknown> {
  const base = [p.metric.namespace, p.metric.metricName, ...p.metric.dimensions.flat()];
  const period = p.metric.periodSeconds ?? 60;
  const widget: Record<string, unknown> = {
    title: p.title,
    view: 'timeSeries',
    stacked: false,
    width: p.width ?? 600,
    height: p.height ?? 300,
    start: `-PT${p.lookbackHours}H`,
    end: 'P0D',
    period,
    metrics: [
      [...base, { stat: 'Maximum', label: 'Maximum', color: '#d62728' }],
      [...base, { stat: 'Average', label: 'Average', color: '#1f77b4' }],
    ],
    yAxis: { left: { min: 0, label: p.limit?.unit === 'percent' ? '%' : 'MiB', showUnits: false } },
    legend: { position: 'bottom' },
  };
  if (p.region) widget.region = p.region;
  if (p.limit) {
    widget.annotations = {
      horizontal: [{ label: p.limit.unit === 'percent' ? `limit ${p.limit.value}%` : `limit ${p.limit.value} MiB`, value: p.limit.value, color: '#ff7f0e' }],
    };
  }
  return widget;
}

function keySegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || '_';
}

export function graphKey(prefix: string, task: TaskSnapshot, now: number): string {
  const owner = task.serviceName ?? task.family ?? 'task';
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  return `${prefix}${keySegment(task.clusterName)}/${keySegment(owner)}/${keySegment(task.taskId)}-${stamp}.png`;
}

/**
 * The SDK's presigner, loaded on first use: the graph is optional, so a runtime without the package (it is
 * external to the bundle, like every @aws-sdk package) costs the image, never the alert, and cold starts do not
 * pay for it.
 */
const defaultPresign: Presign = async (s3, command, options) => {
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  return getSignedUrl(s3, command, options);
};

/** The X-Amz-Expires of a presigned URL, seconds, or null. */
export function presignedExpiresSeconds(url: string): number | null {
  try {
    const v = new URL(url).searchParams.get('X-Amz-Expires');
    return v === null ? null : Number(v);
  } catch {
    return null;
  }
}

export async function renderMemoryGraph(input: RenderMemoryGraphInput): Promise<string | null> {
  const onError = input.onError ?? (() => undefined);
  const presign: Presign = input.presign ?? defaultPresign;
  const owner = input.task.serviceName ?? input.task.family ?? input.task.taskId;
  const title = `Memory: ${owner} (${input.task.clusterName}), last ${input.lookbackHours} h`.slice(0, 200);
  const widget = memoryWidget({
    metric: input.metric,
    limit: input.limit,
    lookbackHours: input.lookbackHours,
    title,
    width: input.width ?? 600,
    height: input.height ?? 300,
    region: input.task.region,
  });

  let png: Uint8Array | undefined;
  try {
    const out = await input.cloudwatch.send(new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: 'png' }));
    png = out.MetricWidgetImage;
  } catch (error) {
    onError('cloudwatch', error);
    return null;
  }
  if (!png || png.byteLength === 0) {
    onError('empty-image', new Error('GetMetricWidgetImage returned no image'));
    return null;
  }

  const key = graphKey(input.keyPrefix ?? 'graphs/', input.task, input.now);
  try {
    await input.s3.send(
      new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: png, ContentType: 'image/png', CacheControl: 'private, max-age=604800' }),
    );
  } catch (error) {
    onError('s3', error);
    return null;
  }

  try {
    const url = await presign(input.s3, new GetObjectCommand({ Bucket: input.bucket, Key: key }), { expiresIn: PRESIGN_EXPIRES_SECONDS });
    const expires = presignedExpiresSeconds(url);
    if (expires !== null && expires < MIN_USEFUL_EXPIRES_SECONDS) {
      onError('presign', new Error(`presigned URL expires in ${expires} s: too short for Slack to fetch reliably`));
      return null;
    }
    return url;
  } catch (error) {
    onError('presign', error);
    return null;
  }
}
