import { describe, expect, it } from 'vitest';
import {
  alertLinks,
  awslogsStream,
  consoleOrigin,
  ecsServiceLink,
  ecsTaskLink,
  jsurlEncode,
  logStreamLink,
  logsFragmentEncode,
  metricFor,
  metricLink,
  partitionOf,
} from '../lambda/console-links';
import { ec2GovCloud, longNames, noMetrics, oomChronic, sidecarOom } from './fixtures/triage-results';

describe('partitions', () => {
  it('maps regions to console hosts', () => {
    expect(consoleOrigin('eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com');
    expect(consoleOrigin('us-gov-west-1')).toBe('https://us-gov-west-1.console.amazonaws-us-gov.com');
    expect(consoleOrigin('cn-north-1')).toBe('https://cn-north-1.console.amazonaws.cn');
    expect(consoleOrigin('cn-northwest-1', 'aws-cn')).toBe('https://cn-northwest-1.console.amazonaws.cn');
  });
  it('trusts the region over a wrong ARN partition, and the ARN partition for unknown regions', () => {
    expect(partitionOf('us-gov-east-1', 'aws')).toBe('aws-us-gov');
    expect(partitionOf('xx-new-1', 'aws-cn')).toBe('aws-cn');
    expect(partitionOf('eu-west-1', null)).toBe('aws');
  });
});

describe('ECS links', () => {
  it('task and service', () => {
    expect(ecsTaskLink({ region: 'eu-west-1', cluster: 'prod-cluster', taskId: 'abc123' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/tasks/abc123?region=eu-west-1',
    );
    expect(ecsServiceLink({ region: 'us-gov-west-1', partition: 'aws-us-gov', cluster: 'gov', service: 'ledger' })).toBe(
      'https://us-gov-west-1.console.amazonaws-us-gov.com/ecs/v2/clusters/gov/services/ledger/health?region=us-gov-west-1',
    );
  });
  it('encodes odd names as path segments', () => {
    expect(ecsServiceLink({ region: 'eu-west-1', cluster: 'a b/ü', service: 'x?y#z' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/a%20b%2F%C3%BC/services/x%3Fy%23z/health?region=eu-west-1',
    );
  });
});

describe('log stream links', () => {
  it('E(x): slashes become $252F, never the broken %2 of fivexl', () => {
    expect(logsFragmentEncode('/ecs/prod/api')).toBe('$252Fecs$252Fprod$252Fapi');
    expect(logsFragmentEncode('my group ü')).toBe('my$2520group$2520$25C3$25BC');
  });
  it('builds the exact stream link', () => {
    const url = logStreamLink({ region: 'eu-west-1', logGroup: '/ecs/prod/api', logStream: 'ecs/web/8f3a' });
    expect(url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fprod$252Fapi/log-events/ecs$252Fweb$252F8f3a',
    );
    expect(url).not.toMatch(/%2[^0-9A-F]|%2$/);
  });
  it('stream = prefix/container/taskId; awslogs-region wins; no prefix -> no link', () => {
    const def = oomChronic.taskDefinition!.containers[0]!;
    expect(awslogsStream(def, 't1', 'eu-west-1')).toEqual({ logGroup: '/ecs/prod/api', logStream: 'ecs/web/t1', region: 'eu-west-1' });
    const gov = ec2GovCloud.taskDefinition!.containers[0]!;
    expect(awslogsStream(gov, 't2', 'eu-west-1')?.region).toBe('us-gov-west-1');
    expect(awslogsStream(noMetrics.taskDefinition!.containers[0]!, 't3', 'eu-west-1')).toBeNull();
    expect(awslogsStream({ ...def, logConfiguration: { logDriver: 'awsfirelens', options: {} } }, 't', 'eu-west-1')).toBeNull();
  });
  it('encodes spaces and unicode in group and prefix', () => {
    const links = alertLinks(longNames);
    expect(links.logs).toContain('#logsV2:log-groups/log-group/$252Fecs$252Fprod$2520team$252F$25C3$25BCn$25C3$25AF$252Flog$2520group/log-events/my$2520prefix$252F');
    expect(links.logs).not.toMatch(/[\s<>|]/);
  });
});

describe('metric links', () => {
  it('jsurl-encodes strings', () => {
    expect(jsurlEncode('AWS/ECS')).toBe('AWS*2fECS');
    expect(jsurlEncode("a b'c")).toBe('a*20b*27c');
    expect(jsurlEncode('服')).toBe('**670d');
    expect(jsurlEncode('my_svc-1.2')).toBe('my_svc-1.2');
  });
  it('builds the AWS/ECS MemoryUtilization graph link', () => {
    const ref = metricFor(oomChronic.task, { source: 'aws-ecs-service', periodSeconds: 60 }, 24)!;
    expect(metricLink({ region: 'eu-west-1', metric: ref })).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#metricsV2:graph=~(metrics~(~(~'AWS*2fECS~'MemoryUtilization~'ClusterName~'prod-cluster~'ServiceName~'api))~view~'timeSeries~stat~'Maximum~period~60~region~'eu-west-1~start~'-PT24H~end~'P0D)",
    );
  });
  it('uses Container Insights for Container Insights evidence, and nothing without a service', () => {
    expect(metricFor(sidecarOom.task, { source: 'container-insights-container', periodSeconds: 60 })?.namespace).toBe('ECS/ContainerInsights');
    expect(metricFor(noMetrics.task, null)).toBeNull();
  });
});

describe('alertLinks', () => {
  it('gives all four links for a service task with awslogs', () => {
    const l = alertLinks(oomChronic, { source: 'aws-ecs-service', periodSeconds: 300 });
    expect(l.task).toContain('/tasks/8f3a1c2b9d7e4f60a1b2c3d4e5f60718?region=eu-west-1');
    expect(l.service).toContain('/services/api/health');
    expect(l.logs).toContain('log-events/ecs$252Fweb$252F8f3a1c2b9d7e4f60a1b2c3d4e5f60718');
    expect(l.metric).toContain('period~300');
  });
  it('standalone task: no service or metric link; no prefix: no logs link', () => {
    const l = alertLinks(noMetrics);
    expect(l).toEqual({ task: expect.stringContaining('/tasks/') as unknown as string, service: null, logs: null, metric: null });
  });
  it('GovCloud links use the GovCloud console everywhere', () => {
    const l = alertLinks(ec2GovCloud);
    for (const url of [l.task, l.service, l.logs, l.metric]) expect(url).toMatch(/^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\//);
  });
  it('no region: no links', () => {
    expect(alertLinks({ ...oomChronic, task: { ...oomChronic.task, region: null } })).toEqual({ task: null, service: null, logs: null, metric: null });
  });
});
