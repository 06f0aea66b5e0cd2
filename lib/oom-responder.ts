/**
 * The OomResponder construct: an EventBridge rule for ECS containers killed for memory, the Lambda that triages
 * them, the alert topics, the dead-letter queue, the alarms on both, and the optional suppression ledger and graph
 * bucket. Every grant sits next to the env var that names the granted resource.
 */
import { Annotations, Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  LAMBDA_ARCHITECTURE,
  LAMBDA_ENTRY,
  LAMBDA_HANDLER,
  LAMBDA_RUNTIME,
  lambdaBundlingOptions,
} from './lambda-bundling';

/** A configuration value (construct prop or cdk.json / `-c` context) that cannot be deployed. */
export class InvalidConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidConfigError';
  }
}

/** Log retentions CloudWatch Logs accepts, in days (the numeric members of RetentionDays). */
export const VALID_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays)
  .filter((v): v is number => typeof v === 'number')
  .sort((a, b) => a - b);

export const DEFAULTS = {
  logRetentionDays: 30,
  alertOnSigkill: false,
  lookbackHours: 24,
  amazonQ: false,
  suppression: true,
  suppressionWindowMinutes: 30,
  realertAt: [5, 25, 100] as readonly number[],
} as const;

/** Limits checked at synth so a typo fails before deploy. */
export const LIMITS = {
  /** Hours of metric history the Lambda reads: at most 14 days (lambda/config.ts rejects more at cold start). */
  lookbackHours: { min: 1, max: 336 },
  /** One day at most (lambda/config.ts rejects more at cold start). */
  suppressionWindowMinutes: { min: 1, max: 1440 },
} as const;

export interface OomResponderProps {
  /**
   * Email addresses subscribed to the alert topic. Each must confirm the subscription email once.
   * @default - no email subscriptions
   */
  readonly alertEmails?: string[];
  /**
   * Name, or full ARN (never the URL), of a Secrets Manager secret in this stack's account and region whose value is
   * the Slack incoming-webhook URL. The function gets `secretsmanager:GetSecretValue` on it and
   * `SLACK_WEBHOOK_SECRET_ARN`: for a name, the secret's partial ARN (without the random 6-character suffix), which
   * GetSecretValue accepts as a SecretId; for a full ARN, that ARN. A name that itself ends in a hyphen and six
   * characters must be given as its full ARN.
   * @default - no Slack delivery
   */
  readonly slackWebhookSecretName?: string;
  /**
   * Only react to tasks in these clusters (full cluster ARNs). Also narrows `ecs:DescribeServices` to their
   * services.
   * @default - every cluster in the account and region
   */
  readonly clusterArns?: string[];
  /**
   * Days to keep the function's logs. Must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Alert on SIGKILLs (exit 137 without an OOM reason) too. They match the rule either way; the Lambda
   * classifies them and, when false, logs them without alerting.
   * @default false
   */
  readonly alertOnSigkill?: boolean;
  /**
   * Hours of memory metrics the Lambda reads before the kill.
   * @default 24
   */
  readonly lookbackHours?: number;
  /**
   * Create a second SNS topic, "ChatbotTopic", that receives Amazon Q Developer (AWS Chatbot) custom
   * notifications. Subscribe an Amazon Q channel configuration to it. Mutually exclusive with `amazonQTopicArn`.
   * @default false
   */
  readonly amazonQ?: boolean;
  /**
   * An existing SNS topic (already subscribed by an Amazon Q channel configuration) to publish the Amazon Q
   * custom notifications to. Mutually exclusive with `amazonQ`.
   * @default - no existing topic
   */
  readonly amazonQTopicArn?: string;
  /**
   * Customer-managed KMS keys (key ARNs) that encrypt the webhook secret or the existing Amazon Q topic. The function
   * may use them only through Secrets Manager (`kms:Decrypt`) and SNS (`kms:GenerateDataKey*`, `kms:Decrypt`), in
   * this region; each key's policy must also allow the account's IAM policies (the default key policy does).
   * @default - none: the secret and the topics use AWS-managed keys
   */
  readonly kmsKeyArns?: string[];
  /**
   * Render CloudWatch GetMetricWidgetImage PNG graphs into a private S3 bucket (objects expire after 30 days) and
   * link them through presigned URLs. Only Slack shows them.
   * @default - true when `slackWebhookSecretName` is set
   */
  readonly memoryGraphs?: boolean;
  /**
   * Keep a DynamoDB ledger that de-duplicates repeated events and suppresses crash-loop floods.
   * @default true
   */
  readonly suppression?: boolean;
  /**
   * Minutes during which repeated kills of the same container are counted instead of alerted.
   * @default 30
   */
  readonly suppressionWindowMinutes?: number;
  /**
   * Counts within the suppression window at which the Lambda re-alerts (strictly increasing positive integers).
   * @default [5, 25, 100]
   */
  readonly realertAt?: number[];
  /**
   * Extra environment variables for the function, merged over the defaults (e.g. `POWERTOOLS_LOG_LEVEL: 'DEBUG'`).
   * Variables naming the construct's own resources (TOPIC_ARN, LEDGER_TABLE_NAME, ...) always win.
   * Never put a secret here.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * The function's entry file.
   * @default lambda/handler.ts
   */
  readonly entry?: string;
}

/** The props after defaults, as the construct uses them. */
export interface ResolvedOomResponderProps {
  readonly alertEmails: string[];
  readonly slackWebhookSecretName?: string;
  readonly clusterArns?: string[];
  readonly logRetentionDays: number;
  readonly alertOnSigkill: boolean;
  readonly lookbackHours: number;
  readonly amazonQ: boolean;
  readonly amazonQTopicArn?: string;
  readonly kmsKeyArns: string[];
  readonly memoryGraphs: boolean;
  readonly suppression: boolean;
  readonly suppressionWindowMinutes: number;
  readonly realertAt: number[];
  readonly environment: Record<string, string>;
  readonly entry: string;
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:(\d{12}):cluster\/[A-Za-z0-9_-]{1,255}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** Secrets Manager treats `name-XXXXXX` as a full ARN suffix, so a partial ARN would not resolve. */
const SECRET_NAME_LOOKS_SUFFIXED = /-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** A complete secret ARN, random suffix included. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n);
}

/** Applies defaults and checks every prop. Throws InvalidConfigError naming the prop. */
export function resolveOomResponderProps(props: OomResponderProps = {}): ResolvedOomResponderProps {
  // One subscription per address: the same address twice (in any case) is one subscriber, not a CDK id clash.
  const alertEmails = [...new Map((props.alertEmails ?? []).map((e) => [e.trim().toLowerCase(), e.trim()])).values()];
  for (const email of alertEmails) {
    if (!EMAIL.test(email)) throw new InvalidConfigError(`alertEmails: "${email}" is not an email address`);
  }

  const secretName = props.slackWebhookSecretName;
  if (secretName !== undefined) {
    if (secretName.startsWith('arn:') && !SECRET_ARN.test(secretName)) {
      throw new InvalidConfigError(
        `slackWebhookSecretName: "${secretName}" is not a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>); give the ARN the console shows, or the secret's name`,
      );
    }
    if (/^https?:\/\//i.test(secretName)) {
      throw new InvalidConfigError(
        'slackWebhookSecretName: this looks like the webhook URL itself. Store the URL in Secrets Manager and give the secret name: the URL must never be in the template',
      );
    }
    if (!secretName.startsWith('arn:') && !SECRET_NAME.test(secretName)) {
      throw new InvalidConfigError(`slackWebhookSecretName: "${secretName}" is not a valid Secrets Manager name`);
    }
    if (!secretName.startsWith('arn:') && SECRET_NAME_LOOKS_SUFFIXED.test(secretName)) {
      throw new InvalidConfigError(
        `slackWebhookSecretName: "${secretName}" ends with a hyphen and six characters, which Secrets Manager reads as the random ARN suffix; give the secret's full ARN instead`,
      );
    }
  }

  if (props.clusterArns !== undefined) {
    if (props.clusterArns.length === 0) {
      throw new InvalidConfigError('clusterArns: give at least one cluster ARN, or leave it unset for all clusters');
    }
    for (const arn of props.clusterArns) {
      if (!CLUSTER_ARN.test(arn)) {
        throw new InvalidConfigError(
          `clusterArns: "${arn}" is not an ECS cluster ARN (arn:<partition>:ecs:<region>:<account>:cluster/<name>)`,
        );
      }
    }
  }

  const logRetentionDays = props.logRetentionDays ?? DEFAULTS.logRetentionDays;
  if (!VALID_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new InvalidConfigError(
      `logRetentionDays: ${logRetentionDays} is not a CloudWatch Logs retention; use one of ${VALID_RETENTION_DAYS.join(', ')}`,
    );
  }

  const lookbackHours = props.lookbackHours ?? DEFAULTS.lookbackHours;
  if (!isInt(lookbackHours) || lookbackHours < LIMITS.lookbackHours.min || lookbackHours > LIMITS.lookbackHours.max) {
    throw new InvalidConfigError(
      `lookbackHours: ${lookbackHours} must be an integer from ${LIMITS.lookbackHours.min} to ${LIMITS.lookbackHours.max}`,
    );
  }

  const amazonQ = props.amazonQ ?? DEFAULTS.amazonQ;
  if (amazonQ && props.amazonQTopicArn !== undefined) {
    throw new InvalidConfigError(
      'amazonQ and amazonQTopicArn are mutually exclusive: either create the ChatbotTopic or publish to an existing one',
    );
  }
  if (props.amazonQTopicArn !== undefined && !SNS_TOPIC_ARN.test(props.amazonQTopicArn)) {
    throw new InvalidConfigError(`amazonQTopicArn: "${props.amazonQTopicArn}" is not a standard SNS topic ARN`);
  }
  const kmsKeyArns = [...new Set(props.kmsKeyArns ?? [])];
  for (const arn of kmsKeyArns) {
    // IAM authorises KMS use by key ARN: an alias ARN in a policy would not grant Decrypt on the key behind it.
    if (!KMS_KEY_ARN.test(arn)) throw new InvalidConfigError(`kmsKeyArns: "${arn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)`);
  }

  const suppressionWindowMinutes = props.suppressionWindowMinutes ?? DEFAULTS.suppressionWindowMinutes;
  const { min: wMin, max: wMax } = LIMITS.suppressionWindowMinutes;
  if (!isInt(suppressionWindowMinutes) || suppressionWindowMinutes < wMin || suppressionWindowMinutes > wMax) {
    throw new InvalidConfigError(`suppressionWindowMinutes: ${suppressionWindowMinutes} must be an integer from ${wMin} to ${wMax}`);
  }

  const realertAt = [...(props.realertAt ?? DEFAULTS.realertAt)];
  realertAt.forEach((n, i) => {
    const prev = i > 0 ? realertAt[i - 1] : undefined;
    if (!isInt(n) || n < 2 || (prev !== undefined && n <= prev)) {
      throw new InvalidConfigError(
        `realertAt: [${realertAt.join(', ')}] must be strictly increasing integers of at least 2 (the first kill always alerts)`,
      );
    }
  });

  const environment = props.environment ?? {};
  for (const [key, value] of Object.entries(environment)) {
    if (/^https:\/\/hooks\.slack\.com\//i.test(value)) {
      throw new InvalidConfigError(`environment.${key}: a Slack webhook URL must not be an env var; use slackWebhookSecretName`);
    }
  }

  return {
    alertEmails,
    ...(secretName !== undefined ? { slackWebhookSecretName: secretName } : {}),
    ...(props.clusterArns !== undefined ? { clusterArns: [...new Set(props.clusterArns)] } : {}),
    logRetentionDays,
    alertOnSigkill: props.alertOnSigkill ?? DEFAULTS.alertOnSigkill,
    lookbackHours,
    amazonQ,
    ...(props.amazonQTopicArn !== undefined ? { amazonQTopicArn: props.amazonQTopicArn } : {}),
    kmsKeyArns,
    // Only the Slack message shows the graph: without Slack, no bucket and no permissions nothing uses.
    memoryGraphs: props.memoryGraphs ?? secretName !== undefined,
    suppression: props.suppression ?? DEFAULTS.suppression,
    suppressionWindowMinutes,
    realertAt,
    environment,
    entry: props.entry ?? LAMBDA_ENTRY,
  };
}

/**
 * The `detail` part of the rule. A task state change matches when ANY container was OOM-killed or SIGKILLed, or
 * failed to start for memory, whatever the task's lastStatus (a sidecar can die while the task keeps RUNNING):
 * - a container `exitCode` of the NUMBER 137 (128 + SIGKILL; the string "137" never matches);
 * - a container `reason` starting with "OutOfMemoryError", any case;
 * - a container `reason` containing "OOM-killed" (`CannotStartContainerError: ... container init was OOM-killed
 *   (memory limit too low?): unknown`, which has no exit code);
 * - a task `stoppedReason` starting with "OutOfMemoryError" or containing "OOM-killed" (a task that failed to start
 *   carries the container's error there, and no container may report it), or starting with "Task stopped due to
 *   OOM" (an alias seen outside AWS; harmless).
 * Clean exits (0), SIGTERM exits (143) and reason-less stops never match.
 */
export function oomDetailPattern(clusterArns?: readonly string[]): Record<string, unknown> {
  return {
    ...(clusterArns ? { clusterArn: [...clusterArns] } : {}),
    $or: [
      { containers: { exitCode: [137] } },
      {
        containers: {
          reason: [{ prefix: { 'equals-ignore-case': 'OutOfMemoryError' } }, { wildcard: '*OOM-killed*' }],
        },
      },
      {
        stoppedReason: [
          { prefix: { 'equals-ignore-case': 'OutOfMemoryError' } },
          { wildcard: '*OOM-killed*' },
          { prefix: 'Task stopped due to OOM' },
        ],
      },
    ],
  };
}

/** `arn:<partition>:ecs:<region>:<account>:service/<cluster>/*` for a cluster ARN. */
function servicesOfCluster(clusterArn: string): string {
  return `${clusterArn.replace(':cluster/', ':service/')}/*`;
}

export class OomResponder extends Construct {
  public readonly eventsRule: events.Rule;
  public readonly lambdaFunction: NodejsFunction;
  public readonly role: iam.Role;
  /** Email (and any other human) alerts, and the two alarms. */
  public readonly topic: sns.Topic;
  /** Events the function failed on after its retries (async on-failure destination and rule target DLQ). */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;
  public readonly ledgerTable?: dynamodb.Table;
  public readonly graphBucket?: s3.Bucket;
  /** The created Amazon Q topic (`amazonQ: true`) or the imported one (`amazonQTopicArn`). */
  public readonly chatbotTopic?: sns.ITopic;
  public readonly errorsAlarm: cloudwatch.Alarm;
  public readonly dlqAlarm: cloudwatch.Alarm;
  public readonly throttlesAlarm: cloudwatch.Alarm;
  /** The configuration after defaults. */
  public readonly config: ResolvedOomResponderProps;

  constructor(scope: Construct, id: string, props: OomResponderProps = {}) {
    super(scope, id);
    const config = resolveOomResponderProps(props);
    // The rule sees the default bus of this account and region only: a cluster elsewhere would never alert.
    const stack = Stack.of(this);
    for (const arn of config.clusterArns ?? []) {
      const [, , , region, account] = arn.split(':');
      const otherRegion = !Token.isUnresolved(stack.region) && region !== stack.region;
      const otherAccount = !Token.isUnresolved(stack.account) && account !== stack.account;
      if (otherRegion || otherAccount) {
        Annotations.of(this).addWarningV2(
          'oom-responder:cluster-elsewhere',
          `clusterArns: ${arn} is in ${otherRegion ? `region ${region}` : ''}${otherRegion && otherAccount ? ' and ' : ''}${otherAccount ? `account ${account}` : ''}, ` +
            `not this stack's (${stack.region}/${stack.account}): its events never reach this stack's rule, and this function could not read its task definitions or metrics. Deploy a stack in that account and region.`,
        );
      }
    }
    this.config = config;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'oom-responder function: triage ECS OOM kills and alert',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue IS the dead-letter queue: the on-failure destination of the function and the DLQ of the rule target. A DLQ of a DLQ would only move the same messages; the DlqAlarm pages on the first message instead.',
    });

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'ECS OOM alerts',
      enforceSSL: true,
    });
    for (const email of config.alertEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.lambdaFunction = new NodejsFunction(this, 'Function', {
      entry: config.entry,
      handler: LAMBDA_HANDLER,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      timeout: Duration.seconds(60),
      memorySize: 512,
      role: this.role,
      logGroup: this.logGroup,
      description: 'Triage ECS containers killed for memory and alert Slack, email and Amazon Q',
      bundling: lambdaBundlingOptions,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'oom-responder',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...config.environment,
        ALERT_ON_SIGKILL: String(config.alertOnSigkill),
        LOOKBACK_HOURS: String(config.lookbackHours),
      },
    });

    this.lambdaFunction.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    this.grantPublish(this.topic, 'TOPIC_ARN');
    this.grantEcsReads(config.clusterArns);
    this.grantMetricReads(config.memoryGraphs);

    if (config.slackWebhookSecretName !== undefined) this.bindSlackWebhookSecret(config.slackWebhookSecretName);

    if (config.amazonQ) {
      const chatbotTopic = new sns.Topic(this, 'ChatbotTopic', {
        displayName: 'ECS OOM alerts for Amazon Q Developer',
        enforceSSL: true,
      });
      this.chatbotTopic = chatbotTopic;
      this.grantPublish(chatbotTopic, 'CHATBOT_TOPIC_ARN');
    } else if (config.amazonQTopicArn !== undefined) {
      const imported = sns.Topic.fromTopicArn(this, 'ImportedChatbotTopic', config.amazonQTopicArn);
      this.chatbotTopic = imported;
      this.grantPublish(imported, 'CHATBOT_TOPIC_ARN');
    }

    if (config.kmsKeyArns.length > 0) this.grantKmsUse(config.kmsKeyArns);

    if (config.suppression) {
      this.ledgerTable = this.bindLedgerTable(config.suppressionWindowMinutes, config.realertAt);
    }
    if (config.memoryGraphs) {
      this.graphBucket = this.bindGraphBucket();
    }

    this.eventsRule = new events.Rule(this, 'Rule', {
      description: 'ECS task state changes where a container was OOM-killed, SIGKILLed (exit 137) or OOM-killed at start',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: oomDetailPattern(config.clusterArns),
      },
      targets: [
        new targets.LambdaFunction(this.lambdaFunction, {
          deadLetterQueue: this.deadLetterQueue,
          maxEventAge: Duration.hours(2),
          retryAttempts: 8,
        }),
      ],
    });

    // Each alarm fires on one occurrence in 5 minutes: every one of them is an alert delayed or lost.
    const onAny = (id: string, alarmDescription: string, metric: cloudwatch.IMetric): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const sum5 = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.errorsAlarm = onAny(
      'ErrorsAlarm',
      'oom-responder function errors: an OOM alert may have been delayed or lost (check its logs)',
      this.lambdaFunction.metricErrors(sum5),
    );
    // Every message newly sent to the queue is a lost alert: alarm on each one (a count of visible messages would
    // stay in ALARM until the queue is drained, and a second loss would notify no one).
    this.dlqAlarm = onAny(
      'DlqAlarm',
      'oom-responder dead-letter queue received messages: OOM events were NOT alerted (replay them: see the README)',
      this.deadLetterQueue.metricNumberOfMessagesSent(sum5),
    );
    // Throttled events are retried for up to an hour, then go to the queue: say so before they do.
    this.throttlesAlarm = onAny(
      'ThrottlesAlarm',
      'oom-responder function throttled: OOM alerts are delayed, and lost after an hour (raise the account concurrency or reserve some)',
      this.lambdaFunction.metricThrottles(sum5),
    );
    const alarms = [this.errorsAlarm, this.dlqAlarm, this.throttlesAlarm];
    // The alarms go to the email topic, and to the Amazon Q topic this stack creates (Amazon Q shows CloudWatch
    // alarms natively). Each enforceSSL topic policy replaces SNS's default one: let exactly these alarms publish.
    const alarmTopics: sns.Topic[] = [this.topic, ...(this.chatbotTopic instanceof sns.Topic ? [this.chatbotTopic] : [])];
    for (const topic of alarmTopics) {
      const action = new SnsAction(topic);
      for (const alarm of alarms) alarm.addAlarmAction(action);
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowOwnAlarmsToPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            ArnEquals: { 'aws:SourceArn': alarms.map((a) => a.alarmArn) },
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          },
        }),
      );
    }
    // Nobody hears about lost alerts unless someone is subscribed where the alarms go.
    if (config.alertEmails.length === 0 && !config.amazonQ) {
      const channels = config.slackWebhookSecretName !== undefined || config.amazonQTopicArn !== undefined;
      Annotations.of(this).addWarningV2(
        'oom-responder:no-alarm-subscriber',
        channels
          ? 'No alertEmails: the failure alarms (function errors, throttles, dead-letter queue) go only to the email topic, which has no subscriber, ' +
              'so nobody hears about a lost alert. Set alertEmails, or subscribe something to the TopicArn output.'
          : 'No alert channel (no alertEmails, slackWebhookSecretName or Amazon Q): OOM alerts and the failure alarms reach no one until something subscribes to the TopicArn output.',
      );
    }

  }

  /** Sets an env var on the function; the resource-naming vars are set only here, next to their grant. */
  private setEnv(name: string, value: string): void {
    this.lambdaFunction.addEnvironment(name, value);
  }

  private grantPublish(topic: sns.ITopic, envName: string): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
    );
    this.setEnv(envName, topic.topicArn);
  }

  private grantEcsReads(clusterArns: readonly string[] | undefined): void {
    // DescribeTaskDefinition has no resource type in the Service Authorization Reference: Resource must be "*".
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }),
    );
    const serviceArns = clusterArns
      ? clusterArns.map(servicesOfCluster)
      : [`arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:service/*`];
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: serviceArns }));

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:DescribeTaskDefinition, cloudwatch:GetMetricData and cloudwatch:GetMetricWidgetImage support no resource-level permissions (no resource type in the Service Authorization Reference), so AWS requires Resource "*". All three are read-only.',
    });
    if (clusterArns) {
      for (const arn of serviceArns) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${arn}]`,
          reason:
            'ecs:DescribeServices on the services of the configured clusters only: the service name comes from the event at run time.',
        });
      }
    } else {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*]',
        reason:
          'ecs:DescribeServices (read-only) on services of this account and region: the cluster and service come from the event at run time. Set clusterArns to narrow it to given clusters.',
      });
    }
  }

  private grantMetricReads(graphs: boolean): void {
    const actions = ['cloudwatch:GetMetricData', ...(graphs ? ['cloudwatch:GetMetricWidgetImage'] : [])];
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
  }

  /** Customer-managed keys, usable only through Secrets Manager (reading the secret) and SNS (publishing). */
  private grantKmsUse(keyArns: readonly string[]): void {
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DecryptSecretWithCmk', actions: ['kms:Decrypt'], resources: [...keyArns], conditions: via('secretsmanager') }));
    const sns = new iam.PolicyStatement({ sid: 'PublishToCmkTopic', actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [...keyArns], conditions: via('sns') });
    this.role.addToPrincipalPolicy(sns);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Publishing to an SSE-KMS topic needs the GenerateDataKey family (SNS asks for GenerateDataKey and, for some clients, GenerateDataKeyWithoutPlaintext), on the given keys only and only through SNS in this region (kms:ViaService).',
    });
  }

  private bindSlackWebhookSecret(secretName: string): void {
    if (secretName.startsWith('arn:')) {
      // A full ARN is exact: the grant needs no wildcard. The function's client reads it in the stack's own region.
      const [, , , region, account] = secretName.split(':');
      const stack = Stack.of(this);
      if ((!Token.isUnresolved(stack.region) && region !== stack.region) || (!Token.isUnresolved(stack.account) && account !== stack.account)) {
        Annotations.of(this).addWarningV2(
          'oom-responder:secret-elsewhere',
          `slackWebhookSecretName: ${secretName} is not in this stack's account and region (${stack.region}/${stack.account}): the function reads secrets in its own region, so Slack delivery would fail.`,
        );
      }
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretName] }));
      this.setEnv('SLACK_WEBHOOK_SECRET_ARN', secretName);
      return;
    }
    const secret = secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhookSecret', secretName);
    // secretArn is the partial ARN (no random suffix): a valid SecretId for GetSecretValue, but IAM needs the
    // "-??????" wildcard to match the real ARN (CDK's own grantRead does the same; it also adds DescribeSecret,
    // which the function does not call).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [`${secret.secretArn}-??????`] }),
    );
    this.setEnv('SLACK_WEBHOOK_SECRET_ARN', secret.secretArn);
  }

  private bindLedgerTable(windowMinutes: number, realertAt: readonly number[]): dynamodb.Table {
    const table = new dynamodb.Table(this, 'LedgerTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Point-in-time recovery is off by design: the ledger holds transient de-duplication and counting state that expires within hours (TTL on expiresAt); losing it only means one repeated alert.',
    });
    // DeleteItem: a failed delivery releases the kill's mark so that Lambda's retry alerts instead of deduping.
    table.grant(this.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    this.setEnv('LEDGER_TABLE_NAME', table.tableName);
    this.setEnv('SUPPRESSION_WINDOW_MINUTES', String(windowMinutes));
    this.setEnv('REALERT_AT', realertAt.join(','));
    return table;
  }

  private bindGraphBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'GraphBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-graphs', expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds only generated memory-graph PNGs that expire after 30 days, written by one role and read through short-lived presigned URLs. Access logs would need a second bucket that outlives the data; enable CloudTrail S3 data events if an audit trail is required.',
    });
    const objects = bucket.arnForObjects('graphs/*');
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }),
    );
    const bucketLogicalId = Stack.of(this).resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/graphs/*]`,
      reason:
        'PutObject and GetObject (GetObject backs the presigned GET URLs the function signs) on the graphs/ prefix of the graph bucket only; object keys are generated per alert.',
    });
    this.setEnv('GRAPH_BUCKET_NAME', bucket.bucketName);
    return bucket;
  }
}
