import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  PRESIGN_EXPIRES_SECONDS,
  graphKey,
  memoryWidget,
  presignedExpiresSeconds,
  renderMemoryGraph,
  type RenderMemoryGraphInput,
} from '../lambda/memory-graph';
import { oomChronic, STOPPED_AT } from './fixtures/triage-results';

const cw = mockClient(CloudWatchClient);
const s3m = mockClient(S3Client);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function input(over: Partial<RenderMemoryGraphInput> = {}): RenderMemoryGraphInput {
  return {
    cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
    bucket: 'oom-graphs-bucket',
    task: oomChronic.task,
    metric: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: [['ClusterName', 'prod-cluster'], ['ServiceName', 'api']], periodSeconds: 60 },
    limit: { value: 100, unit: 'percent' },
    lookbackHours: 24,
    now: STOPPED_AT,
    ...over,
  };
}

beforeEach(() => {
  cw.reset();
  s3m.reset();
});

describe('renderMemoryGraph', () => {
  it('success: widget image -> PutObject png -> presigned GET valid for 7 days', async () => {
    cw.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
    s3m.on(PutObjectCommand).resolves({});
    const url = await renderMemoryGraph(input()); // the real presigner, with static test credentials

    expect(cw).toHaveReceivedCommandTimes(GetMetricWidgetImageCommand, 1);
    const call = cw.commandCalls(GetMetricWidgetImageCommand)[0]!;
    expect(call.args[0].input.OutputFormat).toBe('png');
    const widget = JSON.parse(call.args[0].input.MetricWidget!) as Record<string, unknown>;
    expect(widget).toEqual({
      title: 'Memory: api (prod-cluster), last 24 h',
      view: 'timeSeries',
      stacked: false,
      width: 600,
      height: 300,
      start: '-PT24H',
      end: 'P0D',
      period: 60,
      region: 'eu-west-1',
      metrics: [
        ['AWS/ECS', 'MemoryUtilization', 'ClusterName', 'prod-cluster', 'ServiceName', 'api', { stat: 'Maximum', label: 'Maximum', color: '#d62728' }],
        ['AWS/ECS', 'MemoryUtilization', 'ClusterName', 'prod-cluster', 'ServiceName', 'api', { stat: 'Average', label: 'Average', color: '#1f77b4' }],
      ],
      yAxis: { left: { min: 0, label: '%', showUnits: false } },
      legend: { position: 'bottom' },
      annotations: { horizontal: [{ label: 'limit 100%', value: 100, color: '#ff7f0e' }] },
    });

    expect(s3m).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    const put = s3m.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.Bucket).toBe('oom-graphs-bucket');
    expect(put.ContentType).toBe('image/png');
    expect(put.Body).toBe(PNG);
    expect(put.Key).toBe('graphs/prod-cluster/api/8f3a1c2b9d7e4f60a1b2c3d4e5f60718-2026-11-23T14-32-05-000Z.png');

    expect(url).not.toBeNull();
    const u = new URL(url!);
    expect(u.host).toBe('oom-graphs-bucket.s3.eu-west-1.amazonaws.com');
    expect(u.pathname).toBe(`/${put.Key}`);
    expect(u.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(presignedExpiresSeconds(url!)).toBe(604800);
  });

  it('MiB limit line for Container Insights', () => {
    const w = memoryWidget({
      metric: { namespace: 'ECS/ContainerInsights', metricName: 'MemoryUtilized', dimensions: [['ClusterName', 'c'], ['ServiceName', 's']] },
      limit: { value: 1792, unit: 'MiB' },
      lookbackHours: 3,
      title: 't',
    });
    expect(w.start).toBe('-PT3H');
    expect(w.annotations).toEqual({ horizontal: [{ label: 'limit 1792 MiB', value: 1792, color: '#ff7f0e' }] });
    expect(memoryWidget({ metric: { namespace: 'n', metricName: 'm', dimensions: [] }, limit: null, lookbackHours: 1, title: 't' }).annotations).toBeUndefined();
  });

  it('asks the presigner for the SigV4 maximum, 604800 s', async () => {
    cw.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
    s3m.on(PutObjectCommand).resolves({});
    const calls: Array<{ command: unknown; expiresIn: number }> = [];
    const url = await renderMemoryGraph(
      input({
        presign: async (_s3, command, { expiresIn }) => {
          calls.push({ command, expiresIn });
          return 'https://b.s3.amazonaws.com/k?X-Amz-Expires=604800&X-Amz-Signature=x';
        },
      }),
    );
    expect(url).toBe('https://b.s3.amazonaws.com/k?X-Amz-Expires=604800&X-Amz-Signature=x');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.expiresIn).toBe(PRESIGN_EXPIRES_SECONDS);
    expect(calls[0]!.command).toBeInstanceOf(GetObjectCommand);
  });

  it('CloudWatch failure -> null, no upload, the reason goes to onError', async () => {
    cw.on(GetMetricWidgetImageCommand).rejects(new Error('AccessDenied'));
    const errors: string[] = [];
    const url = await renderMemoryGraph(input({ onError: (stage, e) => errors.push(`${stage}: ${(e as Error).message}`) }));
    expect(url).toBeNull();
    expect(s3m).not.toHaveReceivedCommand(PutObjectCommand);
    expect(errors).toEqual(['cloudwatch: AccessDenied']);
  });

  it('empty image -> null', async () => {
    cw.on(GetMetricWidgetImageCommand).resolves({});
    expect(await renderMemoryGraph(input())).toBeNull();
    expect(s3m).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('S3 failure -> null', async () => {
    cw.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
    s3m.on(PutObjectCommand).rejects(new Error('NoSuchBucket'));
    const errors: string[] = [];
    await expect(renderMemoryGraph(input({ onError: (stage) => errors.push(stage) }))).resolves.toBeNull();
    expect(errors).toEqual(['s3']);
  });

  it('presign failure or a uselessly short expiry -> null', async () => {
    cw.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
    s3m.on(PutObjectCommand).resolves({});
    await expect(renderMemoryGraph(input({ presign: () => Promise.reject(new Error('no creds')) }))).resolves.toBeNull();
    await expect(renderMemoryGraph(input({ presign: async () => 'https://b/k?X-Amz-Expires=60' }))).resolves.toBeNull();
  });

  it('keys are safe whatever the names', () => {
    const key = graphKey('graphs/', { ...oomChronic.task, clusterName: 'a b/ü', serviceName: '../../etc' }, 0);
    expect(key).toMatch(/^graphs\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\.png$/);
    expect(key).not.toContain('/../');
  });
});
