/**
 * Alert ledger: turns at-least-once, multi-version ECS stop events into few, informative alerts, without losing a
 * real OOM. Pure decision logic (story keys, thread ids, what a kill's sequence number means) plus a DynamoDB
 * adapter that takes its client as an argument.
 *
 * ## Table
 * Partition key `pk` (S) only; TTL attribute `expiresAt` (epoch seconds). TTL only cleans up: DynamoDB deletes
 * lazily (days late) and dynalite never does, so every condition and read compares the expiry itself.
 * Two kinds of item share the table:
 *
 * - **Kill mark** `kill#<taskArn>#<container>`: the idempotency record of one kill. Every version of one stop
 *   (RUNNING->STOPPED, DEPROVISIONING, STOPPED) and every redelivery carries the same taskArn + container, while
 *   the event id differs per version, so the key is built from what identifies the kill, not from the event.
 *   Attributes: `claimedBy` (random owner token), `claimedAt` (ms), `expiresAt` (s, `dedupeHours` ahead: EventBridge
 *   retries for up to 24 h), and once decided `reason`, `seq`, `windowStart`.
 * - **Story window** `story#<storyKey>`: one per (cluster, service-or-family, container, revision) and window.
 *   Attributes: `windowStart` / `windowEndsAt` (ms), `count`, `kills` (map: short hash of the kill -> its sequence
 *   number in the window), `expiresAt` (s, for TTL cleanup only; the logic compares `windowEndsAt`).
 *
 * ## Order: claim, count, finalize (the mark carries the decision; the count is idempotent per kill)
 * 1. **Claim** the kill: PutItem mark, condition `attribute_not_exists(pk) OR expiresAt < :nowSeconds`.
 *    On ConditionalCheckFailed, read the mark:
 *    - decided (`reason` present) -> `duplicate`;
 *    - claimed less than `claimLeaseMs` ago -> `duplicate`: the owner is in flight, and it either decides or fails
 *      open (alerts with `ledger-unavailable`), so the kill is not lost;
 *    - claimed longer ago and undecided -> the owner died between claim and finalize (Lambda timeout, crash, the
 *      store failing mid-way). Take over with UpdateItem `claimedBy = :previousOwner AND attribute_not_exists(reason)`;
 *      only one taker wins, the others report `duplicate`. The lease (30 s) is shorter than Lambda's first async
 *      retry (about 1 min), so a retry of the same event is never lost as `duplicate` forever.
 * 2. **Count** in the story, idempotently for this kill:
 *    a. join the live window: UpdateItem `ADD count :one SET kills.#h = count + :one`, condition
 *       `windowEndsAt > :now AND attribute_not_exists(kills.#h)`. DynamoDB evaluates every action against the
 *       pre-update item, so `kills.#h` records exactly the new count: this kill's sequence number. Atomic, so 50
 *       concurrent kills get 1..50 once each.
 *    b. else open a new window: PutItem `{count: 1, kills: {#h: 1}, windowStart: now}`, condition
 *       `attribute_not_exists(pk) OR windowEndsAt <= :now`. Writes to one item are serialised: when two
 *       invocations both see an expired window, the first Put makes the window live and the second one's
 *       condition fails. Only one wins the `first`; the loser loops back to (a).
 *    c. else read the story (consistent): a live window that already holds `kills.#h` means an earlier owner of
 *      this kill counted it and died before finalizing. Re-derive the decision from the stored sequence number
 *      (no double count, and a lost `first` is alerted again rather than turned into `suppressed`). Otherwise
 *      loop (bounded; contention past the bound fails open).
 *    Sequence 1 -> `first`; a sequence in `realertAt` -> `threshold`; else `suppressed`.
 * 3. **Finalize** the mark: `SET reason, seq, windowStart` if `claimedBy = :me` (and `done = true` for a suppressed
 *    kill: nothing to send). If this write fails the decision is already known and is returned; a later taker of the
 *    stale claim re-derives the same sequence from the story.
 * 4. **Deliver**: the caller reports the channels it delivered (`delivered()`: `ADD delivered`, and `done = true` once
 *    all are, else `handedBack = true`). A decided kill that is not done is taken over (condition `claimedBy =
 *    :previousOwner AND attribute_not_exists(done)`) at once when handed back, or after `deliveryLeaseMs` (55 s:
 *    under Lambda's one-minute retry delay, over nearly every invocation's length) when its owner died silently. The taker gets the
 *    stored decision and the channels already delivered, and sends the rest. So a function that decided to alert and
 *    then timed out, crashed or failed on one channel loses nothing on its retry, and repeats nothing delivered.
 *    Marks written before this step existed (no `v` attribute) are final once decided; a takeover writes `v`.
 *
 * Why not count-then-mark: a duplicate would be counted before it is recognised. Why not mark-only: a kill marked
 * but never counted would be `duplicate` forever. `release()` forgets a kill that turned out not to be an OOM: it
 * deletes the mark and takes the kill out of its story's count, so the story's next real OOM is not suppressed.
 *
 * ## Failing open
 * Anything other than an expected ConditionalCheckFailed (network, throttling, validation, contention past the
 * bound) returns `alert: true, reason: 'ledger-unavailable'` with the error: a duplicate is better than a lost
 * OOM. Retries and timeouts are the caller's client configuration.
 *
 * Limits: the `kills` map costs about 25 bytes per kill, so one window holds about 15 000 kills before the
 * 400 KB item limit (then every further kill of that story fails open and alerts).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { TaskSnapshot } from './model';

// ---------------------------------------------------------------------------------------------------------------
// Domain
// ---------------------------------------------------------------------------------------------------------------

export interface KillIdentity {
  clusterArn: string;
  /** service name, or `family:NAME` for standalone tasks */
  serviceOrFamily: string;
  container: string;
  /** a new revision is a new story */
  taskDefinitionRevision: number | null;
  taskArn: string;
}

/** What identifies a story (a crash loop): everything in a kill except the task. */
export type StoryIdentity = Pick<KillIdentity, 'clusterArn' | 'serviceOrFamily' | 'container' | 'taskDefinitionRevision'>;

export interface LedgerOptions {
  /** Suppression window, from the first kill of the window. */
  windowMinutes: number;
  /** Counts (within one window) at which a suppressed story alerts again, e.g. [5, 25, 100]. */
  realertAt: number[];
  /**
   * How long an undecided claim protects a kill from being processed again. Keep it under Lambda's first async
   * retry delay (about 1 minute). @default 30_000
   */
  claimLeaseMs?: number;
  /**
   * How long a kill decided for an alert, but not yet delivered, belongs to the invocation that decided it. Shorter
   * than Lambda's first retry (a minute after a failure), so a retry is never turned away even when its owner died
   * without a word; longer than nearly every invocation (deliveries end 5 s before the 60 s timeout), so a slow owner
   * is not doubled. An owner that ends with a failure hands the kill back at once (`delivered()` with
   * `complete: false`). @default 55_000
   */
  deliveryLeaseMs?: number;
  /** How long a kill is remembered for de-duplication (EventBridge retries for up to 24 h). @default 24 */
  dedupeHours?: number;
}

export type LedgerReason = 'first' | 'threshold' | 'duplicate' | 'suppressed' | 'ledger-unavailable' | 'disabled';

export type LedgerDecision = {
  alert: boolean;
  reason: LedgerReason;
  /** kills counted in this story's current window, including this one (0 when duplicate/unknown) */
  count: number;
  /** epoch ms of the story window's first kill */
  firstSeenAt: number;
  /** kills per hour over the window so far, or null */
  ratePerHour: number | null;
  /** stable id of the story: cluster + service/family + container (+ revision); use for Amazon Q threadId */
  storyKey: string;
  /** safe string derived from storyKey (readable part + short hash), <= 100 chars */
  threadId: string;
  /** for ledger-unavailable */
  error?: string;
  /**
   * Channels an earlier attempt at this same kill already delivered (it decided to alert, then died or failed on
   * another channel before finishing): send only the others. Absent or empty: send every channel.
   */
  delivered?: string[];
};

export interface AlertLedger {
  record(kill: KillIdentity, now: number): Promise<LedgerDecision>;
  /**
   * Forget a kill that turned out not to be an OOM (the task definition showed a SIGKILL for another reason): its mark
   * and its place in the story's count, so it neither blocks a later real OOM of the same kill nor makes the story's
   * next real OOM a suppressed one. Best effort; throws on store errors.
   */
  release?(kill: KillIdentity): Promise<void>;
  /**
   * Record the channels this attempt delivered; `complete` when every channel has now been delivered, which makes the
   * kill final (later deliveries are duplicates). Until then a later attempt (Lambda's retry, another version of the
   * stop) takes the kill over once the claim's lease has passed and gets `delivered`, so the alert is neither lost
   * (a timeout or crash after the decision) nor repeated on the channels that got it. `handBack` (default: when not
   * complete) lets the next attempt take the kill over at once; without it the call only records progress, one
   * channel as it goes out, so even a timeout in the middle of delivering repeats nothing. Throws on store errors.
   */
  delivered?(kill: KillIdentity, channels: string[], complete: boolean, handBack?: boolean): Promise<void>;
}

export class LedgerConfigError extends Error {
  override name = 'LedgerConfigError';
}

/** Too many lost races on one story in one call: the caller fails open. */
export class LedgerContentionError extends Error {
  override name = 'LedgerContentionError';
}

const THREAD_ID_MAX = 100;
const HASH_CHARS = 12;

/** The story's stable key: cluster + service/family + container + revision (`r?` when unknown). */
export function storyKeyOf(story: StoryIdentity): string {
  const revision = story.taskDefinitionRevision === null ? '?' : String(story.taskDefinitionRevision);
  return [story.clusterArn, story.serviceOrFamily, story.container, `r${revision}`].join('|');
}

/**
 * Amazon Q / chat thread id of a story: `oom-<cluster>-<service-or-family>-<container>-r<rev>-<hash>`, only
 * `[A-Za-z0-9._-]`, at most 100 characters. The readable part is shortened when needed; the hash (of the full
 * story key) keeps it unique. Renderers use this when the ledger is off so threads stay the same.
 */
export function storyThreadId(story: StoryIdentity): string {
  const hash = shortHash(storyKeyOf(story), HASH_CHARS);
  const clusterName = story.clusterArn.split('/').pop() || story.clusterArn;
  const revision = story.taskDefinitionRevision === null ? 'r-unknown' : `r${story.taskDefinitionRevision}`;
  const readable = ['oom', clusterName, story.serviceOrFamily, story.container, revision]
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-');
  const room = THREAD_ID_MAX - HASH_CHARS - 1;
  return `${readable.slice(0, room).replace(/-+$/, '')}-${hash}`;
}

/**
 * The kill identity of one container of a parsed task. Service tasks use the service name; standalone tasks
 * `family:NAME` (from the task definition, else the event's group).
 */
export function killIdentityFromTask(task: TaskSnapshot, container: string): KillIdentity {
  const serviceOrFamily =
    task.serviceName ?? (task.family !== null ? `family:${task.family}` : (task.group ?? 'unknown'));
  return {
    clusterArn: task.clusterArn,
    serviceOrFamily,
    container,
    taskDefinitionRevision: task.revision,
    taskArn: task.taskArn,
  };
}

/**
 * Kills per hour over the window so far: the (count - 1) intervals between the window's first kill and now,
 * rounded to 0.1. Null for a single kill or no elapsed time.
 */
export function killRatePerHour(count: number, firstSeenAt: number, now: number): number | null {
  const elapsedMs = now - firstSeenAt;
  if (count < 2 || elapsedMs <= 0) return null;
  return Math.round(((count - 1) * 3_600_000 * 10) / elapsedMs) / 10;
}

/** What the `seq`-th kill of a story window means. Pure: the adapter only finds `seq` and `windowStart`. */
export function decideForSequence(
  seq: number,
  windowStart: number,
  now: number,
  realertAt: readonly number[],
): Pick<LedgerDecision, 'alert' | 'reason' | 'count' | 'firstSeenAt' | 'ratePerHour'> {
  const reason: LedgerReason = seq <= 1 ? 'first' : realertAt.includes(seq) ? 'threshold' : 'suppressed';
  return {
    alert: reason !== 'suppressed',
    reason,
    count: seq,
    firstSeenAt: windowStart,
    ratePerHour: killRatePerHour(seq, windowStart, now),
  };
}

/** Always alerts: suppression switched off. */
export const disabledLedger: AlertLedger = {
  async record(kill, now) {
    return { ...unknownCount(kill, now), alert: true, reason: 'disabled' };
  },
  async release() {},
};

/** The decision when the ledger could not answer: alert anyway (a duplicate beats a lost OOM), with the reason. */
export function ledgerUnavailable(kill: KillIdentity, now: number, error: string): LedgerDecision {
  return { ...unknownCount(kill, now), alert: true, reason: 'ledger-unavailable', error };
}

function unknownCount(kill: KillIdentity, now: number): Omit<LedgerDecision, 'alert' | 'reason'> {
  return { count: 0, firstSeenAt: now, ratePerHour: null, storyKey: storyKeyOf(kill), threadId: storyThreadId(kill) };
}

function shortHash(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

export function validateLedgerOptions(options: LedgerOptions): void {
  if (!Number.isFinite(options.windowMinutes) || options.windowMinutes <= 0) {
    throw new LedgerConfigError(`windowMinutes must be a positive number, got ${options.windowMinutes}`);
  }
  for (const n of options.realertAt) {
    if (!Number.isInteger(n) || n < 1) throw new LedgerConfigError(`realertAt must hold positive integers, got ${n}`);
  }
  for (const key of ['deliveryLeaseMs', 'claimLeaseMs', 'dedupeHours'] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) throw new LedgerConfigError(`${key} must be positive, got ${value}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB adapter
// ---------------------------------------------------------------------------------------------------------------

const MAX_ROUNDS = 10;
/** Story items outlive their window by this much before TTL may delete them (inspection only). */
const STORY_TTL_GRACE_SECONDS = 3600;

type Item = Record<string, AttributeValue>;

interface Counted {
  seq: number;
  windowStart: number;
}

/** Owned: fresh, or taken over (`resumed`: a decided mark whose alert was not fully delivered). */
type Claim = { owned: true; resumed?: Item } | { owned: false; mark: Item | undefined };
/** The mark format with delivery tracking (`done`, `delivered`). */
const MARK_VERSION = 2;

const toSeconds = (ms: number): number => Math.floor(ms / 1000);
const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

function num(item: Item | undefined, name: string): number | null {
  const raw = item?.[name]?.N;
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

function isConditionFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ConditionalCheckFailedException')
  );
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message ? `${err.name}: ${err.message}` : err.name;
  return String(err);
}

export function killMarkKey(kill: Pick<KillIdentity, 'taskArn' | 'container'>): string {
  return `kill#${kill.taskArn}#${kill.container}`;
}

export function storyItemKey(story: StoryIdentity): string {
  return `story#${storyKeyOf(story)}`;
}

/** The DynamoDB-backed ledger. The client's retry and timeout settings are the caller's. */
export function createDynamoLedger(client: DynamoDBClient, tableName: string, options: LedgerOptions): AlertLedger {
  validateLedgerOptions(options);
  const windowMs = options.windowMinutes * 60_000;
  const leaseMs = options.claimLeaseMs ?? 30_000;
  const deliveryLeaseMs = options.deliveryLeaseMs ?? 55_000;
  const dedupeSeconds = Math.ceil((options.dedupeHours ?? 24) * 3600);
  const realertAt = [...options.realertAt];

  async function claim(markPk: string, owner: string, now: number): Promise<Claim> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: s(markPk),
              claimedBy: s(owner),
              claimedAt: n(now),
              expiresAt: n(toSeconds(now) + dedupeSeconds),
              v: n(MARK_VERSION),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
            ExpressionAttributeValues: { ':nowSeconds': n(toSeconds(now)) },
          }),
        );
        return { owned: true };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      const { Item: mark } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: s(markPk) }, ConsistentRead: true }),
      );
      const expiresAt = num(mark, 'expiresAt');
      if (!mark || (expiresAt !== null && expiresAt < toSeconds(now))) continue; // released or expired meanwhile
      const decided = mark.reason?.S !== undefined;
      // Final: delivered (or suppressed, or alerted while the ledger was late), or decided by a version that did not
      // track delivery.
      if (mark.done?.BOOL === true || (decided && num(mark, 'v') === null)) return { owned: false, mark };
      const claimedAt = num(mark, 'claimedAt') ?? 0;
      const previousOwner = mark.claimedBy?.S;
      // A decided kill stays with its owner for the whole invocation, unless the owner handed it back (failed channel).
      const handedBack = mark.handedBack?.BOOL === true;
      const lease = decided && !handedBack ? deliveryLeaseMs : leaseMs;
      if ((!handedBack && now - claimedAt < lease) || previousOwner === undefined) return { owned: false, mark };
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: s(markPk) },
            UpdateExpression: 'SET claimedBy = :owner, claimedAt = :now, expiresAt = :expiresAt, v = :v REMOVE handedBack',
            ConditionExpression: decided
              ? 'claimedBy = :previousOwner AND attribute_not_exists(done)'
              : 'claimedBy = :previousOwner AND attribute_not_exists(reason)',
            ExpressionAttributeValues: {
              ':owner': s(owner),
              ':now': n(now),
              ':expiresAt': n(toSeconds(now) + dedupeSeconds),
              ':previousOwner': s(previousOwner),
              ':v': n(MARK_VERSION),
            },
          }),
        );
        return decided ? { owned: true, resumed: mark } : { owned: true };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return { owned: false, mark }; // another invocation took the stale claim over, or it was decided
      }
    }
    throw new LedgerContentionError(`could not claim ${markPk} in ${MAX_ROUNDS} rounds`);
  }

  async function count(story: StoryIdentity, storyPk: string, killHash: string, now: number): Promise<Counted> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // (a) join the live window, counting this kill once
      try {
        const { Attributes } = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: s(storyPk) },
            UpdateExpression: 'ADD #count :one SET #kills.#kill = #count + :one',
            ConditionExpression: 'windowEndsAt > :now AND attribute_not_exists(#kills.#kill)',
            ExpressionAttributeNames: { '#count': 'count', '#kills': 'kills', '#kill': killHash },
            ExpressionAttributeValues: { ':one': n(1), ':now': n(now) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const seq = Number(Attributes?.kills?.M?.[killHash]?.N ?? Attributes?.count?.N);
        return { seq, windowStart: num(Attributes, 'windowStart') ?? now };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      // (b) no live window: open one; of racing openers exactly one succeeds
      const windowEndsAt = now + windowMs;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: s(storyPk),
              windowStart: n(now),
              windowEndsAt: n(windowEndsAt),
              count: n(1),
              kills: { M: { [killHash]: n(1) } },
              expiresAt: n(Math.ceil(windowEndsAt / 1000) + STORY_TTL_GRACE_SECONDS),
              clusterArn: s(story.clusterArn),
              serviceOrFamily: s(story.serviceOrFamily),
              container: s(story.container),
              threadId: s(storyThreadId(story)),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR windowEndsAt <= :now',
            ExpressionAttributeValues: { ':now': n(now) },
          }),
        );
        return { seq: 1, windowStart: now };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      // (c) the window is live: was this kill already counted in it by an owner that died before finalizing?
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: s(storyPk) }, ConsistentRead: true }),
      );
      const liveUntil = num(Item, 'windowEndsAt');
      const counted = Item?.kills?.M?.[killHash]?.N;
      if (liveUntil !== null && liveUntil > now && counted !== undefined) {
        return { seq: Number(counted), windowStart: num(Item, 'windowStart') ?? now };
      }
    }
    throw new LedgerContentionError(`could not count in ${storyPk} in ${MAX_ROUNDS} rounds`);
  }

  async function finalize(markPk: string, owner: string, decision: LedgerDecision): Promise<void> {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: s(markPk) },
          UpdateExpression: `SET reason = :reason, seq = :seq, windowStart = :windowStart${decision.alert ? '' : ', done = :true'}`,
          ConditionExpression: 'claimedBy = :owner',
          ExpressionAttributeValues: {
            ':reason': s(decision.reason),
            ':seq': n(decision.count),
            ':windowStart': n(decision.firstSeenAt),
            ':owner': s(owner),
            ...(decision.alert ? {} : { ':true': { BOOL: true } }),
          },
        }),
      );
    } catch {
      // The decision is known and returned. A taker of the stale claim re-derives the same sequence (step 2c).
    }
  }

  return {
    async record(kill, now) {
      const storyKey = storyKeyOf(kill);
      const threadId = storyThreadId(kill);
      const markPk = killMarkKey(kill);
      const owner = randomUUID();
      try {
        const claimed = await claim(markPk, owner, now);
        if (!claimed.owned) {
          return {
            alert: false,
            reason: 'duplicate',
            count: 0,
            firstSeenAt: num(claimed.mark, 'windowStart') ?? num(claimed.mark, 'claimedAt') ?? now,
            ratePerHour: null,
            storyKey,
            threadId,
          };
        }
        if (claimed.resumed) {
          // An earlier attempt decided to alert and did not finish delivering: the same decision, the rest of the channels.
          const seq = num(claimed.resumed, 'seq') ?? 1;
          const windowStart = num(claimed.resumed, 'windowStart') ?? now;
          const delivered = claimed.resumed.delivered?.SS ?? [];
          // The stored reason, not one re-derived with today's realertAt: an alert decided is an alert owed.
          const stored = claimed.resumed.reason?.S;
          const reason: LedgerReason = stored === 'threshold' ? 'threshold' : 'first';
          return { ...decideForSequence(seq, windowStart, now, realertAt), alert: true, reason, storyKey, threadId, delivered };
        }
        const { seq, windowStart } = await count(kill, storyItemKey(kill), shortHash(markPk, 16), now);
        const decision: LedgerDecision = { ...decideForSequence(seq, windowStart, now, realertAt), storyKey, threadId };
        await finalize(markPk, owner, decision);
        return decision;
      } catch (err) {
        return ledgerUnavailable(kill, now, describeError(err));
      }
    },

    async release(kill) {
      const markPk = killMarkKey(kill);
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: s(markPk) } }));
      // Uncount it too: a kill that turned out not to be an OOM must not make the story's next real OOM a "suppressed" one.
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: s(storyItemKey(kill)) },
            UpdateExpression: 'ADD #count :minusOne REMOVE #kills.#kill',
            ConditionExpression: 'attribute_exists(#kills.#kill)',
            ExpressionAttributeNames: { '#count': 'count', '#kills': 'kills', '#kill': shortHash(markPk, 16) },
            ExpressionAttributeValues: { ':minusOne': n(-1) },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },

    async delivered(kill, channels, complete, handBack = !complete) {
      // Complete: final. Handed back: the owner is finishing with a failure, the retry may take over at once.
      // Otherwise progress only (a channel that went out).
      const set = complete ? 'SET done = :true' : handBack ? 'SET handedBack = :true' : '';
      const sets = [channels.length > 0 ? 'ADD delivered :channels' : '', set].filter((x) => x !== '');
      if (sets.length === 0) return;
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: s(killMarkKey(kill)) },
          UpdateExpression: sets.join(' '),
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ...(channels.length > 0 ? { ':channels': { SS: [...new Set(channels)] } } : {}),
            ...(set !== '' ? { ':true': { BOOL: true } } : {}),
          },
        }),
      );
    },
  };
}
