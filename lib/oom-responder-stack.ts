/**
 * The stack: reads the per-environment context (cdk.json or `-c key=value`), turns it into OomResponder props, and
 * hosts the construct. cdk-nag is added to the App by {@link addNagChecks}.
 */
import { Annotations, type App, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { InvalidConfigError, OomResponder, type OomResponderProps } from './oom-responder';

/**
 * Props of the stack. Every setting can come from CDK context (cdk.json `context`, or `-c key=value` on the command
 * line, where values arrive as strings) or from `responder` (typed props, which win over context).
 *
 * Context keys:
 * - `alertEmails`: string[] or comma-separated string. SNS email subscriptions. Default: none.
 * - `slackWebhookSecretName`: string. NAME of the Secrets Manager secret holding the Slack webhook URL. Default: no Slack.
 * - `clusterArns`: string[] or comma-separated string. Only these ECS clusters (filter on `detail.clusterArn`).
 *   Default: all clusters.
 * - `logRetentionDays`: number. Function log retention, a CloudWatch Logs value (1, 3, 5, 7, 14, 30, 60, 90, ...).
 *   Default: 30.
 * - `alertOnSigkill`: boolean (`true`/`false`). Also alert on exit 137 without an OOM reason. Default: false.
 * - `lookbackHours`: integer 1-336. Hours of memory metrics read before the kill. Default: 24.
 * - `amazonQ`: boolean. Create the "ChatbotTopic" SNS topic for Amazon Q Developer custom notifications. Default: false.
 * - `amazonQTopicArn`: string. Publish Amazon Q notifications to this existing topic instead. Default: none.
 * - `kmsKeyArns`: string[] or comma-separated string. Customer-managed KMS keys of the webhook secret or the existing
 *   Amazon Q topic; used only through Secrets Manager and SNS. Default: none.
 * - `memoryGraphs`: boolean. S3 bucket + GetMetricWidgetImage PNG graphs, shown in Slack. Default: true with
 *   `slackWebhookSecretName`, else false.
 * - `suppression`: boolean. DynamoDB ledger for de-duplication and crash-loop suppression. Default: true.
 * - `suppressionWindowMinutes`: integer 1-1440. Default: 30.
 * - `realertAt`: number[] or comma-separated string, strictly increasing. Default: 5,25,100.
 *
 * Example: `npx cdk deploy -c alertEmails=a@example.com,b@example.com -c slackWebhookSecretName=oom/slack -c amazonQ=true`
 */
export interface OomResponderStackProps extends StackProps {
  /** Typed settings; each one given here overrides the context key of the same name. @default - context only */
  readonly responder?: OomResponderProps;
}

/** The context keys the stack reads, in documentation order. */
export const CONTEXT_KEYS = [
  'alertEmails',
  'slackWebhookSecretName',
  'clusterArns',
  'logRetentionDays',
  'alertOnSigkill',
  'lookbackHours',
  'amazonQ',
  'amazonQTopicArn',
  'kmsKeyArns',
  'memoryGraphs',
  'suppression',
  'suppressionWindowMinutes',
  'realertAt',
] as const satisfies readonly (keyof OomResponderProps)[];

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function contextError(key: string, expected: string, value: unknown): InvalidConfigError {
  return new InvalidConfigError(`Invalid context "${key}": expected ${expected}, got ${describe(value)}`);
}

/** A list from a JSON array, a JSON-array string (`'["a","b"]'`) or a comma-separated string (`a,b`). */
function parseList(key: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') throw contextError(key, 'a list or a comma-separated string', value);
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw contextError(key, 'a JSON array or a comma-separated string', value);
    }
    if (!Array.isArray(parsed)) throw contextError(key, 'a JSON array or a comma-separated string', value);
    return parsed;
  }
  return text === '' ? [] : text.split(',').map((s) => s.trim());
}

function parseStringList(key: string, value: unknown): string[] {
  const items = parseList(key, value);
  return items.map((item) => {
    if (typeof item !== 'string' || item.trim() === '') throw contextError(key, 'non-empty strings', value);
    return item.trim();
  });
}

function parseNumberList(key: string, value: unknown): number[] {
  return parseList(key, value).map((item) => {
    const n = typeof item === 'string' && DECIMAL.test(item) ? Number(item) : item;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw contextError(key, 'a list of numbers', value);
    return n;
  });
}

function parseBoolean(key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  throw contextError(key, 'true or false', value);
}

/** Plain decimal numbers only: `0x18`, `1e3` or `Infinity` are not what anyone means by a count of hours. */
const DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/;

function parseNumber(key: string, value: unknown): number {
  const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw contextError(key, 'a number', value);
  return n;
}

function parseString(key: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw contextError(key, 'a non-empty string', value);
  return value.trim();
}

/** Context keys without a colon that the CDK CLI itself sets. */
const CDK_OWN_KEYS = new Set(['cli-telemetry', 'acknowledged-issue-numbers']);

/** Edit distance, for "did you mean" on a mistyped context key. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Context keys this app does not read (feature flags and CDK keys have a colon or an `@`): a mistyped key would
 * otherwise be ignored without a word, e.g. `-c alertEmail=...` deploying a stack that emails no one.
 */
export function unknownContextKeys(scope: Construct): { key: string; suggestion: string | null }[] {
  const all = Object.keys(scope.node.getAllContext() as Record<string, unknown>);
  return all
    .filter((key) => !key.includes(':') && !key.startsWith('@') && !CDK_OWN_KEYS.has(key) && !(CONTEXT_KEYS as readonly string[]).includes(key))
    .map((key) => {
      const [best] = [...CONTEXT_KEYS].sort((x, y) => distance(key.toLowerCase(), x.toLowerCase()) - distance(key.toLowerCase(), y.toLowerCase()));
      return { key, suggestion: best !== undefined && distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 4)) ? best : null };
    });
}

/**
 * Reads the stack's context keys from `scope` (absent keys stay absent, so construct defaults apply). Range and
 * format checks happen in the construct; this only turns strings into the right types.
 * @throws InvalidConfigError naming the key when a value cannot be parsed
 */
export function readOomResponderContext(scope: Construct): OomResponderProps {
  for (const { key, suggestion } of unknownContextKeys(scope)) {
    Annotations.of(scope).addWarningV2(
      'oom-responder:unknown-context',
      `Context "${key}" is not a setting of this app, so it is ignored${suggestion ? `: did you mean "${suggestion}"?` : ''} (settings: ${CONTEXT_KEYS.join(', ')})`,
    );
  }
  const get = (key: (typeof CONTEXT_KEYS)[number]): unknown => {
    const value: unknown = scope.node.tryGetContext(key);
    return value === null ? undefined : value;
  };
  const props: { -readonly [K in keyof OomResponderProps]: OomResponderProps[K] } = {};

  const alertEmails = get('alertEmails');
  if (alertEmails !== undefined) props.alertEmails = parseStringList('alertEmails', alertEmails);
  const secretName = get('slackWebhookSecretName');
  if (secretName !== undefined) props.slackWebhookSecretName = parseString('slackWebhookSecretName', secretName);
  const clusterArns = get('clusterArns');
  if (clusterArns !== undefined) props.clusterArns = parseStringList('clusterArns', clusterArns);
  const retention = get('logRetentionDays');
  if (retention !== undefined) props.logRetentionDays = parseNumber('logRetentionDays', retention);
  const sigkill = get('alertOnSigkill');
  if (sigkill !== undefined) props.alertOnSigkill = parseBoolean('alertOnSigkill', sigkill);
  const lookback = get('lookbackHours');
  if (lookback !== undefined) props.lookbackHours = parseNumber('lookbackHours', lookback);
  const amazonQ = get('amazonQ');
  if (amazonQ !== undefined) props.amazonQ = parseBoolean('amazonQ', amazonQ);
  const amazonQTopicArn = get('amazonQTopicArn');
  if (amazonQTopicArn !== undefined) props.amazonQTopicArn = parseString('amazonQTopicArn', amazonQTopicArn);
  const kmsKeyArns = get('kmsKeyArns');
  if (kmsKeyArns !== undefined) props.kmsKeyArns = parseStringList('kmsKeyArns', kmsKeyArns);
  const graphs = get('memoryGraphs');
  if (graphs !== undefined) props.memoryGraphs = parseBoolean('memoryGraphs', graphs);
  const suppression = get('suppression');
  if (suppression !== undefined) props.suppression = parseBoolean('suppression', suppression);
  const window = get('suppressionWindowMinutes');
  if (window !== undefined) props.suppressionWindowMinutes = parseNumber('suppressionWindowMinutes', window);
  const realertAt = get('realertAt');
  if (realertAt !== undefined) props.realertAt = parseNumberList('realertAt', realertAt);
  return props;
}

export class OomResponderStack extends Stack {
  public readonly responder: OomResponder;

  constructor(scope: Construct, id: string, props: OomResponderStackProps = {}) {
    super(scope, id, {
      description: 'oom-responder: triage ECS containers killed for memory and alert Slack, email and Amazon Q',
      ...props,
    });
    const fromContext = readOomResponderContext(this);
    this.responder = new OomResponder(this, 'OomResponder', { ...fromContext, ...props.responder });
    // What the README tells operators to use, under these exact names (stack-level ids keep them unhashed).
    const r = this.responder;
    new CfnOutput(this, 'TopicArn', { value: r.topic.topicArn, description: 'Email alerts and the failure alarms (programmatic subscribers: filter on the schema message attribute)' });
    if (r.chatbotTopic instanceof sns.Topic) {
      new CfnOutput(this, 'ChatbotTopicArn', { value: r.chatbotTopic.topicArn, description: 'Subscribe your Amazon Q Developer channel configuration to this topic' });
    }
    new CfnOutput(this, 'FunctionName', { value: r.lambdaFunction.functionName });
    new CfnOutput(this, 'LogGroupName', { value: r.logGroup.logGroupName, description: "The function's structured logs (Logs Insights queries in the README)" });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: r.deadLetterQueue.queueUrl, description: 'Events the function could not alert; replay them as the README says' });
  }
}

/**
 * Runs the AWS Solutions cdk-nag pack on every synth of `app` (cdk-nag v3: a policy-validation plugin; findings
 * fail `app.synth()` and land in the cloud assembly's validation report).
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
