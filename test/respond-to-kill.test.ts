import { describe, expect, it, vi } from 'vitest';
import type { AlertLedger, KillIdentity, LedgerDecision } from '../lambda/alert-ledger';
import { AlertDeliveryError } from '../lambda/errors';
import { parseMetricStatistics } from '../lambda/memory-metrics';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { type Channels, type ResponderDeps, type ResponderLog, respondToEvent } from '../lambda/respond-to-kill';
import { EXAMPLES, loadJson } from './helpers/fixtures';

const event = loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`);
const definition = parseTaskDefinition(loadJson(`${EXAMPLES}/task-definition.json`));
const metrics = parseMetricStatistics(loadJson(`${EXAMPLES}/metrics.json`), 'aws-ecs');
const NOW = Date.parse('2026-11-20T14:08:00Z');

function decision(over: Partial<LedgerDecision> = {}): LedgerDecision {
  return { alert: true, reason: 'first', count: 1, firstSeenAt: NOW, ratePerHour: null, storyKey: 'k', threadId: 'oom-prod-checkout-api-app-r42-abc', ...over };
}

function recordingLog(): ResponderLog & { lines: { level: string; message: string; fields: Record<string, unknown> }[]; keys: Record<string, unknown> } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const keys: Record<string, unknown> = {};
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => lines.push({ level, message, fields });
  return { lines, keys, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), appendKeys: (k) => Object.assign(keys, k) };
}

function deps(over: { ledger?: AlertLedger; channels?: Partial<Channels>; alertOnSigkill?: boolean } = {}) {
  const log = recordingLog();
  const sent: Record<string, unknown[]> = { email: [], slack: [], chatbot: [] };
  const ledger: AlertLedger = over.ledger ?? {
    record: vi.fn(async () => decision()),
    release: vi.fn(async () => undefined),
    delivered: vi.fn(async () => undefined),
  };
  const channels: Channels = {
    email: async (m) => void sent.email!.push(m),
    slack: async (m) => void sent.slack!.push(m),
    chatbot: async (m) => void sent.chatbot!.push(m),
    ...over.channels,
  };
  const d: ResponderDeps = {
    readers: {
      describeTaskDefinition: vi.fn(async () => definition),
      fetchMemoryMetrics: vi.fn(async () => ({ datasets: [metrics], containerInsights: false })),
      deployedTaskDefinitionArn: vi.fn(async () => definition.taskDefinitionArn),
    },
    ledger,
    channels,
    log,
    config: { alertOnSigkill: over.alertOnSigkill ?? false, lookbackHours: 24, windowMinutes: 30 },
    now: () => NOW,
  };
  return { d, log, sent, ledger };
}

/** The example's event with another stopCode and stoppedReason, each container changed by `container`. */
function stoppedWith(stopCode: string, stoppedReason: string, container: (c: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
  const detail = event['detail'] as Record<string, unknown>;
  return { ...event, detail: { ...detail, stopCode, stoppedReason, containers: (detail['containers'] as Record<string, unknown>[]).map(container) } };
}

/** The example's task stopped by a deployment's scale-in: exit 137 with no OOM reason (a SIGKILL after stopTimeout). */
function scaleInEvent(): Record<string, unknown> {
  return stoppedWith('ServiceSchedulerInitiated', 'Scaling activity initiated by (deployment ecs-svc/4711038261952371055)', (c) => ({ ...c, reason: undefined }));
}

/**
 * Both containers report the OOM, log_router listed first: the event alone guesses log_router, the task definition
 * (app essential) says app.
 */
function bothOomRouterFirst(): Record<string, unknown> {
  const detail = event['detail'] as Record<string, unknown>;
  const OOM = 'OutOfMemoryError: Container killed due to memory usage';
  const [app, router] = (detail['containers'] as Record<string, unknown>[]).map((c) => ({ ...c, exitCode: 137, reason: OOM }));
  return { ...event, detail: { ...detail, containers: [router, app] } };
}

describe('respondToEvent', () => {
  it('alerts an OOM on every channel with the fix, and logs the structured keys', async () => {
    const { d, log, sent } = deps();
    const outcome = await respondToEvent(event, d);
    expect(outcome.status).toBe('alerted');
    expect(sent.email).toHaveLength(1);
    expect(sent.slack).toHaveLength(1);
    expect(sent.chatbot).toHaveLength(1);
    const email = sent.email![0] as { Subject: string; MessageStructure: string };
    expect(email.MessageStructure).toBe('json');
    expect(email.Subject).toMatch(/OOM/);
    expect(JSON.stringify(sent.slack![0])).toMatch(/checkout-api/);
    expect(log.keys).toMatchObject({ clusterArn: expect.stringContaining('cluster/prod'), taskArn: expect.stringContaining('task/prod/'), container: 'app' });
    const sentLine = log.lines.find((l) => l.message === 'Alert sent')!;
    expect(sentLine.fields).toMatchObject({ verdict: 'oom', delivered: ['email', 'slack', 'chatbot'] });
    if (outcome.status === 'alerted') expect(outcome.result.recommendation!.memory).toBeGreaterThan(1024);
  });

  it('reads the task definition, the metrics and the service concurrently', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = <T>(value: T) => async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight -= 1;
      return value;
    };
    const { d } = deps();
    d.readers = {
      describeTaskDefinition: slow(definition),
      fetchMemoryMetrics: slow({ datasets: [metrics], containerInsights: false }),
      deployedTaskDefinitionArn: slow(definition.taskDefinitionArn),
    };
    d.ledger = { record: slow(decision()) };
    await respondToEvent(event, d);
    expect(maxInFlight).toBe(4);
  });

  it.each([
    ['a malformed event', { hello: 'world' }],
    ['another detail-type', { ...event, 'detail-type': 'ECS Deployment State Change' }],
    ['a truncated detail', { ...event, detail: { containers: [] } }],
  ])('drops %s with a logged reason and no throw', async (_name, input) => {
    const { d, log, sent } = deps();
    const outcome = await respondToEvent(input, d);
    expect(outcome.status).toBe('dropped');
    expect(log.lines[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/dropped/) });
    expect(sent.email).toHaveLength(0);
  });

  it('ignores a SIGKILL on scale-in by default and logs its cause', async () => {
    const sigkill = scaleInEvent();
    const { d, log, sent, ledger } = deps();
    const outcome = await respondToEvent(sigkill, d);
    expect(outcome).toMatchObject({ status: 'ignored', verdict: 'not-oom' });
    expect(log.lines[0]!.fields['reason']).toMatch(/stopTimeout/);
    expect(ledger.record).not.toHaveBeenCalled();
    expect(sent.email).toHaveLength(0);

    const on = deps({ alertOnSigkill: true });
    const alerted = await respondToEvent(sigkill, on.d);
    expect(alerted.status).toBe('alerted');
    if (alerted.status === 'alerted') expect(alerted.result.recommendation).toBeNull();
    expect((on.sent.email![0] as { Subject: string }).Subject).not.toMatch(/^OOM/);
  });

  it('alerts a 137 whose essential container died before the task reached RUNNING (TaskFailedToStart), confirmed by memory at the limit', async () => {
    const diedStarting = stoppedWith('TaskFailedToStart', 'Essential container in task exited', (c) => ({ ...c, reason: undefined }));
    const { d, sent, log } = deps();
    const outcome = await respondToEvent(diedStarting, d);
    expect(outcome.status).toBe('alerted');
    expect(sent.email).toHaveLength(1);
    expect(log.lines.filter((l) => l.level === 'info' && /ignor|not an oom/i.test(l.message))).toEqual([]);
    if (outcome.status === 'alerted') expect(outcome.result.classification).toMatchObject({ target: 'app' });
  });

  it('alerts a 137 beside an essential container that exited 0, when memory sat at the limit (the exit may have answered the SIGTERM)', async () => {
    const cascade = stoppedWith('EssentialContainerExited', 'Essential container in task exited', (c) => ({ ...c, reason: undefined }));
    const { d, sent } = deps();
    d.readers.describeTaskDefinition = vi.fn(async () => ({ ...definition, containers: definition.containers.map((c) => ({ ...c, essential: true })) }));
    const outcome = await respondToEvent(cascade, d);
    expect(outcome.status).toBe('alerted');
    expect(sent.email).toHaveLength(1);
    if (outcome.status === 'alerted') expect(outcome.result.classification).toMatchObject({ verdict: 'possible-oom', confidence: 'low', target: 'app' });
  });

  it('alerts an OOM at start that only the task-level stoppedReason reports, sized as one', async () => {
    const failedToStart = stoppedWith(
      'TaskFailedToStart',
      'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: container init was OOM-killed (memory limit too low?): unknown',
      ({ exitCode: _e, reason: _r, ...c }) => c,
    );
    const { d, sent } = deps();
    const outcome = await respondToEvent(failedToStart, d);
    expect(outcome.status).toBe('alerted');
    expect(sent.email).toHaveLength(1);
    if (outcome.status === 'alerted') {
      expect(outcome.result.classification).toMatchObject({ verdict: 'oom', target: 'app' });
      // OOM at start: the limit is below the start footprint, doubled (max(1024 × 2, 256)).
      expect(outcome.result.recommendation!.memory).toBe(2048);
    }
  });

  it('alerts an OOM the event lists no container for, naming the container from the task definition (a task that failed to start)', async () => {
    const detail = event['detail'] as Record<string, unknown>;
    const { d, sent } = deps();
    const failed = {
      ...event,
      detail: { ...detail, stopCode: 'TaskFailedToStart', containers: [], stoppedReason: 'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: container init was OOM-killed (memory limit too low?): unknown' },
    };
    const outcome = await respondToEvent(failed, d);
    expect(outcome.status).toBe('alerted');
    expect(sent.email).toHaveLength(1);
    // Read to find the container, then by the triage (which reads the service's deployed revision with the same reader).
    expect(d.readers.describeTaskDefinition).toHaveBeenCalledTimes(2);
    if (outcome.status === 'alerted') {
      // app is the essential container of the two: the one the task-level OOM is attributed to.
      expect(outcome.result.classification).toMatchObject({ verdict: 'oom', confidence: 'medium', target: 'app' });
      expect(outcome.result.warnings.join(' ')).toContain("The event lists no containers: the task definition's are used.");
      expect(outcome.result.recommendation!.memory).toBeGreaterThan(1024);
    }
  });

  it('fails the invocation when an OOM is reported, no container is listed and the task definition cannot be read (Lambda retries, then the DLQ alarm)', async () => {
    const detail = event['detail'] as Record<string, unknown>;
    const { d, sent } = deps();
    d.readers.describeTaskDefinition = vi.fn(async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    });
    await expect(respondToEvent({ ...event, detail: { ...detail, stoppedReason: 'OutOfMemoryError: Container killed due to memory usage', containers: [] } }, d)).rejects.toThrow(/ThrottlingException/);
    expect(sent.email).toHaveLength(0);
  });

  it('warns, never silently, when an OOM is reported and neither the event nor its task definition lists a container', async () => {
    const detail = event['detail'] as Record<string, unknown>;
    const { d, log } = deps();
    d.readers.describeTaskDefinition = vi.fn(async () => ({ ...definition, containers: [] }));
    const outcome = await respondToEvent({ ...event, detail: { ...detail, stoppedReason: 'OutOfMemoryError: Container killed due to memory usage', containers: [] } }, d);
    expect(outcome.status).toBe('ignored');
    expect(log.lines.find((l) => l.level === 'warn')?.message).toMatch(/OOM reported but no container/);
  });

  it('counts a possible OOM only after the task definition confirms it: a cascade SIGKILL never enters the ledger', async () => {
    const detail = event['detail'] as Record<string, unknown>;
    const containers = (detail['containers'] as Record<string, unknown>[]).map((c) => (c['name'] === 'app' ? { ...c, reason: undefined } : c));
    containers.push({ ...containers[1]!, name: 'envoy', exitCode: 1, reason: undefined });
    const cascade = { ...event, detail: { ...detail, stopCode: 'EssentialContainerExited', containers } };
    const withEnvoy = { ...definition, containers: [...definition.containers, { ...definition.containers[1]!, name: 'envoy', essential: true }] };
    const { d, sent, ledger } = deps();
    d.readers.describeTaskDefinition = vi.fn(async () => withEnvoy);
    const outcome = await respondToEvent(cascade, d);
    expect(outcome).toMatchObject({ status: 'ignored', verdict: 'not-oom' });
    expect(ledger.record).not.toHaveBeenCalled();
    expect(sent.email).toHaveLength(0);
    // The same 137 with no cascade to explain it, memory at the limit: confirmed, then counted.
    const alone = { ...event, detail: { ...detail, containers: containers.filter((c) => c['name'] !== 'envoy') } };
    const second = deps();
    const confirmed = await respondToEvent(alone, second.d);
    expect(confirmed.status).toBe('alerted');
    expect(second.ledger.record).toHaveBeenCalledTimes(1);
  });

  it('counts a SIGKILL alert (alertOnSigkill) in its own story, never in the OOM story it could suppress', async () => {
    const scaleIn = scaleInEvent();
    const { d, ledger } = deps({ alertOnSigkill: true });
    expect((await respondToEvent(scaleIn, d)).status).toBe('alerted');
    expect(ledger.record).toHaveBeenCalledWith(expect.objectContaining({ container: 'app#sigkill' }), expect.any(Number));
    const oom = deps();
    await respondToEvent(event, oom.d);
    expect(oom.ledger.record).toHaveBeenCalledWith(expect.objectContaining({ container: 'app' }), expect.any(Number));
  });

  it('reads the evidence of, and counts, the container the task definition points at when the event alone guessed another', async () => {
    const detail = event['detail'] as Record<string, unknown>;
    const [app, router] = (detail['containers'] as Record<string, unknown>[]).map((c) => ({ ...c, exitCode: 137, reason: undefined }));
    const ambiguous = { ...event, detail: { ...detail, stopCode: undefined, stoppedReason: 'OutOfMemoryError: Container killed due to memory usage', containers: [router, app] } };
    const { d, ledger } = deps();
    const outcome = await respondToEvent(ambiguous, d);
    expect(outcome.status).toBe('alerted');
    if (outcome.status === 'alerted') expect(outcome.result.classification.target).toBe('app');
    const queried = (d.readers.fetchMemoryMetrics as ReturnType<typeof vi.fn>).mock.calls.map((c) => (c[0] as { container: string }).container);
    expect(queried.at(-1)).toBe('app');
    expect(ledger.record).toHaveBeenLastCalledWith(expect.objectContaining({ container: 'app' }), expect.any(Number));
  });

  it('still reads the service\'s newer deployed revision when the task definition changes the target, or fills an empty container list', async () => {
    const deployedArn = definition.taskDefinitionArn!.replace(/:42$/, ':43');
    const deployed = { ...definition, taskDefinitionArn: deployedArn, revision: 43 };
    const detail = event['detail'] as Record<string, unknown>;
    const empty = { ...event, detail: { ...detail, containers: [], stopCode: 'TaskFailedToStart', stoppedReason: 'OutOfMemoryError: Container killed due to memory usage' } };
    for (const input of [bothOomRouterFirst(), empty]) {
      const { d } = deps();
      d.readers.deployedTaskDefinitionArn = vi.fn(async () => deployedArn);
      d.readers.describeTaskDefinition = vi.fn(async (arn: string) => (arn === deployedArn ? deployed : definition));
      const outcome = await respondToEvent(input, d);
      expect(outcome.status).toBe('alerted');
      if (outcome.status === 'alerted') expect(outcome.result.staleRevision).toMatchObject({ killed: 42, deployed: 43 });
      expect((d.readers.describeTaskDefinition as ReturnType<typeof vi.fn>).mock.calls.map((c) => c[0])).toContain(deployedArn);
    }
  });

  it('hands a recorded kill back when anything throws before the delivery, so the retry is not turned away', async () => {
    const both = bothOomRouterFirst();
    const ledger: AlertLedger = {
      record: vi.fn(async () => decision()),
      release: vi.fn(() => {
        throw new Error('store exploded');
      }),
      delivered: vi.fn(async () => undefined),
    };
    const { d } = deps({ ledger });
    await expect(respondToEvent(both, d)).rejects.toThrow('store exploded');
    expect(ledger.delivered).toHaveBeenCalledWith(expect.objectContaining({ container: 'log_router' }), [], false);
  });

  it('never releases the first guess\'s mark when it belongs to another invocation (a duplicate)', async () => {
    const both = bothOomRouterFirst();
    const ledger: AlertLedger = {
      record: vi.fn(async (k) => (k.container === 'log_router' ? decision({ alert: false, reason: 'duplicate', count: 0 }) : decision())),
      release: vi.fn(async () => undefined),
      delivered: vi.fn(async () => undefined),
    };
    const { d } = deps({ ledger });
    expect((await respondToEvent(both, d)).status).toBe('alerted');
    expect(ledger.release).not.toHaveBeenCalled();
    expect(ledger.record).toHaveBeenLastCalledWith(expect.objectContaining({ container: 'app' }), expect.any(Number));
    // The same when that duplicate answer comes late (after the ledger time limit).
    const late: AlertLedger = {
      record: vi.fn((k: KillIdentity) =>
        k.container === 'log_router'
          ? new Promise<LedgerDecision>((r) => setTimeout(() => r(decision({ alert: false, reason: 'duplicate', count: 0 })), 120))
          : Promise.resolve(decision()),
      ),
      release: vi.fn(async () => undefined),
      delivered: vi.fn(async () => undefined),
    };
    const slow = deps({ ledger: late });
    slow.d.config = { ...slow.d.config, ledgerTimeoutMs: 50, lateRecordWaitMs: 2_000 };
    expect((await respondToEvent(both, slow.d)).status).toBe('alerted');
    expect(late.release).not.toHaveBeenCalled();
  });

  it('sends nothing for a suppressed or duplicate kill', async () => {
    for (const reason of ['duplicate', 'suppressed'] as const) {
      const { d, sent } = deps({ ledger: { record: async () => decision({ alert: false, reason, count: 3 }) } });
      const outcome = await respondToEvent(event, d);
      expect(outcome.status).toBe('suppressed');
      expect(sent.email).toHaveLength(0);
      expect(sent.slack).toHaveLength(0);
    }
  });

  it('alerts anyway when the ledger is unavailable, with a warning', async () => {
    const { d, log, sent } = deps({ ledger: { record: async () => decision({ reason: 'ledger-unavailable', error: 'ECONNREFUSED' }) } });
    await respondToEvent(event, d);
    expect(sent.email).toHaveLength(1);
    expect(log.lines.some((l) => l.level === 'warn' && /ledger unavailable/i.test(l.message))).toBe(true);
  });

  it('still emails when Slack fails, records what was delivered, then fails the invocation for a retry', async () => {
    const { d, sent, ledger } = deps({ channels: { slack: async () => Promise.reject(new Error('Slack answered 500')) } });
    await expect(respondToEvent(event, d)).rejects.toThrow(AlertDeliveryError);
    expect(sent.email).toHaveLength(1);
    expect(sent.chatbot).toHaveLength(1);
    expect(ledger.delivered).toHaveBeenCalledWith(expect.objectContaining({ container: 'app' }), ['email', 'chatbot'], false);
    // and each channel as it went out, without handing the kill back
    expect(ledger.delivered).toHaveBeenCalledWith(expect.anything(), ['email'], false, false);
    expect(ledger.delivered).toHaveBeenCalledWith(expect.anything(), ['chatbot'], false, false);
    expect(ledger.delivered).not.toHaveBeenCalledWith(expect.anything(), ['slack'], false, false);
    expect(ledger.release).not.toHaveBeenCalled();
  });

  it('alerts anyway when the ledger does not answer in time (a hung table must not eat the function\'s 60 s)', async () => {
    const ledger: AlertLedger = { record: () => new Promise<never>(() => undefined), delivered: vi.fn(async () => undefined) };
    const { d, sent, log } = deps({ ledger });
    d.config = { ...d.config, ledgerTimeoutMs: 50, lateRecordWaitMs: 50 };
    const outcome = await respondToEvent(event, d);
    expect(outcome.status).toBe('alerted');
    if (outcome.status === 'alerted') expect(outcome.decision).toMatchObject({ reason: 'ledger-unavailable', error: 'no answer within 50 ms' });
    expect(sent.email).toHaveLength(1);
    expect(ledger.delivered).not.toHaveBeenCalled(); // it never answered: there is no mark to complete
    expect(log.lines.some((l) => l.level === 'warn' && /Alert ledger unavailable/.test(l.message))).toBe(true);
  });

  it('marks the kill delivered once a late ledger finally answers, so the next version of the stop is a duplicate', async () => {
    const late: AlertLedger = {
      record: () => new Promise((resolve) => setTimeout(() => resolve(decision()), 120)),
      delivered: vi.fn(async () => undefined),
    };
    const { d } = deps({ ledger: late });
    d.config = { ...d.config, ledgerTimeoutMs: 50, lateRecordWaitMs: 2_000 };
    const outcome = await respondToEvent(event, d);
    expect(outcome).toMatchObject({ status: 'alerted', decision: { reason: 'ledger-unavailable' } });
    expect(late.delivered).toHaveBeenCalledWith(expect.anything(), ['email', 'slack', 'chatbot'], true);
  });

  it('reads the memory history up to the kill, not up to a late invocation, and says the alert is late', async () => {
    const { d } = deps();
    const stoppedAt = Date.parse((event['detail'] as { stoppedAt: string }).stoppedAt);
    d.now = () => stoppedAt + 90 * 60_000;
    const outcome = await respondToEvent(event, d);
    expect(d.readers.fetchMemoryMetrics).toHaveBeenCalledWith(expect.objectContaining({ now: stoppedAt }));
    if (outcome.status !== 'alerted') throw new Error(outcome.status);
    expect(outcome.result.warnings.join(' ')).toContain('This alert comes 90 min after the kill');
    expect(outcome.result.generatedAt).toBe(stoppedAt + 90 * 60_000);
    const onTime = deps();
    const prompt = await respondToEvent(event, onTime.d);
    if (prompt.status !== 'alerted') throw new Error(prompt.status);
    expect(outcome.result.analysis.evidence).toEqual(prompt.result.analysis.evidence);
    // Under 30 minutes late is ordinary delivery delay: no warning.
    const soon = deps();
    soon.d.now = () => stoppedAt + 20 * 60_000;
    const early = await respondToEvent(event, soon.d);
    if (early.status !== 'alerted') throw new Error(early.status);
    expect(early.result.warnings.join(' ')).not.toContain('after the kill');
  });

  it('with the ledger off, sends every channel and records nothing', async () => {
    const off: AlertLedger = { record: vi.fn(async () => decision({ reason: 'disabled', count: 0 })), delivered: vi.fn(async () => undefined) };
    const { d, sent } = deps({ ledger: off });
    expect((await respondToEvent(event, d)).status).toBe('alerted');
    expect([sent.email, sent.slack, sent.chatbot].map((x) => x!.length)).toEqual([1, 1, 1]);
    expect(off.delivered).not.toHaveBeenCalled();
  });

  it('leaves another invocation\'s kill alone when the late answer is a duplicate', async () => {
    const late: AlertLedger = {
      record: () => new Promise((resolve) => setTimeout(() => resolve(decision({ alert: false, reason: 'duplicate', count: 0 })), 120)),
      delivered: vi.fn(async () => undefined),
    };
    const { d } = deps({ ledger: late });
    d.config = { ...d.config, ledgerTimeoutMs: 50, lateRecordWaitMs: 2_000 };
    expect((await respondToEvent(event, d)).status).toBe('alerted');
    expect(late.delivered).not.toHaveBeenCalled();
  });

  it('on the retry, sends only the channels the failed attempt did not deliver, then marks the kill done', async () => {
    const ledger: AlertLedger = {
      record: vi.fn(async () => decision({ delivered: ['email', 'chatbot'] })),
      release: vi.fn(async () => undefined),
      delivered: vi.fn(async () => undefined),
    };
    const { d, sent, log } = deps({ ledger });
    const outcome = await respondToEvent(event, d);
    expect(outcome).toMatchObject({ status: 'alerted', channels: ['email', 'chatbot', 'slack'] });
    expect(sent.email).toHaveLength(0);
    expect(sent.chatbot).toHaveLength(0);
    expect(sent.slack).toHaveLength(1);
    expect(ledger.delivered).toHaveBeenCalledWith(expect.anything(), ['slack'], true);
    expect(log.lines.some((l) => l.message.startsWith('Resuming an alert'))).toBe(true);
  });

  it('counts a renderer that throws as a failed channel: the other channels still go out', async () => {
    const boom = { ...event, detail: { ...(event['detail'] as Record<string, unknown>) } };
    const { d, sent, ledger } = deps({ channels: { chatbot: () => { throw new Error('render failed'); } } });
    await expect(respondToEvent(boom, d)).rejects.toThrow(/chatbot \(Error: render failed\)/);
    expect(sent.email).toHaveLength(1);
    expect(sent.slack).toHaveLength(1);
    expect(ledger.delivered).toHaveBeenCalledWith(expect.anything(), ['email', 'slack'], false);
  });

  it('still posts to Slack when SNS fails', async () => {
    const { d, sent } = deps({ channels: { email: async () => Promise.reject(new Error('throttled')) } });
    await expect(respondToEvent(event, d)).rejects.toThrow(/email \(Error: throttled\)/);
    expect(sent.slack).toHaveLength(1);
  });

  it('alerts with lower confidence when every read fails', async () => {
    const { d, sent } = deps();
    d.readers = {
      describeTaskDefinition: async () => Promise.reject(new Error('AccessDenied')),
      fetchMemoryMetrics: async () => Promise.reject(new Error('Throttling')),
    };
    const outcome = await respondToEvent(event, d);
    expect(outcome.status).toBe('alerted');
    expect(sent.email).toHaveLength(1);
    if (outcome.status === 'alerted') {
      expect(outcome.result.confidence).toBe('low');
      expect(outcome.result.warnings.join(' ')).toMatch(/DescribeTaskDefinition failed: Error: AccessDenied/);
      expect(outcome.result.recommendation!.memory).toBeGreaterThan(1024);
    }
  });

  it('puts the graph URL in the Slack message when the graph renders', async () => {
    const { d, sent } = deps({ channels: { graph: async () => 'https://bucket.s3.eu-west-1.amazonaws.com/graphs/x.png?X-Amz-Expires=604800' } });
    await respondToEvent(event, d);
    expect(JSON.stringify(sent.slack![0])).toMatch(/"type":"image"/);
  });
});
