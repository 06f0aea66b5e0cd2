/**
 * The test matcher against the examples of the EventBridge User Guide ("Content filtering in event patterns",
 * "Comparison operators", "Arrays in event patterns", "Matching null values and empty strings") and the
 * aws/event-ruler README, with the answers those pages give.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern, PatternSyntaxError, wildcardToRegExp } from './event-pattern-matcher';

/** The sample event of the event-ruler README ("Ruler by Example"). */
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

function withDetail(detail: Record<string, unknown>): typeof ec2Event {
  return { ...ec2Event, detail: { ...ec2Event.detail, ...detail } };
}

describe('exact values and arrays of values', () => {
  it('matches the simple rule of the docs: every field, any listed value', () => {
    const pattern = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ state: 'initializing' }))).toBe(true);
    expect(matchesPattern(pattern, withDetail({ state: 'stopped' }))).toBe(false);
    expect(matchesPattern({ ...pattern, source: ['aws.s3'] }, ec2Event)).toBe(false);
  });

  it('ignores event fields the pattern does not name', () => {
    expect(matchesPattern({ source: ['aws.ec2'] }, ec2Event)).toBe(true);
  });

  it('requires the named field to exist', () => {
    expect(matchesPattern({ detail: { missing: ['x'] } }, ec2Event)).toBe(false);
  });

  it('matches an event array when the intersection with the pattern array is non-empty (Arrays page)', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it('distinguishes null from the empty string (null values page)', () => {
    const event = {
      'detail-type': 'EC2 Instance Launch Successful',
      source: 'aws.autoscaling',
      resources: [],
      detail: { eventVersion: '', responseElements: null },
    };
    expect(matchesPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { responseElements: [''] } }, event)).toBe(false);
  });

  it('matches a number only as a number (ECS exitCode 137 vs "137")', () => {
    const pattern = { detail: { containers: { exitCode: [137] } } };
    expect(matchesPattern(pattern, { detail: { containers: [{ exitCode: 137 }] } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { containers: [{ exitCode: '137' }] } })).toBe(false);
  });
});

describe('nested objects and arrays of objects', () => {
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };

  it('matches a field of any element of an array of objects (event-ruler JSON array matching)', () => {
    expect(matchesPattern({ employees: { firstName: ['Anna'] } }, employees)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Zoe'] } }, employees)).toBe(false);
  });

  it('crushes multi-level arrays', () => {
    const nested = { employees: [[employees.employees[0], employees.employees[1]], [employees.employees[2]]] };
    expect(matchesPattern({ employees: { firstName: ['Peter'] } }, nested)).toBe(true);
  });

  it('is array-consistent: two fields must match in the same element ("Anna"/"Jones" does not match)', () => {
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees)).toBe(false);
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees)).toBe(true);
  });

  it('treats an empty array of objects as absent', () => {
    expect(matchesPattern({ detail: { containers: { exitCode: [137] } } }, { detail: { containers: [] } })).toBe(false);
  });
});

describe('prefix and suffix', () => {
  it('matches the prefix example on "time"', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-03' }] }, ec2Event)).toBe(false);
  });

  it('matches the prefix example on region (Auto Scaling events from Europe)', () => {
    const pattern = { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] };
    expect(matchesPattern(pattern, { source: 'aws.autoscaling', region: 'eu-west-1' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.autoscaling', region: 'us-east-1' })).toBe(false);
  });

  it('matches the suffix example on "source"', () => {
    expect(matchesPattern({ source: [{ suffix: 'ec2' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: [{ suffix: 'EC2' }] }, ec2Event)).toBe(false);
  });

  it('matches prefix with equals-ignore-case ("EventB" matches eventbridge, EVENTBRIDGE)', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matchesPattern(pattern, { detail: { service: 'eventbridge' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { service: 'EVENTBRIDGE' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { service: 'bridge' } })).toBe(false);
  });

  it('matches suffix with equals-ignore-case (".png" matches ".PNG")', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matchesPattern(pattern, { detail: { FileName: 'photo.PNG' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { FileName: 'photo.jpg' } })).toBe(false);
  });

  it('applies prefix to strings only', () => {
    expect(matchesPattern({ detail: { n: [{ prefix: '5' }] } }, { detail: { n: 5 } })).toBe(false);
  });
});

describe('equals-ignore-case and wildcard', () => {
  it('matches equals-ignore-case', () => {
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'EC2' }] }, ec2Event)).toBe(false);
  });

  it('matches the wildcard examples ("Simple*Service", "dir/*.png")', () => {
    const simple = { source: [{ wildcard: 'Simple*Service' }] };
    expect(matchesPattern(simple, { source: 'SimpleQueueService' })).toBe(true);
    expect(matchesPattern(simple, { source: 'SimpleService' })).toBe(true);
    expect(matchesPattern(simple, { source: 'NotSimpleQueueService' })).toBe(false);
    const png = { detail: { FileName: [{ wildcard: 'dir/*.png' }] } };
    expect(matchesPattern(png, { detail: { FileName: 'dir/icon.png' } })).toBe(true);
    expect(matchesPattern(png, { detail: { FileName: 'xdir/icon.png' } })).toBe(false);
    expect(matchesPattern(png, { detail: { FileName: 'dir/icon.pngx' } })).toBe(false);
  });

  it('treats an escaped star as a literal star and an escaped backslash as a backslash', () => {
    expect(matchesPattern({ f: [{ wildcard: 'a\\*b' }] }, { f: 'a*b' })).toBe(true);
    expect(matchesPattern({ f: [{ wildcard: 'a\\*b' }] }, { f: 'aXb' })).toBe(false);
    expect(wildcardToRegExp('a\\\\*').test('a\\anything')).toBe(true);
  });

  it('rejects consecutive wildcard characters and other escapes', () => {
    expect(() => matchesPattern({ f: [{ wildcard: 'dir/**.png' }] }, { f: 'x' })).toThrow(PatternSyntaxError);
    expect(() => matchesPattern({ f: [{ wildcard: 'a\\b' }] }, { f: 'x' })).toThrow(PatternSyntaxError);
  });
});

describe('anything-but', () => {
  it('matches the string and number examples', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(
      matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'initializing' })),
    ).toBe(false);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': 301.8 }] } }, ec2Event)).toBe(false);
  });

  it('matches the list examples', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ec2Event)).toBe(true);
  });

  it('matches the prefix example (anything but "init...")', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ state: 'initializing' }))).toBe(false);
  });

  it('matches "only my own events" (anything but source prefix "aws.")', () => {
    const pattern = { source: [{ 'anything-but': { prefix: 'aws.' } }] };
    expect(matchesPattern(pattern, { source: 'com.mycompany.orders' })).toBe(true);
    expect(matchesPattern(pattern, ec2Event)).toBe(false);
  });

  it('matches the suffix, ignore-case and wildcard forms of the operators table', () => {
    expect(matchesPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' })).toBe(true);
    expect(matchesPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' })).toBe(false);
    const ignoreCase = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    expect(matchesPattern(ignoreCase, { state: 'INITIALIZING' })).toBe(false);
    expect(matchesPattern(ignoreCase, { state: 'running' })).toBe(true);
    const wildcard = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
    expect(matchesPattern(wildcard, { FilePath: '/usr/lib/libc.so' })).toBe(false);
    expect(matchesPattern(wildcard, { FilePath: '/usr/bin/env' })).toBe(true);
  });

  it('never matches an absent field', () => {
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('excludes from the CloudTrail example ("AWS API Call via CloudTrail")', () => {
    const pattern = { 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, { 'detail-type': 'AWS API Call via CloudTrail' })).toBe(false);
  });
});

describe('numeric', () => {
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches the numeric example only when every field is in range', () => {
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ 'c-count': 6 }))).toBe(false);
    expect(matchesPattern(pattern, withDetail({ 'c-count': 0 }))).toBe(false);
    expect(matchesPattern(pattern, withDetail({ 'd-count': 10 }))).toBe(false);
  });

  it('works on JSON numbers only', () => {
    expect(matchesPattern(pattern, withDetail({ 'c-count': '5' }))).toBe(false);
  });

  it('rejects a malformed comparison', () => {
    expect(() => matchesPattern({ n: [{ numeric: ['~', 1] }] }, { n: 1 })).toThrow(PatternSyntaxError);
  });
});

describe('exists', () => {
  it('matches exists: true on a present leaf and exists: false on a missing one', () => {
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { nothing: [{ exists: false }] } }, ec2Event)).toBe(true);
  });

  it('does not see intermediate nodes: the docs event with "c-count": {"c1": 100} matches exists: false', () => {
    const eventWithoutCCount = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    };
    const eventWithObject = { ...eventWithoutCCount, detail: { ...eventWithoutCCount.detail, 'c-count': { c1: 100 } } };
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matchesPattern(pattern, eventWithoutCCount)).toBe(true);
    expect(matchesPattern(pattern, eventWithObject)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, { detail: { 'c-count': { c1: 100 } } })).toBe(false);
  });

  it('treats a missing parent as absent', () => {
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, { source: 'x' })).toBe(true);
  });
});

describe('cidr', () => {
  it('matches the IPv4 example 10.0.0.0/24', () => {
    const pattern = { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ 'source-ip': '10.0.1.33' }))).toBe(false);
  });
});

describe('$or', () => {
  const cloudwatch = (fields: Record<string, unknown>) => ({ source: 'aws.cloudwatch', ...fields });

  it('matches "source" && ("metricName" || "namespace")', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matchesPattern(pattern, cloudwatch({ metricName: 'ReadLatency' }))).toBe(true);
    expect(matchesPattern(pattern, cloudwatch({ namespace: 'AWS/ES' }))).toBe(true);
    expect(matchesPattern(pattern, cloudwatch({ metricName: 'Other', namespace: 'AWS/S3' }))).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' })).toBe(false);
  });

  it('matches the "Or has an And inside" and nested examples', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    expect(matchesPattern(pattern, cloudwatch({ scope: 'Service' }))).toBe(true);
    expect(matchesPattern(pattern, cloudwatch({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }))).toBe(
      true,
    );
    expect(matchesPattern(pattern, cloudwatch({ metricType: 'MetricType', namespace: 'AWS/EC2' }))).toBe(false);
    expect(matchesPattern(pattern, cloudwatch({ metricType: 'MetricType', spaceId: 1000 }))).toBe(false);
  });

  it('matches parallel $or at two levels', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(matchesPattern(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } })).toBe(
      true,
    );
    expect(matchesPattern(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'Other' } })).toBe(false);
  });

  it('rejects an $or with fewer than two alternatives', () => {
    expect(() => matchesPattern({ $or: [{ a: ['x'] }] }, { a: 'x' })).toThrow(PatternSyntaxError);
  });
});

describe('the complex example', () => {
  it('combines prefix, anything-but, numeric and cidr', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ 'x-limit': 200 }))).toBe(false);
  });
});

describe('pattern syntax', () => {
  it('rejects unknown operators, bare values and empty arrays', () => {
    expect(() => matchesPattern({ a: [{ contains: 'x' }] }, { a: 'x' })).toThrow(PatternSyntaxError);
    expect(() => matchesPattern({ a: 'x' }, { a: 'x' })).toThrow(PatternSyntaxError);
    expect(() => matchesPattern({ a: [] }, { a: 'x' })).toThrow(PatternSyntaxError);
    expect(() => matchesPattern([], {})).toThrow(PatternSyntaxError);
  });

  it('reports a syntax error even when an earlier key already failed', () => {
    expect(() => matchesPattern({ source: ['nope'], a: [{ bogus: 1 }] }, ec2Event)).toThrow(/unknown comparison operator/);
  });
});
