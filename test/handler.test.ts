/**
 * The real handler, with AWS faked at the SDK clients (aws-sdk-client-mock) and Slack as a real HTTP server on
 * 127.0.0.1. The environment is set before the handler module loads, as Lambda would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXAMPLES, loadJson } from './helpers/fixtures';

vi.hoisted(() => {
  process.env['TOPIC_ARN'] = 'arn:aws:sns:eu-west-1:123456789012:oom-alerts';
  process.env['CHATBOT_TOPIC_ARN'] = 'arn:aws:sns:eu-west-1:123456789012:oom-amazon-q';
  process.env['SLACK_WEBHOOK_SECRET_ARN'] = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:oom/slack';
  process.env['LOOKBACK_HOURS'] = '24';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'INFO';
  process.env['POWERTOOLS_SERVICE_NAME'] = 'oom-responder';
});

import { handler } from '../lambda/handler';

const ecs = mockClient(ECSClient);
const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
const taskDefinition = (loadJson(`${EXAMPLES}/task-definition.json`) as { taskDefinition: Record<string, unknown> }).taskDefinition;

let server: Server;
let webhook: string;
let respond: (req: IncomingMessage, res: ServerResponse, body: string) => void;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      respond(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXXSECRETXXXX`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  ecs.reset();
  cw.reset();
  sns.reset();
  secrets.reset();
  received.length = 0;
  respond = (_req, res) => res.writeHead(200).end('ok');
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition as never });
  ecs.on(DescribeServicesCommand).resolves({ services: [{ taskDefinition: taskDefinition['taskDefinitionArn'] as string, deployments: [] }] });
  const t = Date.now() - 120_000;
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'ecs_max', Timestamps: [new Date(t), new Date(t + 60_000)], Values: [97, 100] },
      { Id: 'ecs_avg', Timestamps: [new Date(t), new Date(t + 60_000)], Values: [90, 96] },
    ],
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: webhook });
});

function captureStdout(): { lines: () => string[]; restore: () => void } {
  const chunks: string[] = [];
  const write = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  // Powertools writes INFO to stdout and WARN/ERROR to stderr.
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(write), vi.spyOn(process.stderr, 'write').mockImplementation(write)];
  return { lines: () => chunks.join('').split('\n').filter(Boolean), restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe('handler', () => {
  it('posts Slack Block Kit to the webhook and publishes email and Amazon Q messages', async () => {
    const out = captureStdout();
    try {
      const outcome = await handler(event);
      expect(outcome.status).toBe('alerted');
    } finally {
      out.restore();
    }
    expect(received).toHaveLength(1);
    const slack = JSON.parse(received[0]!) as { text: string; blocks: { type: string }[] };
    expect(slack.blocks[0]!.type).toBe('header');
    expect(slack.text.length).toBeGreaterThan(10);

    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: taskDefinition['taskDefinitionArn'] as string });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    const [email, chatbot] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    const byTopic = [email!, chatbot!].sort((a, b) => a.TopicArn!.localeCompare(b.TopicArn!));
    expect(byTopic[0]).toMatchObject({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:oom-alerts', MessageStructure: 'json' });
    expect(byTopic[0]!.Subject!.length).toBeLessThan(100);
    expect(JSON.parse(JSON.parse(byTopic[0]!.Message!).sqs).schema).toBe('oom-responder/triage@1');
    // So programmatic subscribers can filter out the stack's alarms, which share the topic.
    expect(byTopic[0]!.MessageAttributes).toEqual({ schema: { DataType: 'String', StringValue: 'oom-responder/triage@1' } });
    expect(JSON.parse(byTopic[1]!.Message!)).toMatchObject({ version: '1.0', source: 'custom' });

    const logs = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const sent = logs.find((l) => l['message'] === 'Alert sent')!;
    expect(sent).toMatchObject({ service: 'oom-responder', container: 'app', verdict: 'oom', level: 'INFO' });
    expect(sent['clusterArn']).toMatch(/cluster\/prod$/);
    expect(sent['ecsService']).toBe('checkout-api');
    expect(sent['taskArn']).toMatch(/task\/prod\//);
    expect(out.lines().join('\n')).not.toContain('XXXXSECRETXXXX');
  });

  it('emails even when Slack keeps answering 500, then throws so Lambda retries', async () => {
    respond = (_req, res) => res.writeHead(500).end('oops');
    const out = captureStdout();
    try {
      await expect(handler(event, { getRemainingTimeInMillis: () => 7_000 } as never)).rejects.toThrow(/slack/);
    } finally {
      out.restore();
    }
    expect(received.length).toBeGreaterThan(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(out.lines().join('\n')).not.toContain('XXXXSECRETXXXX');
  });

  it('drops a malformed event without throwing', async () => {
    const out = captureStdout();
    try {
      await expect(handler({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: 'nope' })).resolves.toMatchObject({ status: 'dropped' });
    } finally {
      out.restore();
    }
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(out.lines().some((l) => /dropped/.test(l) && /"level":"WARN"/.test(l))).toBe(true);
  });
});
