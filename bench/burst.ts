/**
 * `npm run bench:burst [-- --json]`: a crash-loop burst through the real handler and the real alert ledger.
 *
 * 1,000 OOM events across 20 services replay against dynalite (a DynamoDB API on 127.0.0.1, started here), with
 * duplicate deliveries and several state-change versions per stop, 16 invocations in flight at a time. AWS reads
 * and notifications are faked at the SDK client; Slack is a local HTTP server. The expected number of alerts is
 * computed independently from the generated events: per story (service + container + revision) one first alert,
 * plus one at each re-alert count (5, 25, 100) reached by its distinct kills. Alerts out must equal it exactly.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { median, percentile, printTable, round, wantsJson } from './lib/table';

const SERVICES = 20;
const EVENTS = 1000;
const CONCURRENCY = 16;
const REALERT_AT = [5, 25, 100];

/** mulberry32: a small seeded PRNG, so every run replays the same burst. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Kill {
  service: string;
  taskArn: string;
}

function buildBurst(template: { detail: Record<string, unknown> } & Record<string, unknown>) {
  const random = prng(20261123);
  // Uneven crash loops: a few services dominate, as in a bad deploy.
  const weights = Array.from({ length: SERVICES }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const events: Record<string, unknown>[] = [];
  const kills: Kill[] = [];
  let n = 0;
  while (events.length < EVENTS) {
    let r = random() * total;
    let s = 0;
    while (s < SERVICES - 1 && r > weights[s]!) r -= weights[s++]!;
    const service = `svc-${String(s).padStart(2, '0')}`;
    const taskArn = `arn:aws:ecs:eu-west-1:123456789012:task/prod/${(n++).toString(16).padStart(32, '0')}`;
    kills.push({ service, taskArn });
    // One stop emits RUNNING(desired STOPPED), DEPROVISIONING and STOPPED; some deliveries are duplicated.
    const versions = random() < 0.5 ? 1 : random() < 0.5 ? 2 : 3;
    for (let v = 0; v < versions && events.length < EVENTS; v += 1) {
      const lastStatus = ['RUNNING', 'DEPROVISIONING', 'STOPPED'][3 - versions + v]!;
      const event = {
        ...template,
        id: `${taskArn.slice(-8)}-v${v}`,
        detail: { ...template.detail, taskArn, group: `service:${service}`, lastStatus, version: 4 + v },
      };
      events.push(event);
      if (random() < 0.15 && events.length < EVENTS) events.push(event);
    }
  }
  const distinct = new Map<string, Set<string>>();
  for (const e of events) {
    const d = e['detail'] as { taskArn: string; group: string };
    const set = distinct.get(d.group) ?? new Set<string>();
    set.add(d.taskArn);
    distinct.set(d.group, set);
  }
  let expected = 0;
  for (const set of distinct.values()) expected += 1 + REALERT_AT.filter((t) => t <= set.size).length;
  return { events, expected, stories: distinct.size, kills: [...distinct.values()].reduce((a, s) => a + s.size, 0) };
}

async function main(): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const slackPosts: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      slackPosts.push(Date.now());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/burst`;
  const { startDynalite } = await import('../test/dynalite-server.js');
  const dynalite = await startDynalite();
  Object.assign(process.env, {
    TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:oom-alerts',
    SLACK_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:oom/slack',
    LEDGER_TABLE_NAME: dynalite.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    SUPPRESSION_WINDOW_MINUTES: '30',
    REALERT_AT: REALERT_AT.join(','),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const { mockClient } = await import('aws-sdk-client-mock');
  const { CloudWatchClient, GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const { ECSClient, DescribeServicesCommand, DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const template = JSON.parse(readFileSync(`${__dirname}/../examples/oom-event.json`, 'utf8')) as { detail: Record<string, unknown> };
  const definition = JSON.parse(readFileSync(`${__dirname}/../examples/task-definition.json`, 'utf8')) as { taskDefinition: Record<string, unknown> };
  mockClient(ECSClient)
    .on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition.taskDefinition as never })
    .on(DescribeServicesCommand).resolves({ services: [] });
  mockClient(CloudWatchClient).on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  const sns = mockClient(SNSClient).on(PublishCommand).resolves({ MessageId: 'm' });
  mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: webhook });
  const { handler } = await import('../lambda/handler.js');

  const burst = buildBurst(template);
  const durations: number[] = [];
  const outcomes = new Map<string, number>();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < burst.events.length) {
        const event = burst.events[next++]!;
        const t0 = process.hrtime.bigint();
        const outcome = await handler(event);
        durations.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const key = outcome.status === 'suppressed' ? `suppressed:${outcome.decision.reason}` : outcome.status;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const alertsOut = sns.commandCalls(PublishCommand).length;
  server.close();
  await dynalite.stop();

  const result = {
    eventsIn: burst.events.length,
    alertsOut,
    alertsExpected: burst.expected,
    eventsPerSecond: round(burst.events.length / seconds, 1),
    medianMs: round(median(durations), 2),
    p99Ms: round(percentile(durations, 0.99), 2),
  };
  if (wantsJson()) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    printTable(`bench:burst (${SERVICES} services, ${CONCURRENCY} in flight, dynalite on 127.0.0.1)`, [
      ['events in', String(result.eventsIn)],
      ['distinct kills / stories', `${burst.kills} / ${burst.stories}`],
      ['alerts out (email publishes)', String(result.alertsOut)],
      ['Slack posts', String(slackPosts.length)],
      ['alerts expected', `${result.alertsExpected} (first + re-alerts at ${REALERT_AT.join(', ')} per story)`],
      ['outcomes', [...outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(', ')],
      ['events per second', String(result.eventsPerSecond)],
      ['handler time, median', `${result.medianMs} ms`],
      ['handler time, p99', `${result.p99Ms} ms`],
    ]);
  }
  if (result.alertsOut !== result.alertsExpected || slackPosts.length !== result.alertsExpected) {
    process.stderr.write(`bench:burst: alerts out ${result.alertsOut} (Slack ${slackPosts.length}) != expected ${result.alertsExpected}\n`);
    process.exitCode = 1;
  }
}

void main();
