/**
 * The function's runtime configuration, from the environment the construct sets. Validated once at cold start;
 * a bad value is a `ConfigurationError` naming the variable. Pure: takes the environment as an argument.
 */
import { ConfigurationError } from './errors';

export interface ResponderEnvironment {
  topicArn: string;
  slackWebhookSecretArn: string | null;
  chatbotTopicArn: string | null;
  alertOnSigkill: boolean;
  lookbackHours: number;
  ledgerTableName: string | null;
  windowMinutes: number;
  realertAt: number[];
  graphBucketName: string | null;
}

function optional(env: Record<string, string | undefined>, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function bool(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const value = optional(env, name);
  if (value === null) return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigurationError(`${name} must be true or false, not "${value}"`);
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number, max: number): number {
  const value = optional(env, name);
  if (value === null) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigurationError(`${name} must be a whole number from 1 to ${max}, not "${value}"`);
  return n;
}

export function readEnvironment(env: Record<string, string | undefined>): ResponderEnvironment {
  const topicArn = optional(env, 'TOPIC_ARN');
  if (!topicArn) throw new ConfigurationError('TOPIC_ARN is required');
  // Unset: the default. Set but empty: no re-alerts (the construct writes [] as "").
  const realertRaw = env['REALERT_AT'] === undefined ? '5,25,100' : env['REALERT_AT'].trim();
  const realertAt = realertRaw === '' ? [] : realertRaw.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN));
  if (realertAt.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new ConfigurationError(`REALERT_AT must be whole numbers of 2 or more, comma-separated, not "${realertRaw}"`);
  }
  return {
    topicArn,
    slackWebhookSecretArn: optional(env, 'SLACK_WEBHOOK_SECRET_ARN'),
    chatbotTopicArn: optional(env, 'CHATBOT_TOPIC_ARN'),
    alertOnSigkill: bool(env, 'ALERT_ON_SIGKILL', false),
    lookbackHours: positive(env, 'LOOKBACK_HOURS', 24, 24 * 14),
    ledgerTableName: optional(env, 'LEDGER_TABLE_NAME'),
    windowMinutes: positive(env, 'SUPPRESSION_WINDOW_MINUTES', 30, 24 * 60),
    realertAt: [...new Set(realertAt)].sort((a, b) => a - b),
    graphBucketName: optional(env, 'GRAPH_BUCKET_NAME'),
  };
}

/**
 * The webhook URL from the secret's value: the bare URL, or JSON with a `url` (or `webhookUrl`) key. https only;
 * plain http is accepted for a loopback host (a local test server), never across a network. The error never
 * contains the value.
 */
export function webhookUrlFromSecret(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  let candidate: unknown = text;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      candidate = parsed['url'] ?? parsed['webhookUrl'] ?? parsed['webhook_url'];
    } catch {
      candidate = null;
    }
  }
  if (typeof candidate === 'string' && /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)[:/])/.test(candidate)) return candidate;
  throw new ConfigurationError('the Slack webhook secret does not hold an https:// URL (or JSON with a "url" key)');
}
