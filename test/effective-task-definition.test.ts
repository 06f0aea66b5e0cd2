/**
 * What the task ran with: RunTask/Scheduler overrides and the event's own limits win over the task definition, and
 * the fix says where to apply it.
 */
import { describe, expect, it } from 'vitest';
import { effectiveTask } from '../lambda/effective-task-definition';
import { renderCliSteps } from '../lambda/fix-snippets';
import type { TaskDefinition } from '../lambda/model';
import { parseOverrides, parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { buildTriage } from '../lambda/triage';
import { EXAMPLES, SHARED_FIXTURES, loadFixtures, loadJson, ownEvent } from './helpers/fixtures';

const NOW = Date.parse('2026-11-20T14:08:00Z');
const exampleTd = (): TaskDefinition => parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
const noMetrics = { datasets: [], containerInsights: null };

describe('parseOverrides', () => {
  it('reads container memory, reservation, environment and command, and the task size (strings or numbers)', () => {
    const o = parseOverrides({
      containerOverrides: [
        { name: 'app', memory: 6144, memoryReservation: '2048', environment: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=4096' }], command: ['node', 'x.js'] },
        { name: 'log_router' },
      ],
      cpu: '2048',
      memory: '8 GB',
    });
    expect(o).toEqual({
      containers: [{ name: 'app', memory: 6144, memoryReservation: 2048, environment: { NODE_OPTIONS: '--max-old-space-size=4096' }, command: ['node', 'x.js'] }],
      cpu: 2048,
      memory: 8192,
    });
  });

  it('is null for the name-only overrides every real event carries, and skips junk entries', () => {
    for (const f of loadFixtures(SHARED_FIXTURES)) {
      const detail = (f.event?.['detail'] ?? f.task ?? {}) as Record<string, unknown>;
      expect(parseOverrides(detail['overrides']), f.file).toBeNull();
    }
    expect(parseOverrides({ containerOverrides: [null, 7, { memory: 512 }, { name: 'a', memory: -5, environment: 'x' }], memory: 0 })).toBeNull();
    expect(parseOverrides('nope')).toBeNull();
  });
});

describe('effectiveTask', () => {
  const task = parseTaskStateChange(ownEvent('oom-runtask-overrides.json'));

  it('applies container and task overrides over the task definition and says where to fix', () => {
    const { taskDefinition, task: ran, notes } = effectiveTask(task, exampleTd());
    const app = taskDefinition!.containers.find((c) => c.name === 'app')!;
    expect(app.memory).toBe(6144);
    expect(app.environment['JAVA_TOOL_OPTIONS']).toBe('-Xmx4g');
    expect(taskDefinition!.memory).toBe(8192);
    expect(taskDefinition!.cpu).toBe(2048);
    expect(ran.containers.find((c) => c.name === 'app')!.memory).toBe(6144);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('app memory 6144 MiB (task definition: 1024 MiB)');
    expect(notes[0]).toContain('app environment JAVA_TOOL_OPTIONS');
    expect(notes[0]).toContain('RunTask call');
  });

  it('leaves a task with no overrides and matching values unchanged, with no note', () => {
    const plain = structuredClone(task);
    plain.overrides = null;
    plain.containers = plain.containers.map((c) => (c.name === 'app' ? { ...c, memory: 1024, memoryReservation: 512 } : c));
    plain.memory = 1024;
    plain.cpu = 512;
    const td = exampleTd();
    const out = effectiveTask(plain, td);
    expect(out.notes).toEqual([]);
    expect(out.taskDefinition!.containers.find((c) => c.name === 'app')!.memory).toBe(1024);
  });

  it("uses the event's own limits over a task definition from another revision, and says so", () => {
    const other = structuredClone(task);
    other.overrides = null;
    const td = { ...exampleTd(), revision: 43, memory: 4096 };
    td.containers = td.containers.map((c) => (c.name === 'app' ? { ...c, memory: 4096, memoryReservation: 3072 } : c));
    const out = effectiveTask(other, td);
    expect(out.taskDefinition!.containers.find((c) => c.name === 'app')!.memory).toBe(6144);
    expect(out.notes.join(' ')).toMatch(/app memory 6144 MiB \(task definition: 4096 MiB\).*revision 43, the task ran revision 42/);
  });

  it('warns when the task definition is of another family', () => {
    const td = { ...exampleTd(), family: 'billing-worker' };
    expect(effectiveTask(task, td).notes.join(' ')).toContain('family billing-worker, but the task ran checkout-api:42');
  });

  it('applies overrides to the event containers when no task definition could be read', () => {
    const bare = structuredClone(task);
    bare.containers = bare.containers.map((c) => ({ ...c, memory: null }));
    const out = effectiveTask(bare, null);
    expect(out.task.containers.find((c) => c.name === 'app')!.memory).toBe(6144);
    expect(out.notes[0]).toContain('app memory 6144 MiB');
    expect(out.notes[0]).toContain('task memory 8192 MiB; task cpu 2048');
  });
});

describe('triage of an OOM in a task started with overrides', () => {
  const task = parseTaskStateChange(ownEvent('oom-runtask-overrides.json'));
  const { result } = buildTriage(task, { taskDefinition: exampleTd(), metrics: noMetrics, deployed: null, warnings: [] }, { now: NOW, lookbackHours: 24 });

  it('starts the fix from the 6144 MiB the container ran with, not the 1024 MiB of the task definition', () => {
    expect(result.recommendation!.current.memory).toBe(6144);
    expect(result.recommendation!.memory).toBeGreaterThanOrEqual(6144 * 1.2);
    expect(result.recommendation!.current.taskMemory).toBe(8192);
  });

  it('reads the heap flag from the override', () => {
    expect(result.runtime!.currentFlag).toBe('-Xmx4g');
  });

  it('warns that the override is where to fix, and the CLI steps give the run-task --overrides form', () => {
    expect(result.warnings.join(' ')).toContain('started with overrides');
    const cli = renderCliSteps(result.recommendation!, { task: result.task, taskDefinition: result.taskDefinition, runtime: result.runtime });
    const rec = result.recommendation!;
    expect(cli).toContain('--overrides');
    expect(cli).toContain(`"containerOverrides":[{"name":"app","memory":${rec.memory},"memoryReservation":${rec.memoryReservation}}]`);
    expect(cli).not.toContain('update-service');
  });
});
