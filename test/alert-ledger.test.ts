import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type AlertLedger,
  createDynamoLedger,
  decideForSequence,
  disabledLedger,
  type KillIdentity,
  killIdentityFromTask,
  killMarkKey,
  killRatePerHour,
  LedgerConfigError,
  type LedgerDecision,
  storyItemKey,
  storyKeyOf,
  storyThreadId,
} from '../lambda/alert-ledger';
import type { TaskSnapshot } from '../lambda/model';
import { type DynaliteHandle, localDynamoClient, startDynalite } from './dynalite-server';

const MIN = 60_000;
const T0 = Date.parse('2025-03-01T10:00:00Z');
const OPTIONS = { windowMinutes: 30, realertAt: [5, 25, 100] };

let seq = 0;
/** A fresh cluster per test keeps stories apart on the shared server. */
function newCluster(): string {
  seq += 1;
  return `arn:aws:ecs:eu-west-1:123456789012:cluster/ledger-test-${seq}`;
}

function kill(clusterArn: string, task: string, over: Partial<KillIdentity> = {}): KillIdentity {
  return {
    clusterArn,
    serviceOrFamily: 'checkout',
    container: 'app',
    taskDefinitionRevision: 7,
    taskArn: `${clusterArn.replace(':cluster/', ':task/')}/${task}`,
    ...over,
  };
}

function counts(decisions: LedgerDecision[]): number[] {
  return decisions.map((d) => d.count).sort((a, b) => a - b);
}

describe('story keys and thread ids (pure)', () => {
  const story = {
    clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
    serviceOrFamily: 'checkout',
    container: 'app',
    taskDefinitionRevision: 42,
  };

  it('builds a readable, stable story key and thread id', () => {
    expect(storyKeyOf(story)).toBe('arn:aws:ecs:eu-west-1:123456789012:cluster/prod|checkout|app|r42');
    expect(storyThreadId(story)).toMatch(/^oom-prod-checkout-app-r42-[0-9a-f]{12}$/);
    expect(storyThreadId({ ...story })).toBe(storyThreadId(story));
  });

  it('gives each container, revision, service and cluster its own thread', () => {
    const ids = new Set([
      storyThreadId(story),
      storyThreadId({ ...story, container: 'sidecar' }),
      storyThreadId({ ...story, taskDefinitionRevision: 43 }),
      storyThreadId({ ...story, taskDefinitionRevision: null }),
      storyThreadId({ ...story, serviceOrFamily: 'family:checkout' }),
      storyThreadId({ ...story, clusterArn: story.clusterArn.replace('eu-west-1', 'us-east-1') }),
    ]);
    expect(ids.size).toBe(6);
  });

  it('keeps thread ids safe and at most 100 characters, unique even when truncated', () => {
    const long = { ...story, serviceOrFamily: 'family:' + 'x'.repeat(200), container: 'c/é  ü' };
    const a = storyThreadId(long);
    const b = storyThreadId({ ...long, taskDefinitionRevision: 43 });
    expect(a.length).toBeLessThanOrEqual(100);
    expect(a).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(a).not.toBe(b);
    expect(storyThreadId({ ...story, serviceOrFamily: 'family:batch' })).toMatch(/^oom-prod-family-batch-app-r42-/);
  });

  it('decides from the sequence number within the window', () => {
    expect(decideForSequence(1, T0, T0, [5, 25])).toEqual({
      alert: true, reason: 'first', count: 1, firstSeenAt: T0, ratePerHour: null,
    });
    expect(decideForSequence(2, T0, T0 + 10 * MIN, [5, 25])).toMatchObject({ alert: false, reason: 'suppressed' });
    expect(decideForSequence(5, T0, T0 + 10 * MIN, [5, 25])).toMatchObject({ alert: true, reason: 'threshold', count: 5 });
    expect(decideForSequence(6, T0, T0 + 10 * MIN, [5, 25])).toMatchObject({ alert: false, reason: 'suppressed' });
  });

  it('computes the kill rate from the intervals since the first kill', () => {
    expect(killRatePerHour(1, T0, T0 + MIN)).toBeNull();
    expect(killRatePerHour(5, T0, T0)).toBeNull();
    expect(killRatePerHour(5, T0, T0 + 10 * MIN)).toBe(24); // 4 intervals in 10 min
    expect(killRatePerHour(2, T0, T0 + 7 * MIN)).toBe(8.6);
  });

  it('derives the kill identity from a parsed task', () => {
    const task = {
      clusterArn: story.clusterArn,
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
      serviceName: 'checkout',
      family: 'checkout-td',
      group: 'service:checkout',
      revision: 42,
    } as TaskSnapshot;
    expect(killIdentityFromTask(task, 'app')).toEqual({ ...story, taskArn: task.taskArn });
    const standalone = { ...task, serviceName: null, group: 'family:nightly' } as TaskSnapshot;
    expect(killIdentityFromTask(standalone, 'app').serviceOrFamily).toBe('family:checkout-td');
    expect(killIdentityFromTask({ ...standalone, family: null }, 'app').serviceOrFamily).toBe('family:nightly');
  });

  it('always alerts when disabled, on the same thread', async () => {
    const k = kill(story.clusterArn, 't1', { taskDefinitionRevision: 42 });
    const d = await disabledLedger.record(k, T0);
    expect(d).toMatchObject({ alert: true, reason: 'disabled', count: 0, firstSeenAt: T0 });
    expect(d.threadId).toBe(storyThreadId(story));
    expect((await disabledLedger.record(k, T0)).alert).toBe(true);
  });

  it('rejects nonsense options', () => {
    const client = {} as DynamoDBClient;
    expect(() => createDynamoLedger(client, 't', { windowMinutes: 0, realertAt: [] })).toThrow(LedgerConfigError);
    expect(() => createDynamoLedger(client, 't', { windowMinutes: 30, realertAt: [2.5] })).toThrow(LedgerConfigError);
  });
});

describe('DynamoDB ledger against dynalite', () => {
  let db: DynaliteHandle;
  let ledger: AlertLedger;

  beforeAll(async () => {
    db = await startDynalite();
    ledger = createDynamoLedger(db.client, db.tableName, OPTIONS);
  });
  afterAll(async () => {
    await db?.stop();
  });

  async function storyCount(k: KillIdentity): Promise<number> {
    const { Item } = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: { pk: { S: storyItemKey(k) } }, ConsistentRead: true }),
    );
    return Number(Item?.count?.N);
  }

  it('alerts the first kill and reports a redelivery of the same event as a duplicate', async () => {
    const k = kill(newCluster(), 'a1');
    const first = await ledger.record(k, T0);
    expect(first).toMatchObject({ alert: true, reason: 'first', count: 1, firstSeenAt: T0, ratePerHour: null });
    expect(first.storyKey).toBe(storyKeyOf(k));
    expect(first.threadId).toBe(storyThreadId(k));
    const again = await ledger.record(k, T0 + 1000);
    expect(again).toMatchObject({ alert: false, reason: 'duplicate', count: 0, firstSeenAt: T0 });
    expect(again.threadId).toBe(first.threadId);
  });

  it('alerts once for the several versions of one stop and counts the kill once', async () => {
    const cluster = newCluster();
    const k = kill(cluster, 'b1');
    // RUNNING (desired STOPPED), DEPROVISIONING, STOPPED: same taskArn + container, different event ids
    const first = await ledger.record(k, T0);
    await ledger.delivered!(k, ['email', 'slack'], true);
    const versions = [first, await ledger.record(k, T0 + 20_000), await ledger.record(k, T0 + 45_000)];
    expect(versions.map((d) => d.reason)).toEqual(['first', 'duplicate', 'duplicate']);
    expect(versions.filter((d) => d.alert)).toHaveLength(1);
    expect(await storyCount(k)).toBe(1);
    expect(await ledger.record(kill(cluster, 'b2'), T0 + 2 * MIN)).toMatchObject({ reason: 'suppressed', count: 2 });
  });

  it('deduplicates concurrent deliveries of one kill', async () => {
    const k = kill(newCluster(), 'c1');
    const all = await Promise.all(Array.from({ length: 10 }, () => ledger.record(k, T0)));
    expect(all.filter((d) => d.reason === 'first')).toHaveLength(1);
    expect(all.filter((d) => d.reason === 'duplicate')).toHaveLength(9);
    expect(await storyCount(k)).toBe(1);
  });

  it('suppresses within the window and starts a new window after it expires', async () => {
    const cluster = newCluster();
    const d1 = await ledger.record(kill(cluster, 'w1'), T0);
    const d2 = await ledger.record(kill(cluster, 'w2'), T0 + 10 * MIN);
    const d3 = await ledger.record(kill(cluster, 'w3'), T0 + 30 * MIN - 1); // last millisecond of the window
    const d4 = await ledger.record(kill(cluster, 'w4'), T0 + 30 * MIN); // the window has ended
    const d5 = await ledger.record(kill(cluster, 'w5'), T0 + 31 * MIN);
    expect(d1).toMatchObject({ alert: true, reason: 'first', count: 1, firstSeenAt: T0 });
    expect(d2).toMatchObject({ alert: false, reason: 'suppressed', count: 2, firstSeenAt: T0, ratePerHour: 6 });
    expect(d3).toMatchObject({ alert: false, reason: 'suppressed', count: 3, firstSeenAt: T0 });
    expect(d4).toMatchObject({ alert: true, reason: 'first', count: 1, firstSeenAt: T0 + 30 * MIN });
    expect(d5).toMatchObject({ alert: false, reason: 'suppressed', count: 2, firstSeenAt: T0 + 30 * MIN, ratePerHour: 60 });
    expect(new Set([d1, d2, d3, d4, d5].map((d) => d.threadId)).size).toBe(1);
  });

  it('50 concurrent kills of one service: one first, counts 1..50 once each, thresholds 5 and 25 once each', async () => {
    const cluster = newCluster();
    const kills = Array.from({ length: 50 }, (_, i) => kill(cluster, `burst-${i}`));
    const started = performance.now();
    const decisions = await Promise.all(kills.map((k) => ledger.record(k, T0)));
    const elapsedMs = performance.now() - started;
    expect(decisions.filter((d) => d.reason === 'ledger-unavailable')).toEqual([]);
    expect(decisions.filter((d) => d.reason === 'first')).toHaveLength(1);
    expect(counts(decisions)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const thresholds = decisions.filter((d) => d.reason === 'threshold').map((d) => d.count).sort((a, b) => a - b);
    expect(thresholds).toEqual([5, 25]);
    expect(decisions.filter((d) => d.alert)).toHaveLength(3);
    expect(decisions.filter((d) => d.reason === 'suppressed')).toHaveLength(47);
    expect(await storyCount(kills[0]!)).toBe(50);
    expect(new Set(decisions.map((d) => d.threadId)).size).toBe(1);
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('lets exactly one of many racing kills win the first of a new window after the old one expired', async () => {
    const cluster = newCluster();
    expect((await ledger.record(kill(cluster, 'old'), T0)).reason).toBe('first');
    const later = T0 + 45 * MIN;
    const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.record(kill(cluster, `new-${i}`), later)));
    expect(decisions.filter((d) => d.reason === 'first')).toHaveLength(1);
    expect(counts(decisions)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(decisions.every((d) => d.firstSeenAt === later)).toBe(true);
  });

  it('treats another container and a new revision as new stories', async () => {
    const cluster = newCluster();
    const base = await ledger.record(kill(cluster, 'x1'), T0);
    const sameStory = await ledger.record(kill(cluster, 'x2'), T0 + MIN);
    const sidecar = await ledger.record(kill(cluster, 'x2', { container: 'log-router' }), T0 + MIN);
    const newRevision = await ledger.record(kill(cluster, 'x3', { taskDefinitionRevision: 8 }), T0 + 2 * MIN);
    expect(base.reason).toBe('first');
    expect(sameStory).toMatchObject({ reason: 'suppressed', count: 2 });
    expect(sidecar).toMatchObject({ alert: true, reason: 'first', count: 1 });
    expect(newRevision).toMatchObject({ alert: true, reason: 'first', count: 1 });
    expect(sameStory.threadId).toBe(base.threadId);
    expect(new Set([base.threadId, sidecar.threadId, newRevision.threadId]).size).toBe(3);
    expect(new Set([base.storyKey, sidecar.storyKey, newRevision.storyKey]).size).toBe(3);
  });

  it('keeps two interleaved services apart', async () => {
    const cluster = newCluster();
    const l = createDynamoLedger(db.client, db.tableName, { windowMinutes: 30, realertAt: [3] });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const service of ['checkout', 'family:nightly-report']) {
        const d = await l.record(kill(cluster, `${service}-${i}`, { serviceOrFamily: service }), T0 + i * MIN);
        seen.push(`${service}:${d.reason}:${d.count}`);
      }
    }
    expect(seen).toEqual([
      'checkout:first:1', 'family:nightly-report:first:1',
      'checkout:suppressed:2', 'family:nightly-report:suppressed:2',
      'checkout:threshold:3', 'family:nightly-report:threshold:3',
      'checkout:suppressed:4', 'family:nightly-report:suppressed:4',
    ]);
  });

  it('remembers a kill for the dedupe period only', async () => {
    const k = kill(newCluster(), 'm1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    await ledger.delivered!(k, ['email'], true);
    expect((await ledger.record(k, T0 + 23 * 60 * MIN)).reason).toBe('duplicate');
    expect((await ledger.record(k, T0 + 25 * 60 * MIN)).reason).toBe('first');
  });

  it('takes over a stale undecided claim, but not a fresh one (the owner died before counting)', async () => {
    const cluster = newCluster();
    const k = kill(cluster, 's1');
    const failingCount = withFailingStoryWrites(db.client);
    const broken = createDynamoLedger(failingCount, db.tableName, OPTIONS);
    const failed = await broken.record(k, T0);
    expect(failed).toMatchObject({ alert: true, reason: 'ledger-unavailable', count: 0 });
    expect(failed.error).toContain('InternalServerError');
    // the next version of the same stop, while the failed owner's claim is fresh: it alerted already
    expect((await ledger.record(k, T0 + 10_000)).reason).toBe('duplicate');
    // the retry of the event a minute later is not lost as a duplicate: it takes over and counts the kill
    expect(await ledger.record(k, T0 + 70_000)).toMatchObject({ alert: true, reason: 'first', count: 1 });
    expect((await ledger.record(k, T0 + 80_000)).reason).toBe('duplicate');
    expect(await storyCount(k)).toBe(1);
  });

  it('re-derives the same decision when the owner counted but died before finalizing', async () => {
    const cluster = newCluster();
    const k = kill(cluster, 'f1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    // simulate a crash between counting and finalizing: the mark is claimed but undecided
    await db.client.send(
      new UpdateItemCommand({
        TableName: db.tableName,
        Key: { pk: { S: killMarkKey(k) } },
        UpdateExpression: 'REMOVE reason, seq, windowStart',
      }),
    );
    const retried = await ledger.record(k, T0 + 70_000);
    expect(retried).toMatchObject({ alert: true, reason: 'first', count: 1, firstSeenAt: T0 });
    expect(await storyCount(k)).toBe(1);
    expect((await ledger.record(kill(cluster, 'f2'), T0 + 80_000)).count).toBe(2);
  });

  it('release() lets a retry after a failed delivery get the same decision instead of a duplicate', async () => {
    const cluster = newCluster();
    const k = kill(cluster, 'r1');
    const first = await ledger.record(k, T0);
    await ledger.release!(k);
    const retry = await ledger.record(k, T0 + 60_000);
    expect(retry).toMatchObject({ alert: true, reason: 'first', count: 1, firstSeenAt: T0 });
    expect(retry.threadId).toBe(first.threadId);
    await ledger.delivered!(k, ['email'], true);
    expect((await ledger.record(k, T0 + 120_000)).reason).toBe('duplicate');
    expect(await storyCount(k)).toBe(1);
  });

  it('a decided alert that was never delivered (timeout, crash) is taken over after the lease, with the same decision', async () => {
    const cluster = newCluster();
    const k = kill(cluster, 'lost1');
    expect(await ledger.record(k, T0)).toMatchObject({ alert: true, reason: 'first', count: 1 });
    // the owner dies here: no delivered() call
    expect((await ledger.record(k, T0 + 10_000)).reason).toBe('duplicate'); // in flight as far as anyone knows
    const retry = await ledger.record(k, T0 + 70_000); // Lambda's retry, a minute later
    expect(retry).toMatchObject({ alert: true, reason: 'first', count: 1, firstSeenAt: T0, delivered: [] });
    expect(await storyCount(k)).toBe(1); // not counted again
    await ledger.delivered!(k, ['email', 'slack'], true);
    expect((await ledger.record(k, T0 + 140_000)).reason).toBe('duplicate');
  });

  it('a partly delivered alert resumes with the channels already sent, and two racing takers get it once', async () => {
    const k = kill(newCluster(), 'part1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    await ledger.delivered!(k, ['email'], false); // Slack failed; the invocation threw
    const takers = await Promise.all([ledger.record(k, T0 + 70_000), ledger.record(k, T0 + 70_000)]);
    const resumed = takers.filter((d) => d.alert);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ reason: 'first', count: 1, delivered: ['email'] });
    expect(takers.filter((d) => d.reason === 'duplicate')).toHaveLength(1);
  });

  it('leaves a decided kill with an owner that may still be delivering, but never turns away Lambda\'s retry', async () => {
    const k = kill(newCluster(), 'slow1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    // the DEPROVISIONING / STOPPED versions 45 s later, while a slow Slack post keeps the owner busy
    expect((await ledger.record(k, T0 + 45_000)).reason).toBe('duplicate');
    expect((await ledger.record(k, T0 + 54_000)).reason).toBe('duplicate');
    // the owner died silently 2 s in (a crash): Lambda retries a minute after the failure, past the 55 s lease
    expect(await ledger.record(k, T0 + 62_000)).toMatchObject({ alert: true, reason: 'first', delivered: [] });
  });

  it('records each channel as it goes out without handing the kill back: a timeout mid-delivery repeats nothing', async () => {
    const k = kill(newCluster(), 'prog1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    await ledger.delivered!(k, ['email'], false, false); // email went out; then the function timed out
    expect((await ledger.record(k, T0 + 5_000)).reason).toBe('duplicate'); // still the owner's
    expect(await ledger.record(k, T0 + 120_000)).toMatchObject({ alert: true, delivered: ['email'] }); // the retry
  });

  it('an owner that finished with a failed channel hands the kill back at once', async () => {
    const k = kill(newCluster(), 'back1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    await ledger.delivered!(k, ['email'], false);
    expect(await ledger.record(k, T0 + 5_000)).toMatchObject({ alert: true, reason: 'first', delivered: ['email'] });
    expect((await ledger.record(k, T0 + 6_000)).reason).toBe('duplicate'); // the new owner is in flight
  });

  it('takes over an undecided mark of the old format into the new one (delivery is tracked from then on)', async () => {
    const k = kill(newCluster(), 'oldclaim1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    await db.client.send(
      new UpdateItemCommand({ TableName: db.tableName, Key: { pk: { S: killMarkKey(k) } }, UpdateExpression: 'REMOVE v, reason, seq, windowStart' }),
    );
    expect((await ledger.record(k, T0 + 70_000)).reason).toBe('first');
    await ledger.delivered!(k, ['email'], false); // Slack failed on this attempt
    expect(await ledger.record(k, T0 + 140_000)).toMatchObject({ alert: true, delivered: ['email'] });
  });

  it('release() takes a kill that was not an OOM out of its story: the next real OOM is a first, not suppressed', async () => {
    const cluster = newCluster();
    const notOom = kill(cluster, 'rel1');
    expect((await ledger.record(notOom, T0)).reason).toBe('first');
    await ledger.release!(notOom);
    expect(await ledger.record(kill(cluster, 'rel2'), T0 + MIN)).toMatchObject({ alert: true, reason: 'first', count: 1 });
    await ledger.release!(kill(cluster, 'never-recorded')); // nothing to uncount: no error
  });

  it('resumes an alert owed with its stored reason even when realertAt changed since', async () => {
    const cluster = newCluster();
    const l = createDynamoLedger(db.client, db.tableName, { windowMinutes: 30, realertAt: [2] });
    await l.record(kill(cluster, 'th0'), T0);
    await l.delivered!(kill(cluster, 'th0'), ['email'], true);
    const k = kill(cluster, 'th1');
    expect((await l.record(k, T0 + MIN)).reason).toBe('threshold');
    const changed = createDynamoLedger(db.client, db.tableName, { windowMinutes: 30, realertAt: [5] });
    expect(await changed.record(k, T0 + 3 * MIN)).toMatchObject({ alert: true, reason: 'threshold', count: 2 });
  });

  it('a suppressed kill is final at once: nothing to deliver', async () => {
    const cluster = newCluster();
    await ledger.record(kill(cluster, 'sup0'), T0);
    const k = kill(cluster, 'sup1');
    expect((await ledger.record(k, T0 + MIN)).reason).toBe('suppressed');
    expect((await ledger.record(k, T0 + 3 * MIN)).reason).toBe('duplicate');
  });

  it('treats a decided mark of the format before delivery tracking (no v) as final', async () => {
    const k = kill(newCluster(), 'old1');
    expect((await ledger.record(k, T0)).reason).toBe('first');
    await db.client.send(new UpdateItemCommand({ TableName: db.tableName, Key: { pk: { S: killMarkKey(k) } }, UpdateExpression: 'REMOVE v' }));
    expect((await ledger.record(k, T0 + 5 * MIN)).reason).toBe('duplicate');
  });

  it('fails open quickly when the store is down', async () => {
    const port = await closedPort();
    const client = localDynamoClient(`http://127.0.0.1:${port}`, { maxAttempts: 1, requestTimeoutMs: 500 });
    try {
      const down = createDynamoLedger(client, 'alert-ledger', OPTIONS);
      const k = kill(newCluster(), 'd1');
      const started = performance.now();
      const d = await down.record(k, T0);
      const elapsedMs = performance.now() - started;
      expect(d).toMatchObject({ alert: true, reason: 'ledger-unavailable', count: 0, firstSeenAt: T0, ratePerHour: null });
      expect(d.error).toMatch(/ECONNREFUSED|connect/i);
      expect(d.threadId).toBe(storyThreadId(k));
      expect(elapsedMs).toBeLessThan(2000);
      expect((await down.record(k, T0)).alert).toBe(true); // every kill alerts while the store is down
    } finally {
      client.destroy();
    }
  });
});

/** A client whose writes to story items fail like a DynamoDB outage; everything else goes to the real store. */
function withFailingStoryWrites(real: DynamoDBClient): DynamoDBClient {
  return {
    send(command: { input: { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } } }) {
      const pk = command.input.Key?.pk?.S ?? command.input.Item?.pk?.S ?? '';
      if (pk.startsWith('story#')) {
        return Promise.reject(Object.assign(new Error('simulated outage'), { name: 'InternalServerError' }));
      }
      return real.send(command as never);
    },
  } as unknown as DynamoDBClient;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
