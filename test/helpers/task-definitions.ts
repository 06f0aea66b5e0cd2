/** Minimal container and task definitions for the recommender's tests. */
import type { ContainerDefinition, TaskDefinition } from '../../lambda/model';

export function container(name: string, memory: number | null, memoryReservation: number | null = null): ContainerDefinition {
  return { name, image: `${name}:1`, essential: name === 'app', memory, memoryReservation, cpu: null, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null };
}

export function taskDef(containers: ContainerDefinition[], cpu: number | null, memory: number | null, compat = 'FARGATE'): TaskDefinition {
  return { taskDefinitionArn: null, family: 'svc', revision: 3, cpu, memory, requiresCompatibilities: [compat], networkMode: 'awsvpc', containers };
}
