/**
 * Posts a Block Kit payload to a Slack incoming webhook, with retries inside an absolute deadline. Adapter: the
 * fetch, clock and sleep are injected.
 *
 * - 2xx: done.
 * - 429: wait Retry-After seconds (capped to the budget), then retry.
 * - 5xx, network errors and timeouts (AbortController): exponential backoff with full jitter, then retry.
 * - other 4xx (bad payload, revoked webhook): fail at once, no retry.
 * The webhook URL is a secret: it never appears in a log line or an error message. Logs name the host and a
 * short hash of the path only.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from './errors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type DeliveryLog = (level: LogLevel, message: string, fields: Record<string, unknown>) => void;

export interface PostToSlackOptions {
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Absolute epoch-ms budget: no attempt starts, and no wait runs, past it. Default now + 20 s. */
  deadlineMs?: number;
  maxAttempts?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  log?: DeliveryLog;
  /** Backoff base and cap, ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** [0, 1) source for jitter; default Math.random. */
  random?: () => number;
}

export class SlackDeliveryError extends Error {
  override readonly name = 'SlackDeliveryError';
  constructor(
    message: string,
    readonly attempts: number,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** `hooks.slack.com/…#3f2a9c1b`: enough to tell webhooks apart in logs, useless to an attacker. */
export function redactWebhook(url: string): string {
  try {
    const u = new URL(url);
    const hash = createHash('sha256').update(u.pathname + u.search).digest('hex').slice(0, 8);
    return `${u.host}/…#${hash}`;
  } catch {
    return 'invalid-url';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Never let a URL leak through a thrown error's message (undici puts the URL in some). */
function scrub(text: string, url: string): string {
  let out = text.split(url).join('[webhook]');
  try {
    const u = new URL(url);
    out = out.split(u.pathname).join('[path]');
  } catch {
    // not a URL: nothing more to scrub
  }
  return out;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return null;
}

export async function postToSlack(webhookUrl: string, payload: unknown, options: PostToSlackOptions = {}): Promise<{ ok: true; attempts: number }> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = options.deadlineMs ?? now() + 20_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const timeoutMs = options.timeoutMs ?? 5000;
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 8000;
  const random = options.random ?? Math.random;
  const log: DeliveryLog = options.log ?? (() => undefined);
  const target = redactWebhook(webhookUrl);
  const body = JSON.stringify(payload);

  let lastStatus: number | null = null;
  let lastReason = 'no attempt made';
  let attempt = 0;
  while (attempt < maxAttempts) {
    const remaining = deadline - now();
    if (remaining <= 0) break;
    attempt += 1;
    const controller = new AbortController();
    const attemptTimeout = Math.min(timeoutMs, remaining);
    const timer = setTimeout(() => controller.abort(), attemptTimeout);
    const started = now();
    let waitMs: number;
    try {
      const res = await fetchFn(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: controller.signal,
      });
      const text = await res.text().catch(() => '');
      clearTimeout(timer);
      lastStatus = res.status;
      const fields = { target, attempt, status: res.status, ms: now() - started };
      if (res.ok) {
        log('info', 'slack delivery succeeded', fields);
        return { ok: true, attempts: attempt };
      }
      // Slack's error bodies are short codes such as `invalid_blocks` or `no_text`: safe and useful.
      const reason = scrub(text.slice(0, 200), webhookUrl);
      lastReason = `HTTP ${res.status}${reason ? ` ${reason}` : ''}`;
      if (res.status === 429) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        waitMs = retryAfter ?? backoff(attempt, baseDelay, maxDelay, random);
        log('warn', 'slack delivery rate limited', { ...fields, retryAfterMs: retryAfter, reason });
      } else if (res.status >= 500) {
        waitMs = backoff(attempt, baseDelay, maxDelay, random);
        log('warn', 'slack delivery failed, will retry', { ...fields, reason });
      } else {
        log('error', 'slack delivery rejected, not retrying', { ...fields, reason });
        throw new SlackDeliveryError(`Slack rejected the message to ${target}: ${lastReason}`, attempt, res.status, false);
      }
    } catch (error) {
      clearTimeout(timer);
      if (error instanceof SlackDeliveryError) throw error;
      const timedOut = controller.signal.aborted;
      lastStatus = null;
      lastReason = timedOut ? `timed out after ${attemptTimeout} ms` : scrub(errorMessage(error), webhookUrl);
      waitMs = backoff(attempt, baseDelay, maxDelay, random);
      log('warn', timedOut ? 'slack delivery timed out, will retry' : 'slack delivery network error, will retry', {
        target,
        attempt,
        ms: now() - started,
        reason: lastReason,
      });
    }
    if (attempt >= maxAttempts) break;
    const left = deadline - now();
    if (left <= 0) break;
    const wait = Math.min(waitMs, left);
    // A wait that eats the whole budget leaves no time to try again: give up now rather than sleep in vain.
    if (wait >= left) {
      log('warn', 'slack delivery: no budget left for another attempt', { target, attempt, waitMs, leftMs: left });
      break;
    }
    await sleep(wait);
  }
  log('error', 'slack delivery failed', { target, attempts: attempt, status: lastStatus, reason: lastReason });
  throw new SlackDeliveryError(`Slack delivery to ${target} failed after ${attempt} attempt(s): ${lastReason}`, attempt, lastStatus, true);
}

/** Equal jitter: uniform in [c/2, c] where c = min(cap, base * 2^(attempt-1)). */
export function backoff(attempt: number, base: number, cap: number, random: () => number): number {
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
