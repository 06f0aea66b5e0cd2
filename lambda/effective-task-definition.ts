/**
 * What the task really ran with. The task definition is the template; the task itself may differ:
 * - `overrides` from RunTask, EventBridge Scheduler or Step Functions replace a container's memory, memoryReservation,
 *   environment and command, and the task's cpu and memory (AWS: "the hard limit ... instead of the default value from
 *   the task definition");
 * - the event's own container `memory`/`memoryReservation` and task `cpu`/`memory` are the task's values, and win
 *   over a task definition that says otherwise (for `triage`, a file from another revision).
 * Precedence: override, then the event, then the task definition. Every difference is reported, because the fix has
 * to go where the running value came from. Pure.
 */
import type { ContainerDefinition, ContainerState, TaskDefinition, TaskSnapshot } from './model';

export interface EffectiveTask {
  task: TaskSnapshot;
  taskDefinition: TaskDefinition | null;
  /** One line per value the task ran with that differs from the task definition, and where to fix it. */
  notes: string[];
}

const same = (a: number | null, b: number | null): boolean => a === null || b === null || a === b;

/** The task and task definition as the task ran. Without overrides or differences, returns them unchanged. */
export function effectiveTask(task: TaskSnapshot, taskDefinition: TaskDefinition | null): EffectiveTask {
  const notes: string[] = [];
  const ov = task.overrides ?? null;
  const overrideOf = (name: string) => ov?.containers.find((c) => c.name === name) ?? null;
  const overridden: string[] = [];
  const differs: string[] = [];

  // The event's containers, with the override's memory where one is set. An event that lists none (a task that
  // failed to start) gets the task definition's, stopped with no exit code, so a task-level OOM still names one.
  const listed: ContainerState[] =
    task.containers.length === 0 && taskDefinition
      ? taskDefinition.containers.map((c) => ({ name: c.name, exitCode: null, reason: null, lastStatus: 'STOPPED', memory: c.memory, memoryReservation: c.memoryReservation, cpu: c.cpu, image: c.image }))
      : task.containers;
  if (listed !== task.containers && listed.length > 0) notes.push("The event lists no containers: the task definition's are used.");
  const containers: ContainerState[] = listed.map((c) => {
    const o = overrideOf(c.name);
    return { ...c, memory: o?.memory ?? c.memory, memoryReservation: o?.memoryReservation ?? c.memoryReservation };
  });
  const taskMemory = ov?.memory ?? task.memory;
  const taskCpu = ov?.cpu ?? task.cpu;

  let def: TaskDefinition | null = null;
  if (taskDefinition) {
    const defs: ContainerDefinition[] = taskDefinition.containers.map((c) => {
      const o = overrideOf(c.name);
      const ev = task.containers.find((x) => x.name === c.name) ?? null;
      const memory = o?.memory ?? ev?.memory ?? c.memory;
      const memoryReservation = o?.memoryReservation ?? ev?.memoryReservation ?? c.memoryReservation;
      const from = (v: number | null): string => (v === null ? 'none' : `${v} MiB`);
      if (o?.memory != null && o.memory !== c.memory) overridden.push(`${c.name} memory ${o.memory} MiB (task definition: ${from(c.memory)})`);
      else if (!same(ev?.memory ?? null, c.memory)) differs.push(`${c.name} memory ${from(memory)} (task definition: ${from(c.memory)})`);
      if (o?.memoryReservation != null && o.memoryReservation !== c.memoryReservation) {
        overridden.push(`${c.name} memoryReservation ${o.memoryReservation} MiB (task definition: ${from(c.memoryReservation)})`);
      } else if (!same(ev?.memoryReservation ?? null, c.memoryReservation)) {
        differs.push(`${c.name} memoryReservation ${from(memoryReservation)} (task definition: ${from(c.memoryReservation)})`);
      }
      const envKeys = Object.keys(o?.environment ?? {});
      if (envKeys.length > 0) overridden.push(`${c.name} environment ${envKeys.join(', ')}`);
      if (o?.command) overridden.push(`${c.name} command`);
      return {
        ...c,
        memory,
        memoryReservation,
        environment: { ...c.environment, ...(o?.environment ?? {}) },
        command: o?.command ?? c.command,
      };
    });
    const memory = ov?.memory ?? task.memory ?? taskDefinition.memory;
    const cpu = ov?.cpu ?? task.cpu ?? taskDefinition.cpu;
    if (ov?.memory != null && ov.memory !== taskDefinition.memory) overridden.push(`task memory ${ov.memory} MiB (task definition: ${taskDefinition.memory ?? 'none'})`);
    else if (!same(task.memory, taskDefinition.memory)) differs.push(`task memory ${task.memory ?? 'none'} MiB (task definition: ${taskDefinition.memory ?? 'none'})`);
    if (ov?.cpu != null && ov.cpu !== taskDefinition.cpu) overridden.push(`task cpu ${ov.cpu} (task definition: ${taskDefinition.cpu ?? 'none'})`);
    else if (!same(task.cpu, taskDefinition.cpu)) differs.push(`task cpu ${task.cpu ?? 'none'} (task definition: ${taskDefinition.cpu ?? 'none'})`);
    def = { ...taskDefinition, containers: defs, memory, cpu };
  } else if (ov) {
    for (const o of ov.containers) {
      if (o.memory !== null) overridden.push(`${o.name} memory ${o.memory} MiB`);
      if (o.memoryReservation !== null) overridden.push(`${o.name} memoryReservation ${o.memoryReservation} MiB`);
      if (Object.keys(o.environment).length > 0) overridden.push(`${o.name} environment ${Object.keys(o.environment).join(', ')}`);
      if (o.command) overridden.push(`${o.name} command`);
    }
    if (ov.memory !== null) overridden.push(`task memory ${ov.memory} MiB`);
    if (ov.cpu !== null) overridden.push(`task cpu ${ov.cpu}`);
  }

  if (overridden.length > 0) {
    notes.push(
      `The task was started with overrides: ${overridden.join('; ')}; these are the values used here. ` +
        'Apply the fix where the override is set (the RunTask call, EventBridge Scheduler or rule target, or Step Functions state): a new task definition alone changes nothing.',
    );
  }
  if (differs.length > 0) {
    notes.push(
      `The task ran with values that differ from the task definition read: ${differs.join('; ')}. The task's own values are used` +
        (taskDefinition?.revision != null && task.revision != null && taskDefinition.revision !== task.revision
          ? ` (the task definition read is revision ${taskDefinition.revision}, the task ran revision ${task.revision}).`
          : '.'),
    );
  }
  if (taskDefinition && task.family !== null && taskDefinition.family !== task.family) {
    notes.push(
      `The task definition read is for family ${taskDefinition.family}, but the task ran ${task.family}${task.revision !== null ? `:${task.revision}` : ''}: ` +
        'check that it is the right task definition.',
    );
  } else if (taskDefinition?.revision != null && task.revision !== null && taskDefinition.revision !== task.revision && differs.length === 0) {
    notes.push(
      `The task definition read is revision ${taskDefinition.revision}, but the task ran revision ${task.revision}: ` +
        `its memory settings match the task's, but its environment (heap flags) may not.`,
    );
  }
  return { task: { ...task, containers, memory: taskMemory, cpu: taskCpu }, taskDefinition: def, notes };
}
