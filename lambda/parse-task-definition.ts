/**
 * Normalise a task definition from `ecs:DescribeTaskDefinition` (SDK or `aws ecs describe-task-definition`
 * output, `{"taskDefinition":{...}}`) or a bare task definition, camelCase or PascalCase. Pure.
 */
import { InvalidInputError } from './errors';
import type { ContainerDefinition, TaskDefinition } from './model';
import { camelCaseKeys, isRecord, parseInteger, parsePositiveInteger, parseSize, parseTaskDefinitionArn, parseTimestamp } from './parse-task';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function environmentOf(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (!Array.isArray(value)) return env;
  for (const pair of value) {
    if (isRecord(pair) && typeof pair['name'] === 'string') env[pair['name']] = String(pair['value'] ?? '');
  }
  return env;
}

function containerOf(raw: Record<string, unknown>, index: number): ContainerDefinition {
  const log = isRecord(raw['logConfiguration']) ? raw['logConfiguration'] : null;
  const options: Record<string, string> = {};
  if (log && isRecord(log['options'])) {
    for (const [k, v] of Object.entries(log['options'])) if (typeof v === 'string') options[k] = v;
  }
  return {
    name: typeof raw['name'] === 'string' ? raw['name'] : `container-${index + 1}`,
    image: typeof raw['image'] === 'string' ? raw['image'] : null,
    // ECS treats a container as essential unless the definition says otherwise.
    essential: raw['essential'] !== false,
    memory: parsePositiveInteger(raw['memory']),
    memoryReservation: parsePositiveInteger(raw['memoryReservation']),
    cpu: parseInteger(raw['cpu']),
    environment: environmentOf(raw['environment']),
    command: strings(raw['command']),
    entryPoint: strings(raw['entryPoint']),
    logConfiguration: log && typeof log['logDriver'] === 'string' ? { logDriver: log['logDriver'], options } : null,
    stopTimeout: parseInteger(raw['stopTimeout']),
  };
}

export function parseTaskDefinition(input: unknown): TaskDefinition {
  if (!isRecord(input)) throw new InvalidInputError('task definition: expected a JSON object');
  let value: Record<string, unknown> = 'TaskDefinition' in input || 'ContainerDefinitions' in input
    ? (camelCaseKeys(input) as Record<string, unknown>)
    : input;
  if (isRecord(value['taskDefinition'])) value = value['taskDefinition'];
  const containers = value['containerDefinitions'];
  if (!Array.isArray(containers)) {
    throw new InvalidInputError('task definition: no containerDefinitions array (expected describe-task-definition output)');
  }
  const arn = typeof value['taskDefinitionArn'] === 'string' ? value['taskDefinitionArn'] : null;
  const fromArn = parseTaskDefinitionArn(arn);
  const family = typeof value['family'] === 'string' ? value['family'] : fromArn.family;
  if (!family) throw new InvalidInputError('task definition: no family and no taskDefinitionArn');
  // The SDK gives a Date, the CLI an ISO string (v2) or epoch seconds (v1). Kept only when readable.
  const at = value['registeredAt'];
  const registeredAt = parseTimestamp(at instanceof Date ? at.getTime() : at);
  return {
    taskDefinitionArn: arn,
    family,
    revision: parseInteger(value['revision']) ?? fromArn.revision,
    cpu: parseSize(value['cpu'], 'cpu'),
    memory: parsePositiveInteger(parseSize(value['memory'], 'memory')),
    requiresCompatibilities: strings(value['requiresCompatibilities']),
    networkMode: typeof value['networkMode'] === 'string' ? value['networkMode'] : null,
    containers: containers.filter(isRecord).map(containerOf),
    ...(registeredAt !== null && { registeredAt }),
  };
}
