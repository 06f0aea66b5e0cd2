import { describe, expect, it } from 'vitest';
import { readEnvironment, webhookUrlFromSecret } from '../lambda/config';
import { ConfigurationError } from '../lambda/errors';

describe('readEnvironment', () => {
  it('applies the defaults', () => {
    expect(readEnvironment({ TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:t' })).toEqual({
      topicArn: 'arn:aws:sns:eu-west-1:1:t',
      slackWebhookSecretArn: null,
      chatbotTopicArn: null,
      alertOnSigkill: false,
      lookbackHours: 24,
      ledgerTableName: null,
      windowMinutes: 30,
      realertAt: [5, 25, 100],
      graphBucketName: null,
    });
  });

  it('reads an empty REALERT_AT as no re-alerts (the construct writes [] that way), and an unset one as the default', () => {
    expect(readEnvironment({ TOPIC_ARN: 't', REALERT_AT: '' }).realertAt).toEqual([]);
    expect(readEnvironment({ TOPIC_ARN: 't', REALERT_AT: '  ' }).realertAt).toEqual([]);
    expect(readEnvironment({ TOPIC_ARN: 't' }).realertAt).toEqual([5, 25, 100]);
  });

  it('reads every variable the construct sets', () => {
    const env = readEnvironment({
      TOPIC_ARN: 't',
      SLACK_WEBHOOK_SECRET_ARN: 's',
      CHATBOT_TOPIC_ARN: 'c',
      ALERT_ON_SIGKILL: 'true',
      LOOKBACK_HOURS: '48',
      LEDGER_TABLE_NAME: 'ledger',
      SUPPRESSION_WINDOW_MINUTES: '15',
      REALERT_AT: '10, 3,10',
      GRAPH_BUCKET_NAME: 'b',
    });
    expect(env).toMatchObject({ alertOnSigkill: true, lookbackHours: 48, windowMinutes: 15, realertAt: [3, 10], ledgerTableName: 'ledger' });
  });

  it.each([
    [{}, /TOPIC_ARN is required/],
    [{ TOPIC_ARN: 't', ALERT_ON_SIGKILL: 'maybe' }, /ALERT_ON_SIGKILL must be true or false/],
    [{ TOPIC_ARN: 't', LOOKBACK_HOURS: '0' }, /LOOKBACK_HOURS must be a whole number from 1 to 336/],
    [{ TOPIC_ARN: 't', LOOKBACK_HOURS: '0.01' }, /LOOKBACK_HOURS must be a whole number/],
    [{ TOPIC_ARN: 't', LOOKBACK_HOURS: '0x18' }, /LOOKBACK_HOURS must be a whole number/],
    [{ TOPIC_ARN: 't', SUPPRESSION_WINDOW_MINUTES: '1e3' }, /SUPPRESSION_WINDOW_MINUTES must be a whole number/],
    [{ TOPIC_ARN: 't', REALERT_AT: '1,x' }, /REALERT_AT must be whole numbers/],
  ])('rejects %j', (env, message) => {
    expect(() => readEnvironment(env)).toThrow(ConfigurationError);
    expect(() => readEnvironment(env)).toThrow(message);
  });
});

describe('webhookUrlFromSecret', () => {
  const url = 'https://hooks.slack.com/services/T000/B000/XXXX';
  it.each([
    [url, url],
    [`  ${url}\n`, url],
    [JSON.stringify({ url }), url],
    [JSON.stringify({ webhookUrl: url }), url],
    ['http://127.0.0.1:8080/hook', 'http://127.0.0.1:8080/hook'],
  ])('reads %j', (value, expected) => {
    expect(webhookUrlFromSecret(value)).toBe(expected);
  });

  it.each([['http://hooks.slack.com/x'], ['{not json'], [JSON.stringify({ other: url })], [undefined], ['']])('rejects %j without echoing it', (value) => {
    expect(() => webhookUrlFromSecret(value)).toThrow(ConfigurationError);
    let message = '';
    try {
      webhookUrlFromSecret(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/does not hold an https/);
    expect(message).not.toContain('hooks.slack.com/x');
  });
});
