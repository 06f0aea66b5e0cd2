/**
 * Lambda entry for EventBridge "ECS Task State Change" events. Thin: it builds the clients, the logger and the
 * channels once per container, and hands the event to `respondToEvent` with its dependencies.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { createDynamoLedger, disabledLedger } from './alert-ledger';
import { clientOptions } from './aws-timeouts';
import { readEnvironment, webhookUrlFromSecret } from './config';
import { describeDeployedTaskDefinitionArn, describeTaskDefinition } from './ecs-reader';
import { ConfigurationError } from './errors';
import { logger } from './logger';
import { renderGraphForTriage } from './memory-graph-for-triage';
import { PAYLOAD_SCHEMA } from './render-email';
import { fetchMemoryMetrics } from './memory-metrics';
import { postToSlack } from './deliver-slack';
import { type Channels, type Outcome, respondToEvent } from './respond-to-kill';
import { cachedSecret } from './secret-cache';

const config = readEnvironment(process.env);
const region = process.env['AWS_REGION'];
const ecs = new ECSClient({ region, ...clientOptions('ecs') });
const cloudwatch = new CloudWatchClient({ region, ...clientOptions('cloudwatch') });
const sns = new SNSClient({ region, ...clientOptions('sns') });
// Fail open fast when the ledger's table is unreachable: a duplicate alert beats a late or lost one.
const dynamodb = new DynamoDBClient({ region, ...clientOptions('dynamodb') });
const s3 = config.graphBucketName ? new S3Client({ region, ...clientOptions('s3') }) : null;
const secretsManager = new SecretsManagerClient({ region, ...clientOptions('secretsManager') });

const ledger = config.ledgerTableName
  ? createDynamoLedger(dynamodb, config.ledgerTableName, { windowMinutes: config.windowMinutes, realertAt: config.realertAt })
  : disabledLedger;

const SECRET_MAX_AGE_SECONDS = 300;
const secret = cachedSecret(
  async (id) => {
    const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: id }));
    if (typeof SecretString !== 'string') throw new ConfigurationError('the Slack webhook secret has no SecretString (a binary secret?)');
    return SecretString;
  },
  SECRET_MAX_AGE_SECONDS * 1000,
  Date.now,
);

async function webhookUrl(): Promise<string> {
  const arn = config.slackWebhookSecretArn;
  if (!arn) throw new ConfigurationError('no Slack webhook secret configured');
  return webhookUrlFromSecret(await secret(arn));
}

function channelsFor(context: Context | undefined): Channels {
  const deadline = () => Date.now() + Math.max(1_000, (context?.getRemainingTimeInMillis?.() ?? 30_000) - 5_000);
  const channels: Channels = {
    email: async (message) => {
      // The attribute lets programmatic subscribers filter the alerts from the stack's alarms (same topic).
      await sns.send(new PublishCommand({ TopicArn: config.topicArn, ...message, MessageAttributes: { schema: { DataType: 'String', StringValue: PAYLOAD_SCHEMA } } }));
    },
  };
  if (config.slackWebhookSecretArn) {
    channels.prepare = async () => {
      await webhookUrl();
    };
    channels.slack = async (message) => {
      await postToSlack(await webhookUrl(), message, {
        deadlineMs: deadline(),
        log: (level, msg, fields) => logger[level](msg, fields),
      });
    };
  }
  if (config.chatbotTopicArn) {
    const topicArn = config.chatbotTopicArn;
    channels.chatbot = async (message) => {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
    };
  }
  if (s3 && config.graphBucketName) {
    const bucket = config.graphBucketName;
    channels.graph = (result, series) =>
      renderGraphForTriage({ cloudwatch, s3, bucket, result, series, lookbackHours: config.lookbackHours, now: Math.min(Date.now(), result.task.stoppedAt ?? Date.now()), log: (msg, fields) => logger.warn(msg, fields) });
  }
  return channels;
}

export async function handler(event: unknown, context?: Context): Promise<Outcome> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  return respondToEvent(event, {
    readers: {
      describeTaskDefinition: (arn) => describeTaskDefinition(ecs, arn),
      fetchMemoryMetrics: (query) => fetchMemoryMetrics(cloudwatch, query),
      deployedTaskDefinitionArn: (cluster, service) => describeDeployedTaskDefinitionArn(ecs, cluster, service),
    },
    ledger,
    channels: channelsFor(context),
    log: {
      debug: (m, f) => logger.debug(m, f ?? {}),
      info: (m, f) => logger.info(m, f ?? {}),
      warn: (m, f) => logger.warn(m, f ?? {}),
      error: (m, f) => logger.error(m, f ?? {}),
      appendKeys: (keys) => logger.appendKeys(keys),
    },
    config: { alertOnSigkill: config.alertOnSigkill, lookbackHours: config.lookbackHours, windowMinutes: config.windowMinutes },
    now: () => Date.now(),
  });
}
