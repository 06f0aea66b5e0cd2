/**
 * The synthesized rule's EventPattern, run through the test matcher against every real event in
 * ../shared/fixtures/ecs-events (none is an OOM: none may match) and against our own OOM / non-OOM events in
 * test/fixtures/events (each with its expected answer).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { OomResponderProps } from '../lib/oom-responder';
import { OomResponderStack } from '../lib/oom-responder-stack';
import { matchesPattern } from './event-pattern-matcher';

/** CI clones the repo to /tmp/ci with shared at /tmp/shared: always `../shared` beside the repo root. */
const SHARED_EVENTS = path.resolve(__dirname, '../../shared/fixtures/ecs-events');
const OWN_EVENTS = path.resolve(__dirname, 'fixtures/events');
const CDK_CONTEXT = (JSON.parse(readFileSync(path.resolve(__dirname, '../cdk.json'), 'utf8')) as { context: object }).context;

interface FixtureFile {
  source: string;
  note: string;
  event?: Record<string, unknown>;
  task?: Record<string, unknown>;
}

function readFixture(dir: string, file: string): FixtureFile {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as FixtureFile;
}

function rulePattern(props?: OomResponderProps): Record<string, unknown> {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new OomResponderStack(app, 'PatternTest', { responder: props });
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  return (rules[0] as { Properties: { EventPattern: Record<string, unknown> } }).Properties.EventPattern;
}

/** A task description (describe-tasks / stop-task output) wrapped as the detail of a synthetic event. */
function asEvent(fixture: FixtureFile): Record<string, unknown> {
  if (fixture.event) return fixture.event;
  if (!fixture.task) throw new Error('fixture has neither "event" nor "task"');
  const taskArn = String(fixture.task.taskArn);
  const [, , , region, account] = taskArn.split(':');
  return {
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account,
    time: '2020-01-01T00:00:00Z',
    region,
    resources: [taskArn],
    detail: fixture.task,
  };
}

const pattern = rulePattern();

describe('the rule against the shared real ECS events', () => {
  const files = readdirSync(SHARED_EVENTS).filter((f) => f.endsWith('.json'));

  it('finds the shared fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('does not match %s (no shared fixture is an OOM)', (file) => {
    const fixture = readFixture(SHARED_EVENTS, file);
    expect(fixture.event ?? fixture.task).toBeDefined();
    expect(matchesPattern(pattern, asEvent(fixture))).toBe(false);
  });
});

/** Every file in test/fixtures/events with whether the rule must match it. */
const EXPECTED: Record<string, boolean> = {
  'oom-essential-fargate.json': true,
  'oom-essential-lowercase.json': true,
  'oom-no-exit-code.json': true,
  'oom-sidecar-running.json': true,
  'oom-at-start.json': true,
  'oom-ec2-govcloud.json': true,
  'oom-alias-stopped-reason.json': true,
  'oom-runtask-overrides.json': true,
  // Exit 137 without a reason is a SIGKILL: the rule passes it on, the Lambda classifies it.
  'sigkill-scale-in.json': true,
  // EventBridge matches the number 137 only; ECS never sends a string, so this is a documented non-match.
  'exit137-string.json': false,
  'clean-scale-in.json': false,
  'exit143.json': false,
};

describe('the rule against our own OOM and non-OOM events', () => {
  it('has an expectation for every fixture file', () => {
    const files = readdirSync(OWN_EVENTS).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s matches: %s', (file, expected) => {
    expect(matchesPattern(pattern, readFixture(OWN_EVENTS, file).event)).toBe(expected);
  });

  it('matches the sidecar OOM although the task is still RUNNING', () => {
    const event = readFixture(OWN_EVENTS, 'oom-sidecar-running.json').event as { detail: { lastStatus: string } };
    expect(event.detail.lastStatus).toBe('RUNNING');
    expect(matchesPattern(pattern, event)).toBe(true);
  });

  it('matches each OOM signal on its own', () => {
    const base = readFixture(OWN_EVENTS, 'clean-scale-in.json').event as { detail: Record<string, unknown> };
    const withContainer = (container: Record<string, unknown>) => ({
      ...base,
      detail: { ...base.detail, containers: [{ name: 'a', lastStatus: 'STOPPED', exitCode: 0 }, { name: 'b', ...container }] },
    });
    expect(matchesPattern(pattern, base)).toBe(false);
    expect(matchesPattern(pattern, withContainer({ exitCode: 137 }))).toBe(true);
    expect(matchesPattern(pattern, withContainer({ reason: 'OUTOFMEMORYERROR: Container killed due to memory usage' }))).toBe(true);
    expect(matchesPattern(pattern, withContainer({ reason: 'CannotStartContainerError: ... container init was OOM-killed (memory limit too low?): unknown' }))).toBe(true);
    expect(matchesPattern(pattern, { ...base, detail: { ...base.detail, stoppedReason: 'Task stopped due to OOM' } })).toBe(true);
    // The OOM only at task level: a task that failed to start, or the OOM reason on the task.
    const atStart = 'CannotStartContainerError: Error response from daemon: ... container init was OOM-killed (memory limit too low?): unknown';
    expect(matchesPattern(pattern, { ...base, detail: { ...base.detail, stopCode: 'TaskFailedToStart', stoppedReason: atStart } })).toBe(true);
    expect(matchesPattern(pattern, { ...base, detail: { ...base.detail, stoppedReason: 'OutOfMemoryError: Container killed due to memory usage' } })).toBe(true);
    expect(matchesPattern(pattern, { ...base, detail: { ...base.detail, stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' } })).toBe(false);
    // Near misses.
    expect(matchesPattern(pattern, withContainer({ exitCode: 139 }))).toBe(false);
    expect(matchesPattern(pattern, withContainer({ reason: 'Essential container in task exited' }))).toBe(false);
    expect(matchesPattern(pattern, withContainer({ reason: 'Error: process ran OutOfMemoryError later' }))).toBe(false);
  });

  it('never matches another source or detail-type', () => {
    const event = readFixture(OWN_EVENTS, 'oom-essential-fargate.json').event as Record<string, unknown>;
    expect(matchesPattern(pattern, { ...event, source: 'custom.ecs' })).toBe(false);
    expect(matchesPattern(pattern, { ...event, 'detail-type': 'ECS Container Instance State Change' })).toBe(false);
  });
});

describe('the clusterArns filter', () => {
  const filtered = rulePattern({ clusterArns: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web'] });

  it('keeps OOMs of the listed cluster', () => {
    expect(matchesPattern(filtered, readFixture(OWN_EVENTS, 'oom-essential-fargate.json').event)).toBe(true);
  });

  it('drops OOMs of other clusters', () => {
    expect(matchesPattern(filtered, readFixture(OWN_EVENTS, 'oom-ec2-govcloud.json').event)).toBe(false);
    expect(matchesPattern(filtered, readFixture(OWN_EVENTS, 'oom-sidecar-running.json').event)).toBe(false);
  });

  it('still drops non-OOM events of the listed cluster', () => {
    expect(matchesPattern(filtered, readFixture(OWN_EVENTS, 'exit143.json').event)).toBe(false);
  });
});

describe('our fixtures are complete events (the Lambda tests reuse them)', () => {
  const files = Object.keys(EXPECTED);

  it.each(files)('%s has the full detail of an ECS task state change', (file) => {
    const fixture = readFixture(OWN_EVENTS, file);
    expect(fixture.source.length).toBeGreaterThan(20);
    expect(fixture.note.length).toBeGreaterThan(20);
    const event = fixture.event as Record<string, unknown> & { detail: Record<string, unknown> };
    expect(event).toMatchObject({ version: '0', 'detail-type': 'ECS Task State Change', source: 'aws.ecs' });
    const { detail } = event;
    expect(detail.clusterArn).toMatch(/^arn:aws(-us-gov)?:ecs:[a-z0-9-]+:\d{12}:cluster\/.+$/);
    expect(detail.taskArn).toMatch(/:task\/[^/]+\/[0-9a-f]{32}$/);
    expect(detail.taskDefinitionArn).toMatch(/:task-definition\/[A-Za-z0-9_-]+:\d+$/);
    expect(detail.group).toMatch(/^(service|family):.+$/);
    expect(['FARGATE', 'EC2']).toContain(detail.launchType);
    expect(typeof detail.cpu).toBe('string');
    expect(typeof detail.memory).toBe('string');
    expect(typeof detail.version).toBe('number');
    expect(typeof detail.createdAt).toBe('string');
    expect(typeof detail.updatedAt).toBe('string');
    const containers = detail.containers as Record<string, unknown>[];
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(c.containerArn).toMatch(/:container\//);
      expect(typeof c.name).toBe('string');
      expect(typeof c.image).toBe('string');
      expect(typeof c.lastStatus).toBe('string');
    }
    if (detail.lastStatus === 'STOPPED') {
      expect(typeof detail.stopCode).toBe('string');
      expect(typeof detail.stoppedReason).toBe('string');
      expect(typeof detail.stoppedAt).toBe('string');
    }
  });
});
