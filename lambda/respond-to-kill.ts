/**
 * The responder: one EventBridge event in, at most one alert per kill out, on every configured channel.
 *
 * 1. Parse. Bad input is logged with its reason and dropped: it is not retryable.
 * 2. Classify from the event alone. Clean exits and SIGKILLs that are not OOMs stop here (logged with their cause),
 *    unless `alertOnSigkill` is on.
 * 3. Concurrently: ask the alert ledger whether this kill is new (dedupe and crash-loop suppression), gather the
 *    evidence (task definition, memory metrics, deployed revision), and warm the Slack webhook secret. A kill that
 *    is only a possible OOM is counted after the evidence confirms it, never before.
 * 4. Build the triage, render every channel, and deliver the channels an earlier attempt did not, concurrently. A
 *    channel's failure never blocks another; the delivered channels are recorded, and on any failure the kill is
 *    handed back and the invocation fails, so Lambda's retry sends what is missing (and finally the dead-letter
 *    queue gets the event).
 *
 * All I/O is injected (`ResponderDeps`), and so is the clock.
 */
import { type AlertLedger, type KillIdentity, type LedgerDecision, killIdentityFromTask, ledgerUnavailable } from './alert-ledger';
import type { AlertStory } from './alert-story';
import { classifyKill } from './classify-kill';
import { effectiveTask } from './effective-task-definition';
import { AlertDeliveryError, errorMessage, InvalidInputError } from './errors';
import type { MemorySeries, TaskSnapshot, TriageResult } from './model';
import { parseTaskStateChange } from './parse-task';
import { renderChatbotMessage } from './render-chatbot';
import { renderSnsMessage, type SnsMessage } from './render-email';
import { renderSlack, type SlackMessage } from './render-slack';
import { buildTriage, type EvidenceReaders, gatherEvidence } from './triage';

export interface ResponderLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Keys added to every later log line of this invocation. */
  appendKeys(keys: Record<string, unknown>): void;
}

export interface Channels {
  /** Post to Slack; absent when no webhook secret is configured. */
  slack?: (message: SlackMessage) => Promise<void>;
  /** Publish to the alert topic (email and programmatic subscribers). */
  email: (message: SnsMessage) => Promise<void>;
  /** Publish to the Amazon Q topic; absent when not configured. */
  chatbot?: (message: string) => Promise<void>;
  /** Render the CloudWatch memory graph and return a URL Slack can fetch, or null. Never throws. */
  graph?: (result: TriageResult, series: MemorySeries) => Promise<string | null>;
  /** Warm anything the channels need (the webhook secret), concurrently with the evidence. */
  prepare?: () => Promise<void>;
}

export interface ResponderConfig {
  alertOnSigkill: boolean;
  lookbackHours: number;
  windowMinutes: number;
  /** The ledger's answer is waited for this long; past it, the function alerts anyway (fails open). @default 5000 */
  ledgerTimeoutMs?: number;
  /** After alerting without the ledger's answer, how long its late answer is still awaited to mark it delivered. @default 5000 */
  lateRecordWaitMs?: number;
}

interface Recorded {
  decision: LedgerDecision;
  /** The ledger had not answered within the limit; `settled` is its eventual answer. */
  late: boolean;
  settled: Promise<LedgerDecision | null>;
}

/** A late ledger's eventual answer, waited for at most `ms` more; null if it still has not come (or failed). */
function lateAnswer(recorded: Recorded, ms: number): Promise<LedgerDecision | null> {
  return Promise.race([recorded.settled, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
}

/** The ledger's decision, or `ledger-unavailable` (alert anyway) when it has not answered within `ms`. */
async function recordWithin(ledger: AlertLedger, kill: KillIdentity, now: number, ms: number): Promise<Recorded> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = ledger.record(kill, now).catch(() => null);
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    const decision = await Promise.race([settled, late]);
    if (decision) return { decision, late: false, settled };
    return { decision: ledgerUnavailable(kill, now, `no answer within ${ms} ms`), late: true, settled };
  } finally {
    clearTimeout(timer);
  }
}

export interface ResponderDeps {
  readers: EvidenceReaders;
  ledger: AlertLedger;
  channels: Channels;
  log: ResponderLog;
  config: ResponderConfig;
  now: () => number;
}

export type Outcome =
  | { status: 'dropped'; reason: string }
  | { status: 'ignored'; verdict: string; reason: string }
  | { status: 'suppressed'; decision: LedgerDecision }
  | { status: 'alerted'; decision: LedgerDecision; channels: string[]; result: TriageResult };

function storyOf(decision: LedgerDecision, windowMinutes: number): AlertStory {
  return {
    count: Math.max(1, decision.count),
    firstSeenAt: decision.firstSeenAt,
    ratePerHour: decision.ratePerHour,
    windowMinutes,
    threadId: decision.threadId,
  };
}

function logKeys(task: TaskSnapshot): Record<string, unknown> {
  return {
    clusterArn: task.clusterArn,
    taskArn: task.taskArn,
    ecsService: task.serviceName ?? task.group,
    taskDefinition: task.family && task.revision !== null ? `${task.family}:${task.revision}` : task.taskDefinitionArn,
    eventId: task.eventId,
    eventVersion: task.version,
  };
}

export async function respondToEvent(event: unknown, deps: ResponderDeps): Promise<Outcome> {
  const { log, config } = deps;
  let task: TaskSnapshot;
  try {
    task = parseTaskStateChange(event);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    log.warn('Event dropped: not a usable ECS task state change', { reason: error.message });
    return { status: 'dropped', reason: error.message };
  }
  log.appendKeys(logKeys(task));

  let early = classifyKill(task);
  // An OOM in an event that lists no containers (a task that failed to start): the task definition names them.
  // A failed read throws: Lambda retries, then the dead-letter queue and its alarm; a real OOM is never dropped.
  if (!early.target && early.verdict !== 'not-oom' && task.taskDefinitionArn && deps.readers.describeTaskDefinition) {
    const definition = await deps.readers.describeTaskDefinition(task.taskDefinitionArn);
    early = classifyKill(effectiveTask(task, definition).task, definition);
  }
  const container = early.target;
  const sigkillOnly = early.verdict === 'not-oom' && container !== null;
  if (!container || (sigkillOnly && !config.alertOnSigkill)) {
    const reason = early.sigkillCause ?? early.notes[0] ?? 'no container was OOM-killed or SIGKILLed';
    if (early.verdict === 'not-oom') log.info('No OOM in this event', { verdict: early.verdict, container, reason });
    // An OOM the event names no container for (e.g. an empty containers list): nothing to size, but never silent.
    else log.warn('OOM reported but no container to attribute it to: no alert', { verdict: early.verdict, reason, stoppedReason: task.stoppedReason });
    return { status: 'ignored', verdict: early.verdict, reason };
  }
  log.appendKeys({ container });

  const now = deps.now();
  let kill: KillIdentity = killIdentityFromTask(task, container);
  const prepare = deps.channels.prepare?.().catch((error: unknown) => {
    log.warn('Preparing a channel failed; it will be retried at delivery', { error: errorMessage(error) });
  });
  // The memory history is read up to the kill, not up to now: a retried or replayed event still sees the kill.
  const killedAt = Math.min(now, task.stoppedAt ?? task.stoppingAt ?? task.eventTime ?? now);
  const ledgerTimeoutMs = config.ledgerTimeoutMs ?? 5_000;
  // A certain OOM (the reason says so) is counted while the evidence is read. A possible one is counted only once the
  // task definition confirms it, so a SIGKILL that is not an OOM never takes a place in the story's count (where it
  // could make the story's next real OOM a suppressed one).
  const countNow = early.verdict === 'oom';
  let [earlyRecord, evidence] = await Promise.all([
    countNow ? recordWithin(deps.ledger, kill, now, ledgerTimeoutMs) : Promise.resolve(null),
    gatherEvidence(task, container, deps.readers, { now: killedAt, lookbackHours: config.lookbackHours }),
    prepare,
  ]);
  const lateMinutes = Math.round((now - killedAt) / 60_000);
  if (lateMinutes >= 30) {
    evidence.warnings.push(
      `This alert comes ${lateMinutes >= 120 ? `${Math.round(lateMinutes / 60)} h` : `${lateMinutes} min`} after the kill (a retried or replayed event): the memory history was read up to the kill.`,
    );
  }
  const triageOptions = { now: killedAt, lookbackHours: config.lookbackHours, generatedAt: now };
  const earlyKill = kill;
  // Anything that throws between a recorded decision and the delivery hands the kill back, so the retry is not
  // turned away as a duplicate of an alert that never went out.
  const handBackEarly = async () => {
    if (earlyRecord?.decision.alert && earlyRecord.decision.reason !== 'ledger-unavailable') {
      await deps.ledger.delivered?.(earlyKill, [], false).catch(() => undefined);
    }
  };
  let result: TriageResult;
  let series: MemorySeries;
  try {
    ({ result, series } = buildTriage(task, evidence, triageOptions));
    // The task definition can name another container than the event alone did (which container is essential): read
    // that container's memory, and count that container's kill, not the first guess's.
    const target = result.classification.target;
    if (target !== null && target !== container) {
      log.info('The task definition points at another container; reading its evidence', { guessed: container, target });
      log.appendKeys({ container: target });
      if (earlyRecord) {
        // A late ledger may still be writing the first guess's record: let it finish before taking it back. Only a
        // record this invocation made is released: a "duplicate" mark belongs to another invocation.
        const answer = earlyRecord.late
          ? await lateAnswer(earlyRecord, config.lateRecordWaitMs ?? 5_000)
          : earlyRecord.decision;
        const ours = answer !== null && answer.reason !== 'duplicate' && answer.reason !== 'ledger-unavailable';
        if (ours) await Promise.resolve(deps.ledger.release?.(kill)).catch(() => undefined);
        earlyRecord = null;
      }
      kill = killIdentityFromTask(task, target);
      const lateWarnings = evidence.warnings.filter((w) => w.startsWith('This alert comes'));
      // The task definition already read decided the target: reuse it for that revision only, so the rebuilt triage
      // cannot fall back, and the service's deployed revision is still read.
      const known = evidence.taskDefinition;
      const read = deps.readers.describeTaskDefinition;
      evidence = await gatherEvidence(
        task,
        target,
        known && read ? { ...deps.readers, describeTaskDefinition: async (arn) => (arn === task.taskDefinitionArn ? known : read(arn)) } : deps.readers,
        { now: killedAt, lookbackHours: config.lookbackHours },
      );
      evidence.warnings.push(...lateWarnings);
      ({ result, series } = buildTriage(task, evidence, triageOptions));
    }
    if (result.classification.verdict === 'not-oom') {
      // A SIGKILL alert (alertOnSigkill) has its own story: it must not take a place in the OOM story's count.
      kill = { ...kill, container: `${kill.container}#sigkill` };
    }
    if (!countNow && result.classification.verdict === 'not-oom' && !config.alertOnSigkill) {
      // The task definition showed what the event alone could not (e.g. a sidecar stopped with its task).
      log.info('No OOM after reading the task definition', { verdict: result.classification.verdict, reason: result.classification.sigkillCause });
      return { status: 'ignored', verdict: result.classification.verdict, reason: result.classification.sigkillCause ?? 'not an OOM' };
    }
  } catch (error) {
    await handBackEarly();
    throw error;
  }
  const recorded = earlyRecord ?? (await recordWithin(deps.ledger, kill, now, ledgerTimeoutMs));
  const decision = recorded.decision;
  if (decision.reason === 'ledger-unavailable') {
    log.warn('Alert ledger unavailable: alerting anyway (a duplicate beats a lost OOM)', { error: decision.error });
  }
  const fields = {
    verdict: result.classification.verdict,
    confidence: result.confidence,
    pattern: result.analysis.pattern,
    ledger: decision.reason,
    count: decision.count,
    recommendedMemory: result.recommendation?.memory ?? null,
    warnings: result.warnings,
  };
  if (!decision.alert) {
    log.info(decision.reason === 'duplicate' ? 'Duplicate delivery of a kill already alerted' : 'Kill counted, alert suppressed (crash loop)', fields);
    return { status: 'suppressed', decision };
  }
  const tracked = decision.reason !== 'ledger-unavailable' && decision.reason !== 'disabled';
  try {
    return await deliver(deps, { kill, decision, result, series, fields, recorded, tracked });
  } catch (error) {
    // Whatever failed after the decision (a renderer, a channel, the bookkeeping), hand the kill back so that
    // Lambda's retry takes it over at once instead of finding it claimed.
    if (tracked) await deps.ledger.delivered?.(kill, [], false).catch(() => undefined);
    throw error;
  }
}

interface Delivery {
  kill: KillIdentity;
  decision: LedgerDecision;
  result: TriageResult;
  series: MemorySeries;
  fields: Record<string, unknown>;
  recorded: Recorded;
  /** The ledger answered in time and tracks this kill's delivery. */
  tracked: boolean;
}

async function deliver(deps: ResponderDeps, d: Delivery): Promise<Outcome> {
  const { log, config } = deps;
  const { kill, decision, result, series, fields } = d;
  const story = storyOf(decision, config.windowMinutes);
  const options = { series, story, lookbackHours: config.lookbackHours };
  const deliveries: { channel: string; run: () => Promise<void> }[] = [
    { channel: 'email', run: () => deps.channels.email(renderSnsMessage(result, options)) },
  ];
  const { slack, chatbot, graph } = deps.channels;
  if (slack) {
    deliveries.push({
      channel: 'slack',
      run: async () => {
        const graphUrl = graph && series.points.length > 0 ? await graph(result, series) : null;
        await slack(renderSlack(result, { ...options, graphUrl }));
      },
    });
  }
  if (chatbot) deliveries.push({ channel: 'chatbot', run: () => chatbot(renderChatbotMessage(result, options)) });

  // An earlier attempt at this kill (a Lambda retry, another version of the stop) may have delivered some channels.
  const already = new Set(decision.delivered ?? []);
  const pending = deliveries.filter((x) => !already.has(x.channel));
  if (already.size > 0) log.info('Resuming an alert an earlier attempt did not finish', { ...fields, alreadyDelivered: [...already] });
  // A renderer that throws is a failed channel, not an escape past the others. Each channel is recorded as it goes
  // out, so even a timeout in the middle of delivering repeats nothing on the retry.
  const settled = await Promise.allSettled(
    pending.map(async (x) => {
      await x.run();
      if (d.tracked) await deps.ledger.delivered?.(kill, [x.channel], false, false).catch(() => undefined);
    }),
  );
  const failures = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ channel: pending[i]!.channel, error: errorMessage(s.reason) }] : [],
  );
  const delivered = pending.filter((_, i) => settled[i]!.status === 'fulfilled').map((x) => x.channel);
  // When the ledger answered late, its record() may still be writing a mark: wait for it (briefly) so that the mark
  // is marked delivered and the next version of the stop is a duplicate. A ledger that failed outright is skipped.
  if (!d.tracked && d.recorded.late) {
    const settledRecord = await lateAnswer(d.recorded, config.lateRecordWaitMs ?? 5_000);
    // Only an answer that made this invocation the owner: a late "duplicate" belongs to another invocation's mark.
    if (settledRecord && settledRecord.alert && (settledRecord.reason === 'first' || settledRecord.reason === 'threshold')) d.tracked = true;
  }
  if (d.tracked) {
    await deps.ledger.delivered?.(kill, delivered, failures.length === 0).catch((error: unknown) => {
      log.warn('Could not record the delivery in the ledger; a later version of this stop may alert again', { error: errorMessage(error) });
    });
  }
  if (failures.length > 0) {
    // Handed back (delivered() with complete false): the retry takes the kill over and sends only the failed channels.
    log.error('Alert delivery failed; the invocation fails so Lambda retries the failed channels', { ...fields, delivered, failures });
    throw new AlertDeliveryError(failures);
  }
  log.info('Alert sent', { ...fields, delivered: [...already, ...delivered] });
  return { status: 'alerted', decision, channels: [...already, ...delivered], result };
}

