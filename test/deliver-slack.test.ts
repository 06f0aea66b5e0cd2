import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackDeliveryError, backoff, postToSlack, redactWebhook, type DeliveryLog } from '../lambda/deliver-slack';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const SECRET = 'XsEcReTtOkEn0123456789';
let server: Server;
let url: string;
let handler: Handler;
let requests: Array<{ method: string | undefined; body: string; contentType: string | undefined }>;
let logs: Array<{ level: string; message: string; fields: Record<string, unknown> }>;
const log: DeliveryLog = (level, message, fields) => logs.push({ level, message, fields });
const noSleep = async () => undefined;

beforeEach(async () => {
  requests = [];
  logs = [];
  handler = (_req, res) => res.end('ok');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method, body, contentType: req.headers['content-type'] });
      handler(req, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}/services/T0000/B0000/${SECRET}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function assertNoSecret(...texts: string[]): void {
  const all = [...texts, JSON.stringify(logs)].join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(url);
  expect(all).not.toContain('/services/T0000');
}

async function failure(p: Promise<unknown>): Promise<SlackDeliveryError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackDeliveryError);
  return error as SlackDeliveryError;
}

const payload = { text: 'OOM kill: api / web', blocks: [{ type: 'divider' }] };

describe('postToSlack against a real local server', () => {
  it('success: one POST with the JSON payload', async () => {
    const r = await postToSlack(url, payload, { log, sleep: noSleep });
    expect(r).toEqual({ ok: true, attempts: 1 });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(requests[0]!.body)).toEqual(payload);
    expect(logs).toEqual([{ level: 'info', message: 'slack delivery succeeded', fields: expect.objectContaining({ attempt: 1, status: 200 }) as unknown }]);
    assertNoSecret();
  });

  it('429 with Retry-After: waits that long, then succeeds', async () => {
    handler = (_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '2' });
        res.end('rate_limited');
      } else res.end('ok');
    };
    const waits: number[] = [];
    const r = await postToSlack(url, payload, { log, sleep: async (ms) => void waits.push(ms), deadlineMs: Date.now() + 10_000 });
    expect(r.attempts).toBe(2);
    expect(waits).toEqual([2000]);
    expect(logs.map((l) => l.message)).toEqual(['slack delivery rate limited', 'slack delivery succeeded']);
    expect(logs[0]!.fields).toMatchObject({ status: 429, retryAfterMs: 2000, reason: 'rate_limited' });
    assertNoSecret();
  });

  it('429 whose Retry-After exceeds the budget: gives up at once instead of sleeping past the deadline', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'retry-after': '30' });
      res.end('rate_limited');
    };
    const waits: number[] = [];
    const e = await failure(postToSlack(url, payload, { log, sleep: async (ms) => void waits.push(ms), deadlineMs: Date.now() + 3000 }));
    expect(waits).toEqual([]);
    expect(e.attempts).toBe(1);
    expect(e.status).toBe(429);
    expect(e.retryable).toBe(true);
    assertNoSecret(e.message, String(e.stack));
  });

  it('500 then 200: retries with backoff', async () => {
    handler = (_req, res, n) => {
      res.statusCode = n === 1 ? 500 : 200;
      res.end(n === 1 ? 'internal_error' : 'ok');
    };
    const waits: number[] = [];
    const r = await postToSlack(url, payload, { log, sleep: async (ms) => void waits.push(ms), random: () => 0.5, baseDelayMs: 400 });
    expect(r.attempts).toBe(2);
    expect(waits).toEqual([300]);
    assertNoSecret();
  });

  it('500 forever: SlackDeliveryError after maxAttempts, within the budget, with real sleeps', async () => {
    handler = (_req, res) => {
      res.statusCode = 503;
      res.end('service_unavailable');
    };
    const started = Date.now();
    const deadline = started + 4000;
    const e = await failure(postToSlack(url, payload, { log, deadlineMs: deadline, baseDelayMs: 50, maxDelayMs: 200 }));
    expect(Date.now()).toBeLessThanOrEqual(deadline);
    expect(e.attempts).toBe(4);
    expect(requests).toHaveLength(4);
    expect(e.message).toBe(`Slack delivery to ${redactWebhook(url)} failed after 4 attempt(s): HTTP 503 service_unavailable`);
    expect(logs.at(-1)).toMatchObject({ level: 'error', message: 'slack delivery failed' });
    assertNoSecret(e.message, String(e.stack));
  });

  it('500 forever with a short budget: stops at the deadline, not at maxAttempts', async () => {
    handler = (_req, res) => {
      res.statusCode = 500;
      res.end();
    };
    const started = Date.now();
    const e = await failure(postToSlack(url, payload, { log, deadlineMs: started + 700, maxAttempts: 100, baseDelayMs: 200, maxDelayMs: 200 }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(900);
    expect(e.attempts).toBeGreaterThanOrEqual(2);
    expect(e.attempts).toBeLessThan(100);
    assertNoSecret(e.message);
  });

  it('a hanging request times out (AbortController) and is retried', async () => {
    handler = (_req, res, n) => {
      if (n === 1) return; // never answer
      res.end('ok');
    };
    const started = Date.now();
    const r = await postToSlack(url, payload, { log, sleep: noSleep, timeoutMs: 300, deadlineMs: started + 5000 });
    expect(r.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(logs[0]).toMatchObject({ level: 'warn', message: 'slack delivery timed out, will retry', fields: { reason: 'timed out after 300 ms' } });
    assertNoSecret();
  });

  it('400: fails at once, no retry', async () => {
    handler = (_req, res) => {
      res.statusCode = 400;
      res.end('invalid_blocks');
    };
    const e = await failure(postToSlack(url, payload, { log, sleep: noSleep }));
    expect(requests).toHaveLength(1);
    expect(e.attempts).toBe(1);
    expect(e.status).toBe(400);
    expect(e.retryable).toBe(false);
    expect(e.name).toBe('SlackDeliveryError');
    expect(e.message).toContain('HTTP 400 invalid_blocks');
    assertNoSecret(e.message, String(e.stack));
  });

  it('connection refused: retried, then a scrubbed error', async () => {
    const closedUrl = url;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const e = await failure(postToSlack(closedUrl, payload, { log, sleep: noSleep, maxAttempts: 2 }));
    expect(e.attempts).toBe(2);
    expect(e.status).toBeNull();
    assertNoSecret(e.message, String(e.stack));
    // reopen so afterEach can close
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});

describe('helpers', () => {
  it('redactWebhook keeps the host and an 8-hex hash only', () => {
    const r = redactWebhook('https://hooks.slack.com/services/T1/B2/abcdef');
    expect(r).toMatch(/^hooks\.slack\.com\/…#[0-9a-f]{8}$/);
    expect(r).not.toContain('abcdef');
    expect(redactWebhook('https://hooks.slack.com/services/T1/B2/other')).not.toBe(r);
    expect(redactWebhook('not a url')).toBe('invalid-url');
  });
  it('backoff grows exponentially with jitter, capped', () => {
    expect(backoff(1, 500, 8000, () => 0)).toBe(250);
    expect(backoff(1, 500, 8000, () => 0.999)).toBe(500);
    expect(backoff(3, 500, 8000, () => 0)).toBe(1000);
    expect(backoff(10, 500, 8000, () => 0.999)).toBe(7996);
  });
});
