import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../lambda/errors';
import { camelCaseKeys, parseTaskInput, parseTaskStateChange, parseTimestamp, splitArn } from '../lambda/parse-task';
import { EXAMPLES, SHARED_FIXTURES, loadFixtures, loadJson } from './helpers/fixtures';

const shared = loadFixtures(SHARED_FIXTURES);

describe('parseTaskInput on every shared fixture', () => {
  it.each(shared.map((f) => [f.file, f] as const))('%s parses without throwing', (_file, fixture) => {
    const parsed = parseTaskInput(fixture.event ?? { task: fixture.task });
    expect(parsed.tasks.length).toBe(1);
    const task = parsed.tasks[0]!;
    expect(task.taskArn).toMatch(/^arn:aws/);
    expect(task.taskId.length).toBeGreaterThan(5);
  });

  it('reads the EC2 soft-limit-only fixture (12) with its memoryReservation and launch type', () => {
    const f = shared.find((x) => x.file.startsWith('12-'))!;
    const task = parseTaskStateChange(f.event);
    expect(task.launchType).toBe('EC2');
    expect(task.containers[0]!.memory).toBeNull();
    expect(task.containers[0]!.memoryReservation).toBe(128);
    expect(task.memory).toBe(128);
    expect(task.serviceName).not.toBeNull();
  });

  it('reads the stop-task output (05): EC2, empty containers, epoch-second timestamps', () => {
    const f = shared.find((x) => x.file.startsWith('05-'))!;
    const parsed = parseTaskInput({ task: f.task });
    expect(parsed.kind).toBe('stop-task');
    const task = parsed.tasks[0]!;
    expect(task.containers).toEqual([]);
    expect(task.launchType).toBe('EC2');
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedAt).toBeGreaterThan(1e12);
  });

  it('keeps the Fargate Spot snippet (02) with no containers and its stop code', () => {
    const f = shared.find((x) => x.file.startsWith('02-'))!;
    const task = parseTaskStateChange(f.event);
    expect(task.stopCode).toBe('TerminationNotice');
    expect(task.containers).toEqual([]);
  });
});

describe('parseTaskStateChange', () => {
  const example = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);

  it('normalises the example OOM event', () => {
    const task = parseTaskStateChange(example);
    expect(task).toMatchObject({
      clusterName: 'prod',
      serviceName: 'checkout-api',
      family: 'checkout-api',
      revision: 42,
      launchType: 'FARGATE',
      region: 'eu-west-1',
      accountId: '123456789012',
      partition: 'aws',
      cpu: 512,
      memory: 1024,
      version: 6,
      stopCode: 'EssentialContainerExited',
    });
    expect(task.containers[0]).toMatchObject({ name: 'app', exitCode: 137, memory: 1024, memoryReservation: 512 });
    expect(task.containers[1]).toMatchObject({ name: 'log_router', exitCode: 0, memory: null, memoryReservation: 50 });
    expect(task.eventId).toBe('a5c3e0f2-7d1b-4c8e-9f6a-2b3c4d5e6f70');
  });

  it.each([
    ['a string', 'hello', /JSON object/],
    ['null', null, /JSON object/],
    ['no detail', { source: 'aws.ecs', 'detail-type': 'ECS Task State Change' }, /detail/],
    ['another event type', { source: 'aws.ecs', 'detail-type': 'ECS Container Instance State Change', detail: {} }, /unexpected event type/],
    ['no taskArn', { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { containers: [] } }, /taskArn/],
    ['an empty taskArn', { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: '' } }, /taskArn/],
  ])('rejects %s with a clear InvalidInputError', (_name, input, message) => {
    expect(() => parseTaskStateChange(input)).toThrow(InvalidInputError);
    expect(() => parseTaskStateChange(input)).toThrow(message);
  });

  it('reads what it can when fields have the wrong type, and says what it skipped', () => {
    const task = parseTaskStateChange({
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      detail: {
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/x',
        lastStatus: 42,
        group: ['service:x'],
        containers: [null, 'junk', { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', memory: { x: 1 } }],
      },
    });
    expect(task.lastStatus).toBeNull();
    expect(task.group).toBeNull();
    expect(task.containers).toHaveLength(1);
    expect(task.containers[0]).toMatchObject({ name: 'app', exitCode: 137, memory: null });
    expect(task.parseWarnings).toEqual(['containers[0] is not an object; skipped', 'containers[1] is not an object; skipped']);
    const odd = parseTaskStateChange({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: 'arn:aws:ecs:us-east-1:1:task/c/x', containers: 'x' } });
    expect(odd.containers).toEqual([]);
    expect(odd.parseWarnings).toEqual(['containers is not an array; no container could be read']);
  });

  it('survives a truncated event: no containers, masked account, odd timestamps', () => {
    const task = parseTaskStateChange({
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      detail: { taskArn: 'arn:aws-us-gov:ecs:us-gov-west-1:************:task/gov/abc123', stoppedAt: '2026-01-02T03:04:05.7Z', memory: '2 GB' },
    });
    expect(task.partition).toBe('aws-us-gov');
    expect(task.accountId).toBe('************');
    expect(task.clusterName).toBe('gov');
    expect(task.memory).toBe(2048);
    expect(task.stoppedAt).toBe(Date.parse('2026-01-02T03:04:05.700Z'));
    expect(task.containers).toEqual([]);
  });
});

describe('formats', () => {
  const task = {
    taskArn: 'arn:aws-cn:ecs:cn-north-1:123456789012:task/cn-cluster/0123456789abcdef',
    clusterArn: 'arn:aws-cn:ecs:cn-north-1:123456789012:cluster/cn-cluster',
    taskDefinitionArn: 'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/batch:3',
    group: 'family:batch',
    launchType: 'EC2',
    containers: [{ name: 'worker', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', memory: 512 }],
    stoppedAt: 1763650000.123,
  };

  it('reads describe-tasks output with every task', () => {
    const parsed = parseTaskInput({ tasks: [task, { ...task, taskArn: `${task.taskArn}2` }], failures: [] });
    expect(parsed.kind).toBe('describe-tasks');
    expect(parsed.tasks).toHaveLength(2);
    expect(parsed.tasks[0]!.serviceName).toBeNull();
    expect(parsed.tasks[0]!.group).toBe('family:batch');
    expect(parsed.tasks[0]!.partition).toBe('aws-cn');
    expect(parsed.tasks[0]!.stoppedAt).toBe(1763650000123);
  });

  it('skips a broken task in describe-tasks output and says why', () => {
    const parsed = parseTaskInput({ tasks: [task, { containers: [] }] });
    expect(parsed.tasks).toHaveLength(1);
    expect(parsed.skipped[0]!.reason).toMatch(/taskArn/);
  });

  it('rejects an empty tasks array', () => {
    expect(() => parseTaskInput({ tasks: [], failures: [{ reason: 'MISSING' }] })).toThrow(/empty/);
  });

  it('reads a PascalCase Step Functions task with epoch milliseconds', () => {
    const pascal = {
      TaskArn: task.taskArn,
      ClusterArn: task.clusterArn,
      TaskDefinitionArn: task.taskDefinitionArn,
      Group: 'family:batch',
      LaunchType: 'FARGATE',
      Cpu: '1024',
      Memory: '2048',
      StoppedAt: 1763650000123,
      StopCode: 'EssentialContainerExited',
      Containers: [{ Name: 'worker', ExitCode: 137, Reason: 'OutOfMemoryError: container killed due to memory usage' }],
    };
    const parsed = parseTaskInput(pascal);
    expect(parsed.kind).toBe('task');
    expect(parsed.tasks[0]).toMatchObject({ launchType: 'FARGATE', cpu: 1024, memory: 2048, stoppedAt: 1763650000123 });
    expect(parsed.tasks[0]!.containers[0]).toMatchObject({ name: 'worker', exitCode: 137 });
  });

  it('reads the event inside SQS, SNS and SNS-notification envelopes, and an array of events', () => {
    const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
    const body = JSON.stringify(event);
    const sqs = parseTaskInput({ Records: [{ messageId: '1', body, eventSource: 'aws:sqs' }, { messageId: '2', body, eventSource: 'aws:sqs' }] });
    expect(sqs.kind).toBe('event');
    expect(sqs.tasks).toHaveLength(2);
    expect(sqs.tasks[0]!.containers[0]).toMatchObject({ name: 'app', exitCode: 137 });
    expect(parseTaskInput({ Records: [{ EventSource: 'aws:sns', Sns: { Message: body } }] }).tasks).toHaveLength(1);
    expect(parseTaskInput({ Type: 'Notification', MessageId: 'x', Message: body }).tasks[0]!.taskArn).toBe(sqs.tasks[0]!.taskArn);
    expect(parseTaskInput([event, event]).tasks).toHaveLength(2);
    expect(() => parseTaskInput({ Type: 'Notification', Message: '{not json' })).toThrow(/envelope: its message is not JSON/);
  });

  it('reads a Lambda on-failure record from the dead-letter queue (the event in requestPayload), in the Lambda and in triage', () => {
    const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
    const record = {
      version: '1.0',
      timestamp: '2026-11-20T15:10:00.000Z',
      requestContext: { requestId: 'e4b46cbf', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:oom-responder:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'Task timed out after 60.00 seconds' },
    };
    expect(parseTaskStateChange(record)).toEqual(parseTaskStateChange(event));
    expect(parseTaskInput(record).tasks[0]).toEqual(parseTaskStateChange(event));
    // The SQS message that carries it, as read from the queue.
    expect(parseTaskInput({ Records: [{ messageId: '1', body: JSON.stringify(record), eventSource: 'aws:sqs' }] }).tasks[0]!.taskArn).toBe(parseTaskStateChange(event).taskArn);
  });

  it('treats a zero or negative memory size as unknown, not as a limit', () => {
    const event = structuredClone(loadJson<{ detail: { memory: string; containers: Record<string, unknown>[] } }>(`${EXAMPLES}/oom-event.json`));
    event.detail.memory = '0';
    event.detail.containers[0]!['memory'] = '-1024';
    event.detail.containers[0]!['memoryReservation'] = 0;
    const task = parseTaskStateChange(event);
    expect(task.memory).toBeNull();
    expect(task.containers[0]).toMatchObject({ memory: null, memoryReservation: null });
  });

  it('rejects JSON that holds no task', () => {
    expect(() => parseTaskInput({ hello: 'world' })).toThrow(/no task found/);
    expect(() => parseTaskInput(42)).toThrow(InvalidInputError);
  });
});

describe('helpers', () => {
  it.each([
    ['2026-11-20T14:07:31Z', Date.parse('2026-11-20T14:07:31Z')],
    ['2026-11-20T14:07:31.4Z', Date.parse('2026-11-20T14:07:31.400Z')],
    ['2026-11-20T14:07:31.402000+00:00', Date.parse('2026-11-20T14:07:31.402Z')],
    [1763647651.402, 1763647651402],
    [1763647651402, 1763647651402],
    ['1763647651', 1763647651000],
    // Microseconds and nanoseconds (some exporters): told apart by magnitude, not read as milliseconds.
    [1763647651402000, 1763647651402],
    [1763647651402000000, 1763647651402],
    ['1763647651402000000', 1763647651402],
    // Beyond what a Date holds: null, never an Invalid Date that makes toISOString throw.
    [1e300, null],
    ['not a date', null],
    [null, null],
  ])('parseTimestamp(%j)', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it('splits masked ARNs leniently', () => {
    expect(splitArn('arn:aws:ecs:us-east-1:{account-id}:cluster/x')).toMatchObject({ account: '{account-id}', resource: 'cluster/x' });
    expect(splitArn('not-an-arn')).toBeNull();
  });

  it.each([
    ['us-east-1', 'us-east-1'],
    ['us-gov-west-1', 'us-gov-west-1'],
    ['cn-northwest-1', 'cn-northwest-1'],
    ['eusc-de-east-1', 'eusc-de-east-1'],
    ['*************', null],
    ['{region}', null],
    ['', null],
  ])('keeps a region only when it is one (%s), so masked copies never reach a console link or a CLI command', (region, expected) => {
    expect(splitArn(`arn:aws:ecs:${region}:123456789012:task/c/abc`)?.region).toBe(expected);
  });

  it('a masked describe-tasks capture (GovCloud, masked region and account) gives no region, so no console link or --region', () => {
    const masked = {
      tasks: [
        {
          taskArn: 'arn:aws-us-gov:ecs:*************:************:task/app-prod/0123456789abcdef0123456789abcdef',
          clusterArn: 'arn:aws-us-gov:ecs:*************:************:cluster/app-prod',
          lastStatus: 'STOPPED',
          stoppedAt: '2023-08-01T14:03:11.123456-04:00',
          containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', lastStatus: 'STOPPED' }],
        },
      ],
    };
    const t = parseTaskInput(masked).tasks[0]!;
    expect(t.region).toBeNull();
    expect(t.partition).toBe('aws-us-gov');
    expect(t.clusterName).toBe('app-prod');
  });

  it('camelCases only PascalCase keys', () => {
    expect(camelCaseKeys({ TaskArn: 'a', Containers: [{ ExitCode: 1 }], 'detail-type': 'x', ID: 1 })).toEqual({
      taskArn: 'a',
      containers: [{ exitCode: 1 }],
      'detail-type': 'x',
      ID: 1,
    });
  });
});
