/**
 * `npm run bench:handler [-- --json]`: how close is the real handler to the physical limit of its I/O?
 *
 * The real handler runs with every AWS client faked at the SDK layer (aws-sdk-client-mock), each answering after
 * a fixed, injected latency; the alert ledger runs against dynalite (a real DynamoDB API on 127.0.0.1) behind
 * the same injected latency; Slack is a real local HTTP server with its own latency.
 *
 * The critical path is computed from the calls the handler really made in each invocation: phase 1 is the
 * slowest of the independent branches (ledger chain, task definition, metrics, service, webhook secret), phase 2
 * the slowest delivery branch (email, Amazon Q, and Slack = graph image -> S3 put -> webhook POST), each followed by
 * the ledger write recording that channel, phase 3 the ledger write that records the outcome. The sequential
 * time is the sum of every call. Ratio = measured / critical path (target <= 1.15).
 *
 * The overhead run repeats the handler with zero-latency fakes (and no ledger, whose cost bench:burst measures)
 * and reports the per-event compute time. Each mode runs in its own process, because the handler reads its
 * environment once at load, as Lambda does.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { median, percentile, printTable, round, wantsJson } from './lib/table';

const LATENCY = {
  DescribeTaskDefinition: 40,
  DescribeServices: 30,
  GetMetricData: 60,
  GetSecretValue: 25,
  Publish: 35,
  GetMetricWidgetImage: 150,
  PutObject: 40,
  DynamoDB: 8,
  Slack: 80,
} as const;

type Mode = 'latency' | 'overhead';

interface ChildReport {
  measuredMs: number[];
  criticalPathMs: number[];
  sequentialMs: number[];
  overheadUs: number[];
}

async function child(mode: Mode): Promise<ChildReport> {
  const zero = mode === 'overhead';
  const lat = (name: keyof typeof LATENCY) => (zero ? 0 : LATENCY[name]);
  const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

  // Slack: a real HTTP server on loopback.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = () => res.writeHead(200).end('ok');
      if (lat('Slack') > 0) setTimeout(reply, lat('Slack'));
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/bench`;

  let dynalite: { stop(): Promise<void>; endpoint: string; tableName: string } | null = null;
  if (!zero) {
    const { startDynalite } = await import('../test/dynalite-server.js');
    dynalite = await startDynalite();
  }
  Object.assign(process.env, {
    TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:oom-alerts',
    CHATBOT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:oom-amazon-q',
    SLACK_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:oom/slack',
    GRAPH_BUCKET_NAME: 'oom-graphs-bench',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(dynalite ? { LEDGER_TABLE_NAME: dynalite.tableName, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint } : {}),
  });

  const { mockClient } = await import('aws-sdk-client-mock');
  const { CloudWatchClient, GetMetricDataCommand, GetMetricWidgetImageCommand } = await import('@aws-sdk/client-cloudwatch');
  const { ECSClient, DescribeServicesCommand, DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { readFileSync } = await import('node:fs');
  const event = JSON.parse(readFileSync(`${__dirname}/../examples/oom-event.json`, 'utf8')) as { detail: Record<string, unknown> };
  const definition = JSON.parse(readFileSync(`${__dirname}/../examples/task-definition.json`, 'utf8')) as { taskDefinition: Record<string, unknown> };

  const calls: Record<string, number> = {};
  const faked = <T>(name: keyof typeof LATENCY, value: () => T) => async () => {
    calls[name] = (calls[name] ?? 0) + 1;
    await sleep(lat(name));
    return value();
  };
  const now = Date.now();
  const timestamps = Array.from({ length: 1440 }, (_, i) => new Date(now - (1440 - i) * 60_000));
  mockClient(ECSClient)
    .on(DescribeTaskDefinitionCommand).callsFake(faked('DescribeTaskDefinition', () => ({ taskDefinition: definition.taskDefinition })))
    .on(DescribeServicesCommand).callsFake(faked('DescribeServices', () => ({ services: [{ taskDefinition: definition.taskDefinition['taskDefinitionArn'] }] })));
  const metricData = {
    MetricDataResults: [
      { Id: 'ecs_max', Timestamps: timestamps, Values: timestamps.map((_, i) => (i > 1430 ? 100 : 80 + 6 * Math.sin(i / 90))) },
      { Id: 'ecs_avg', Timestamps: timestamps, Values: timestamps.map((_, i) => 72 + 6 * Math.sin(i / 90)) },
    ],
  };
  mockClient(CloudWatchClient)
    .on(GetMetricDataCommand).callsFake(faked('GetMetricData', () => metricData))
    .on(GetMetricWidgetImageCommand).callsFake(faked('GetMetricWidgetImage', () => ({ MetricWidgetImage: new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0]) })));
  mockClient(SNSClient).on(PublishCommand).callsFake(faked('Publish', () => ({ MessageId: 'm' })));
  mockClient(S3Client).on(PutObjectCommand).callsFake(faked('PutObject', () => ({})));
  mockClient(SecretsManagerClient).on(GetSecretValueCommand).callsFake(faked('GetSecretValue', () => ({ SecretString: webhook })));
  // DynamoDB goes to dynalite for real, behind the injected latency (a middleware, so the SDK path is the real one).
  const ddbSend = DynamoDBClient.prototype.send;
  DynamoDBClient.prototype.send = async function (this: InstanceType<typeof DynamoDBClient>, ...args: unknown[]) {
    calls['DynamoDB'] = (calls['DynamoDB'] ?? 0) + 1;
    await sleep(lat('DynamoDB'));
    return (ddbSend as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  } as typeof ddbSend;

  const { handler } = await import('../lambda/handler.js');
  const report: ChildReport = { measuredMs: [], criticalPathMs: [], sequentialMs: [], overheadUs: [] };
  const runs = zero ? 400 : 25;
  const warmup = zero ? 40 : 3;
  for (let i = 0; i < runs + warmup; i += 1) {
    const detail = { ...event.detail, taskArn: `${event.detail['taskArn'] as string}-${i}`, group: `service:checkout-api-${i}` };
    for (const k of Object.keys(calls)) delete calls[k];
    const start = process.hrtime.bigint();
    const outcome = await handler({ ...event, id: `bench-${i}`, detail });
    const elapsedNs = Number(process.hrtime.bigint() - start);
    if (outcome.status !== 'alerted') throw new Error(`run ${i}: expected an alert, got ${outcome.status}`);
    if (i < warmup) continue;
    if (zero) {
      report.overheadUs.push(elapsedNs / 1000);
      continue;
    }
    const c = (name: keyof typeof LATENCY) => (calls[name] ?? 0) * LATENCY[name];
    // With the ledger, each channel's delivery is followed by a write recording it (in its branch), and a last write
    // records the outcome once all are done (phase 3). The rest of the ledger's calls run in phase 1.
    const ledgerUsed = (calls['DynamoDB'] ?? 0) > 0;
    const channels = 3;
    const phase3 = ledgerUsed ? LATENCY.DynamoDB : 0;
    const perChannel = ledgerUsed ? LATENCY.DynamoDB : 0;
    const phase1 = Math.max(c('DynamoDB') - phase3 - (ledgerUsed ? channels * LATENCY.DynamoDB : 0), c('DescribeTaskDefinition'), c('GetMetricData'), c('DescribeServices'), c('GetSecretValue'));
    const slackChain = c('GetMetricWidgetImage') + c('PutObject') + LATENCY.Slack;
    const phase2 = Math.max(LATENCY.Publish, slackChain) + perChannel;
    report.criticalPathMs.push(phase1 + phase2 + phase3);
    report.sequentialMs.push(
      (Object.keys(LATENCY) as (keyof typeof LATENCY)[]).filter((k) => k !== 'Slack').reduce((s, k) => s + c(k), 0) + LATENCY.Slack,
    );
    report.measuredMs.push(elapsedNs / 1e6);
  }
  server.close();
  await dynalite?.stop();
  return report;
}

function runChild(mode: Mode): ChildReport {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', mode], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const line = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line) as ChildReport;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex >= 0) {
    const report = await child(args[childIndex + 1] as Mode);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  }
  const latency = runChild('latency');
  const overhead = runChild('overhead');
  const measuredMs = median(latency.measuredMs);
  const criticalPathMs = median(latency.criticalPathMs);
  const sequentialMs = median(latency.sequentialMs);
  const result = {
    measuredMs: round(measuredMs, 1),
    criticalPathMs: round(criticalPathMs, 1),
    sequentialMs: round(sequentialMs, 1),
    ratio: round(measuredMs / criticalPathMs, 3),
    overheadMedianUs: round(median(overhead.overheadUs), 0),
    overheadP99Us: round(percentile(overhead.overheadUs, 0.99), 0),
  };
  if (wantsJson(args)) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  printTable(`bench:handler (median of ${latency.measuredMs.length} invocations; ${overhead.overheadUs.length} for overhead)`, [
    ['measured handler time', `${result.measuredMs} ms`],
    ['critical path', `${result.criticalPathMs} ms`],
    ['all calls one after another', `${result.sequentialMs} ms`],
    ['measured / critical path', `${result.ratio} (target <= 1.15)`],
    ['sequential / measured', `${round(sequentialMs / measuredMs, 2)}x faster than sequential`],
    ['overhead per event, median', `${result.overheadMedianUs} us (zero-latency fakes)`],
    ['overhead per event, p99', `${result.overheadP99Us} us`],
    ['injected latencies (ms)', Object.entries(LATENCY).map(([k, v]) => `${k} ${v}`).join(', ')],
  ]);
}

void main();
