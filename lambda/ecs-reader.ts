/**
 * ECS reads: the killed task's definition, and the service's deployed revision (to spot a stale event).
 * Each function takes its client; the handler builds it.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { TaskDefinition } from './model';
import { parseTaskDefinition } from './parse-task-definition';

export async function describeTaskDefinition(ecs: ECSClient, taskDefinitionArn: string): Promise<TaskDefinition> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
  return parseTaskDefinition({ taskDefinition: out.taskDefinition });
}

/** The task definition the service runs now (its PRIMARY deployment), or null when the service is not found. */
export async function describeDeployedTaskDefinitionArn(
  ecs: ECSClient,
  clusterArn: string,
  serviceName: string,
): Promise<string | null> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: [serviceName] }));
  const service = out.services?.[0];
  if (!service) return null;
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  return primary?.taskDefinition ?? service.taskDefinition ?? null;
}
