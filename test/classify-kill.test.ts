import { describe, expect, it } from 'vitest';
import { classifyKill, isOomAtStartReason, isOomReason } from '../lambda/classify-kill';
import type { TaskDefinition, TaskSnapshot } from '../lambda/model';
import { parseTaskInput, parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { EXAMPLES, SHARED_FIXTURES, loadFixtures, loadJson } from './helpers/fixtures';

const example = parseTaskStateChange(loadJson(`${EXAMPLES}/oom-event.json`));
const exampleDef = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));

function variant(changes: Partial<TaskSnapshot>, container: Partial<TaskSnapshot['containers'][number]> = {}): TaskSnapshot {
  const [app, ...rest] = example.containers;
  return { ...example, ...changes, containers: [{ ...app!, ...container }, ...rest] };
}

describe('classifyKill', () => {
  it('calls the example an OOM of the essential app container, high confidence', () => {
    const c = classifyKill(example, exampleDef);
    expect(c.verdict).toBe('oom');
    expect(c.confidence).toBe('high');
    expect(c.target).toBe('app');
    expect(c.containers.map((x) => [x.name, x.kind, x.essential])).toEqual([
      ['app', 'oom-killed', true],
      ['log_router', 'exited', false],
    ]);
  });

  it('matches the reason case-insensitively and without an exit code (medium)', () => {
    const c = classifyKill(variant({}, { reason: 'OutOfMemoryError: container killed due to memory usage', exitCode: null }));
    expect(c.verdict).toBe('oom');
    expect(c.confidence).toBe('medium');
    expect(c.containers[0]!.kind).toBe('oom-killed');
  });

  it('recognises the OOM at container start', () => {
    const reason =
      'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: container init was OOM-killed (memory limit too low?): unknown';
    const c = classifyKill(variant({ stopCode: 'TaskFailedToStart' }, { reason, exitCode: null }));
    expect(c.verdict).toBe('oom');
    expect(c.containers[0]!.kind).toBe('oom-at-start');
  });

  it('accepts the alias "Task stopped due to OOM" but never needs it', () => {
    expect(isOomReason('Task stopped due to OOM (Out of Memory) kill')).toBe(true);
    expect(isOomReason('OutOfMemoryError: Container killed due to memory usage')).toBe(true);
    expect(isOomReason('Essential container in task exited')).toBe(false);
    expect(isOomAtStartReason('container init was OOM-killed (memory limit too low?)')).toBe(true);
  });

  it.each([
    ['ServiceSchedulerInitiated', 'Scaling activity initiated by (deployment ecs-svc/123)', /scheduler stopped the task/],
    ['UserInitiated', 'Task stopped by user', /user or API call/],
    ['SpotInterruption', 'Your Spot Task was interrupted.', /Fargate Spot/],
    ['TerminationNotice', 'Your Spot Task was interrupted.', /Fargate Spot/],
  ])('calls 137 with stopCode %s a SIGKILL that is not an OOM', (stopCode, stoppedReason, cause) => {
    const c = classifyKill(variant({ stopCode, stoppedReason }, { reason: null, exitCode: 137 }), exampleDef);
    expect(c.verdict).toBe('not-oom');
    expect(c.containers[0]!.kind).toBe('sigkill');
    expect(c.target).toBe('app');
    expect(c.sigkillCause).toMatch(cause);
    expect(c.sigkillCause).toMatch(/stopTimeout/);
  });

  it('calls an unexplained 137 a possible OOM, never silently fine', () => {
    const c = classifyKill(variant({ stopCode: 'EssentialContainerExited' }, { reason: null, exitCode: 137 }), exampleDef);
    expect(c.verdict).toBe('possible-oom');
    expect(c.confidence).toBe('medium');
    expect(c.target).toBe('app');
  });

  it('calls the OOM reason with exit 0 a child process OOM-killed at the limit (medium), and on a running container a possible OOM', () => {
    // Docker's OOMKilled flag, which the agent reports, is set by an OOM kill of any process in the container
    // (aws/amazon-ecs-agent#2467: Gradle's child JVMs): the limit was reached even though the main process exited 0.
    const exit0 = classifyKill(variant({}, { exitCode: 0 }), exampleDef);
    expect(exit0.verdict).toBe('oom');
    expect(exit0.confidence).toBe('medium');
    expect(exit0.target).toBe('app');
    expect(exit0.containers[0]).toMatchObject({ kind: 'oom-killed', exitCode: 0 });
    expect(exit0.containers[0]!.explanation).toMatch(/not its main one \(which later exited 0\)/);
    const running = classifyKill(variant({ lastStatus: 'RUNNING' }, { exitCode: null, lastStatus: 'RUNNING' }));
    expect(running.verdict).toBe('possible-oom');
    expect(running.confidence).toBe('low');
    expect(running.containers[0]!.kind).toBe('running');
    expect(running.containers[0]!.explanation).toMatch(/still running.*#5135/);
  });

  it.each([
    ['Your Spot Task was interrupted.', /Spot reclaimed the capacity .*inferred from the stoppedReason/],
    ['Scaling activity initiated by (deployment ecs-svc/5169280574093855189)', /service scheduler stopped the task .*inferred/],
    ['Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef)', /failed health checks .*inferred/],
    ['Task failed container health checks', /failed health checks/],
    ['Host EC2 (instance i-0123456789abcdef0) terminated.', /infrastructure health \(Host EC2 \(instance i-0123456789abcdef0\) terminated\.\)/],
  ])('reads who stopped the task from a stoppedReason when the event has no stopCode: %s', (stoppedReason, cause) => {
    // Real Fargate Spot interruptions have arrived with only the stoppedReason (aws/containers-roadmap#797).
    const c = classifyKill(variant({ stopCode: null, stoppedReason }, { reason: null, exitCode: 137 }), exampleDef);
    expect(c.verdict).toBe('not-oom');
    expect(c.sigkillCause).toMatch(cause);
    expect(c.sigkillCause).toMatch(/more memory will not help/);
  });

  it('judges a 137 under TaskFailedToStart "Essential container in task exited" as an essential exit: a possible OOM at start-up, not dropped', () => {
    // The container died before the task reached RUNNING; nothing outside it asked it to stop (a JVM or a model
    // loader OOM-killed while starting looks like this when the agent lost the reason).
    const alone = classifyKill(variant({ stopCode: 'TaskFailedToStart', stoppedReason: 'Essential container in task exited' }, { reason: null, exitCode: 137 }), exampleDef);
    expect(alone.verdict).toBe('possible-oom');
    expect(alone.target).toBe('app');
    expect(alone.containers[0]!.kind).toBe('sigkill');
    // Another essential container that exited first still explains it, as under EssentialContainerExited.
    const twoEssentials: TaskDefinition = { ...exampleDef, containers: exampleDef.containers.map((c) => ({ ...c, essential: true })) };
    const cascade = classifyKill(variant({ stopCode: 'TaskFailedToStart', stoppedReason: 'Essential container in task exited' }, { reason: null, exitCode: 137 }), twoEssentials);
    expect(cascade.verdict).toBe('not-oom');
    expect(cascade.sigkillCause).toMatch(/essential container log_router \(exit 0\) exited/);
    // Any other start failure is still not a memory kill.
    const pull = classifyKill(variant({ stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' }, { reason: null, exitCode: 137 }), exampleDef);
    expect(pull.verdict).toBe('not-oom');
    expect(pull.sigkillCause).toMatch(/^The task failed to start \(CannotPullContainerError/);
  });

  it('keeps an unexplained 137 a possible OOM when neither a stopCode nor a known stoppedReason says who stopped it', () => {
    const c = classifyKill(variant({ stopCode: null, stoppedReason: 'Essential container in task exited' }, { reason: null, exitCode: 137 }), exampleDef);
    expect(c.verdict).toBe('possible-oom');
    expect(c.containers[0]!.kind).toBe('sigkill');
  });

  it('finds a sidecar OOM while the task keeps running', () => {
    const task = variant({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', stopCode: null, stoppedReason: null }, { exitCode: null, reason: null, lastStatus: 'RUNNING' });
    task.containers[1] = { ...task.containers[1]!, exitCode: 137, lastStatus: 'STOPPED', reason: 'OutOfMemoryError: Container killed due to memory usage' };
    const c = classifyKill(task, exampleDef);
    expect(c.verdict).toBe('oom');
    expect(c.target).toBe('log_router');
    expect(c.containers.find((x) => x.name === 'log_router')).toMatchObject({ kind: 'oom-killed', essential: false });
    expect(c.containers.find((x) => x.name === 'app')!.kind).toBe('running');
  });

  it('prefers the essential container when two are OOM-killed', () => {
    const task = variant({});
    task.containers[1] = { ...task.containers[1]!, exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' };
    task.containers.reverse();
    const c = classifyKill(task, exampleDef);
    expect(c.target).toBe('app');
    expect(c.notes.join(' ')).toMatch(/2 containers were OOM-killed/);
  });

  describe('an OOM reported only in the task-level stoppedReason', () => {
    const atStart =
      'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: container init was OOM-killed (memory limit too low?): unknown';
    const noReasons = (changes: Partial<TaskSnapshot>, app: Partial<TaskSnapshot['containers'][number]>, sidecar: Partial<TaskSnapshot['containers'][number]>) => {
      const t = variant(changes, { reason: null, ...app });
      t.containers[1] = { ...t.containers[1]!, reason: null, ...sidecar };
      return t;
    };

    it('attributes an OOM at start to the only essential container that stopped without an exit code (medium)', () => {
      const c = classifyKill(noReasons({ stopCode: 'TaskFailedToStart', stoppedReason: atStart }, { exitCode: null }, { exitCode: null }), exampleDef);
      expect(c).toMatchObject({ verdict: 'oom', confidence: 'medium', target: 'app' });
      expect(c.containers[0]!.kind).toBe('oom-at-start');
      expect(c.notes.join(' ')).toMatch(/reported in the task's stoppedReason.*Attributed to app/);
    });

    it('attributes the OOM reason to the one container with exit 137 or none, the sidecar having exited 0', () => {
      const reason = 'OutOfMemoryError: Container killed due to memory usage';
      for (const exitCode of [137, null]) {
        const c = classifyKill(noReasons({ stoppedReason: reason }, { exitCode }, { exitCode: 0 }));
        expect(c).toMatchObject({ verdict: 'oom', confidence: 'medium', target: 'app' });
        expect(c.containers[0]!.kind).toBe('oom-killed');
      }
    });

    it('still reports it, at low confidence, when several containers could be the one (no task definition to tell)', () => {
      const c = classifyKill(noReasons({ stopCode: 'TaskFailedToStart', stoppedReason: atStart }, { exitCode: null }, { exitCode: null }));
      expect(c).toMatchObject({ verdict: 'possible-oom', confidence: 'low', target: 'app' });
      expect(c.containers[0]!.kind).toBe('oom-at-start');
      expect(c.notes.join(' ')).toMatch(/2 containers could be the one: app, log_router/);
    });

    it('leaves a container-level OOM alone', () => {
      const c = classifyKill(variant({ stoppedReason: atStart }), exampleDef);
      expect(c).toMatchObject({ verdict: 'oom', confidence: 'high', target: 'app' });
      expect(c.containers[0]!.kind).toBe('oom-killed');
    });
  });

  describe('exit 137 after another container exited (stopCode EssentialContainerExited)', () => {
    const envoyDef: TaskDefinition = {
      ...exampleDef,
      containers: [...exampleDef.containers, { ...exampleDef.containers[1]!, name: 'envoy', essential: true }],
    };
    const task = (): TaskSnapshot => {
      const t = variant({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }, { exitCode: 137, reason: null });
      t.containers.push({ ...t.containers[1]!, name: 'envoy', exitCode: 1, reason: null });
      return t;
    };

    it('is the cascade, not an OOM, when the other container is essential (an error or a clean exit)', () => {
      const clean = task();
      clean.containers[2] = { ...clean.containers[2]!, exitCode: 0 };
      expect(classifyKill(clean, envoyDef).verdict).toBe('not-oom');
      const c = classifyKill(task(), envoyDef);
      expect(c.verdict).toBe('not-oom');
      expect(c.sigkillCause).toMatch(/essential container envoy \(exit 1\) exited, so ECS stopped the task/);
    });

    it('stays a possible OOM, naming both stories, when no task definition says which is essential', () => {
      const c = classifyKill(task());
      expect(c.verdict).toBe('possible-oom');
      expect(c.containers[0]!.explanation).toMatch(/envoy \(exit 1\) exited too: if it is essential/);
    });

    it('stays unexplained when the container that also exited is a non-essential sidecar', () => {
      const t = variant({ stopCode: 'EssentialContainerExited' }, { exitCode: 137, reason: null });
      t.containers[1] = { ...t.containers[1]!, exitCode: 1 };
      expect(classifyKill(t, exampleDef).verdict).toBe('possible-oom');
    });
  });

  it('has nothing to say about a task with no containers', () => {
    const c = classifyKill({ ...example, containers: [] });
    expect(c.verdict).toBe('not-oom');
    expect(c.target).toBeNull();
    expect(c.notes[0]).toMatch(/no containers/);
  });

  it.each(loadFixtures(SHARED_FIXTURES).map((f) => [f.file, f] as const))('shared fixture %s is not an OOM', (_file, fixture) => {
    const task = parseTaskInput(fixture.event ?? { task: fixture.task }).tasks[0]!;
    const c = classifyKill(task, null as TaskDefinition | null);
    expect(c.verdict).toBe('not-oom');
  });

  it('explains exit 143 after failed health checks as a clean SIGTERM exit', () => {
    const f = loadFixtures(SHARED_FIXTURES).find((x) => x.file.startsWith('15-'))!;
    const c = classifyKill(parseTaskInput(f.event).tasks[0]!);
    expect(c.containers[0]!.explanation).toMatch(/SIGTERM/);
  });
});
