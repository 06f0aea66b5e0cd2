/**
 * Template tests of the OomResponder stack: the rule, the function and its exact permissions and env vars, the
 * DLQ and async invoke config, alarms, topics, ledger table, graph bucket, and context parsing. Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`) except in the one test that bundles lambda/handler.ts for real.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../lib/lambda-bundling';
import { InvalidConfigError, oomDetailPattern, type OomResponderProps } from '../lib/oom-responder';
import { OomResponderStack } from '../lib/oom-responder-stack';

const CDK_CONTEXT = (JSON.parse(readFileSync(path.resolve(__dirname, '../cdk.json'), 'utf8')) as { context: object }).context;

function synth(props?: OomResponderProps, context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new OomResponderStack(app, 'Test', props ? { responder: props } : {});
  return Template.fromStack(stack);
}

const ALL_FEATURES: OomResponderProps = {
  alertEmails: ['oncall@example.com', 'platform@example.com'],
  slackWebhookSecretName: 'oom-responder/slack-webhook',
  clusterArns: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web', 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch'],
  logRetentionDays: 90,
  alertOnSigkill: true,
  lookbackHours: 48,
  amazonQ: true,
  memoryGraphs: true,
  suppression: true,
  suppressionWindowMinutes: 60,
  realertAt: [3, 10, 50],
};
const MINIMAL: OomResponderProps = { memoryGraphs: false, suppression: false };

const defaults = synth();
/** The defaults with the memory graphs on (they are on by default only with Slack, the one channel that shows them). */
const graphsOn = synth({ memoryGraphs: true });
const allFeatures = synth(ALL_FEATURES);
const minimal = synth(MINIMAL);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0] as [string, T];
}

function functionRoleLogicalId(template: Template): string {
  const [, fn] = only(template.findResources('AWS::Lambda::Function'));
  return (fn as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties.Role['Fn::GetAtt'][0];
}

/** Every Allow statement of every policy attached to the function's role, as (action -> resources). */
function permissions(template: Template): Map<string, unknown[]> {
  const roleId = functionRoleLogicalId(template);
  const byAction = new Map<string, unknown[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const props = (policy as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }).Properties;
    if (!props.Roles.some((r) => r.Ref === roleId)) continue;
    for (const statement of props.PolicyDocument.Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const action of actions) byAction.set(action, [...(byAction.get(action) ?? []), ...resources]);
    }
  }
  return byAction;
}

function environment(template: Template): Record<string, unknown> {
  const [, fn] = only(template.findResources('AWS::Lambda::Function'));
  return (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
}

function logicalId(template: Template, type: string): string {
  return only(template.findResources(type))[0];
}

describe('EventBridge rule', () => {
  it('matches ECS task state changes with an OOM signal, without requiring lastStatus STOPPED', () => {
    defaults.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: Match.objectEquals({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
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
        },
      }),
    });
  });

  it('is on the default event bus and targets the function, with the DLQ for undeliverable events', () => {
    const fnId = logicalId(defaults, 'AWS::Lambda::Function');
    const dlqId = logicalId(defaults, 'AWS::SQS::Queue');
    const rule = only(defaults.findResources('AWS::Events::Rule'))[1] as { Properties: Record<string, unknown> };
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.Targets).toEqual([
      {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Id: 'Target0',
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
      },
    ]);
    defaults.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
  });

  it('filters on detail.clusterArn when clusterArns is set', () => {
    const pattern = new Capture();
    allFeatures.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern });
    expect((pattern.asObject() as { detail: { clusterArn: string[] } }).detail.clusterArn).toEqual(ALL_FEATURES.clusterArns);
    expect((pattern.asObject() as { detail: unknown }).detail).toEqual(oomDetailPattern(ALL_FEATURES.clusterArns));
  });
});

describe('function', () => {
  it('runs the newest Node runtime on ARM64 with 60 s and 512 MB', () => {
    defaults.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      MemorySize: 512,
      Handler: 'index.handler',
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroupId = logicalId(defaults, 'AWS::Logs::LogGroup');
    defaults.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    defaults.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
    allFeatures.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('uses a role of its own with no managed policy', () => {
    const [, role] = only(defaults.findResources('AWS::IAM::Role'));
    const props = (role as { Properties: Record<string, unknown> }).Properties;
    expect(props.ManagedPolicyArns).toBeUndefined();
    expect(props.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
  });

  it('retries async invokes twice within an hour, then sends the event to the DLQ', () => {
    const fnId = logicalId(defaults, 'AWS::Lambda::Function');
    const dlqId = logicalId(defaults, 'AWS::SQS::Queue');
    defaults.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });
});

describe('environment variables', () => {
  it('sets exactly the default variables', () => {
    const env = environment(defaults);
    expect(Object.keys(env).sort()).toEqual(
      [
        'ALERT_ON_SIGKILL',
        'LEDGER_TABLE_NAME',
        'LOOKBACK_HOURS',
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_SERVICE_NAME',
        'REALERT_AT',
        'SUPPRESSION_WINDOW_MINUTES',
        'TOPIC_ARN',
      ].sort(),
    );
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'oom-responder',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      ALERT_ON_SIGKILL: 'false',
      LOOKBACK_HOURS: '24',
      SUPPRESSION_WINDOW_MINUTES: '30',
      REALERT_AT: '5,25,100',
      TOPIC_ARN: { Ref: logicalId(defaults, 'AWS::SNS::Topic') },
      LEDGER_TABLE_NAME: { Ref: logicalId(defaults, 'AWS::DynamoDB::Table') },
    });
    expect(environment(graphsOn)['GRAPH_BUCKET_NAME']).toEqual({ Ref: logicalId(graphsOn, 'AWS::S3::Bucket') });
  });

  it('sets the variables of every feature when all are on', () => {
    const env = environment(allFeatures);
    expect(Object.keys(env).sort()).toEqual(
      [
        'ALERT_ON_SIGKILL',
        'CHATBOT_TOPIC_ARN',
        'GRAPH_BUCKET_NAME',
        'LEDGER_TABLE_NAME',
        'LOOKBACK_HOURS',
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_SERVICE_NAME',
        'REALERT_AT',
        'SLACK_WEBHOOK_SECRET_ARN',
        'SUPPRESSION_WINDOW_MINUTES',
        'TOPIC_ARN',
      ].sort(),
    );
    expect(env).toMatchObject({ ALERT_ON_SIGKILL: 'true', LOOKBACK_HOURS: '48', SUPPRESSION_WINDOW_MINUTES: '60', REALERT_AT: '3,10,50' });
  });

  it('passes the secret as a partial ARN (a valid SecretId), never a value', () => {
    expect(environment(allFeatures).SLACK_WEBHOOK_SECRET_ARN).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':secret:oom-responder/slack-webhook',
        ],
      ],
    });
  });

  it('drops the variables of features that are off', () => {
    expect(Object.keys(environment(minimal)).sort()).toEqual(
      ['ALERT_ON_SIGKILL', 'LOOKBACK_HOURS', 'NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME', 'TOPIC_ARN'].sort(),
    );
  });

  it('merges extra variables over the defaults but never over the resource wiring', () => {
    const env = environment(synth({ environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG', TEAM: 'platform', TOPIC_ARN: 'arn:nope' } }));
    expect(env.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    expect(env.TEAM).toBe('platform');
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(env.TOPIC_ARN).toEqual({ Ref: expect.any(String) });
  });
});

describe('IAM: exactly what the code uses', () => {
  it('grants exactly these actions by default (with the memory graphs on)', () => {
    expect([...permissions(graphsOn).keys()].sort()).toEqual([
      'cloudwatch:GetMetricData',
      'cloudwatch:GetMetricWidgetImage',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:PutObject',
      'sns:Publish',
      // Granted by the async invoke SqsDestination (CDK's queue.grantSendMessages).
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
  });

  it('scopes each action to its resource', () => {
    const p = permissions(graphsOn);
    const topicId = logicalId(graphsOn, 'AWS::SNS::Topic');
    const tableId = logicalId(graphsOn, 'AWS::DynamoDB::Table');
    const bucketId = logicalId(graphsOn, 'AWS::S3::Bucket');
    const logGroupId = logicalId(graphsOn, 'AWS::Logs::LogGroup');
    const dlqId = logicalId(graphsOn, 'AWS::SQS::Queue');
    expect(p.get('ecs:DescribeTaskDefinition')).toEqual(['*']);
    expect(p.get('cloudwatch:GetMetricData')).toEqual(['*']);
    expect(p.get('cloudwatch:GetMetricWidgetImage')).toEqual(['*']);
    expect(p.get('ecs:DescribeServices')).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':service/*'],
        ],
      },
    ]);
    expect(p.get('sns:Publish')).toEqual([{ Ref: topicId }]);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(p.get(action)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    }
    for (const action of ['s3:PutObject', 's3:GetObject']) {
      expect(p.get(action)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/graphs/*']] }]);
    }
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      expect(p.get(action)).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
    }
    expect(p.get('sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [dlqId, 'Arn'] }]);
  });

  it('drops the table, bucket and widget permissions when those features are off', () => {
    expect([...permissions(minimal).keys()].sort()).toEqual([
      'cloudwatch:GetMetricData',
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sns:Publish',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
  });

  it('adds GetSecretValue on the named secret only, and publish on both topics, with all features', () => {
    const p = permissions(allFeatures);
    expect([...p.keys()].filter((a) => a.startsWith('secretsmanager:'))).toEqual(['secretsmanager:GetSecretValue']);
    expect(p.get('secretsmanager:GetSecretValue')).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':secretsmanager:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':secret:oom-responder/slack-webhook-??????',
          ],
        ],
      },
    ]);
    const topics = Object.keys(allFeatures.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(2);
    expect(p.get('sns:Publish')).toEqual(expect.arrayContaining(topics.map((id) => ({ Ref: id }))));
    expect(p.get('sns:Publish')).toHaveLength(2);
  });

  it('narrows DescribeServices to the services of the given clusters', () => {
    expect([...(permissions(allFeatures).get('ecs:DescribeServices') ?? [])].sort()).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:service/batch/*',
      'arn:aws:ecs:eu-west-1:111122223333:service/prod-web/*',
    ]);
  });
});

describe('dead-letter queue', () => {
  it('is encrypted and keeps messages 14 days', () => {
    defaults.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('denies non-TLS access', () => {
    const dlqId = logicalId(defaults, 'AWS::SQS::Queue');
    defaults.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('alarms', () => {
  it('alarms on any function error in 5 minutes, notifying the topic', () => {
    const fnId = logicalId(defaults, 'AWS::Lambda::Function');
    defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(defaults, 'AWS::SNS::Topic') }],
    });
  });

  it('alarms on every message sent to the DLQ (each new loss notifies, not only the first), notifying the topic', () => {
    defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(defaults, 'AWS::SQS::Queue'), 'QueueName'] } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalId(defaults, 'AWS::SNS::Topic') }],
    });
  });

  it('alarms on throttles (events that will reach the DLQ after an hour), notifying the topic', () => {
    defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(defaults, 'AWS::Lambda::Function') } }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [{ Ref: logicalId(defaults, 'AWS::SNS::Topic') }],
    });
    defaults.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  it('sends the alarms to the Amazon Q topic it creates too, and lets them publish there', () => {
    const t = synth({ amazonQ: true });
    const topics = Object.keys(t.findResources('AWS::SNS::Topic')).sort();
    expect(topics).toHaveLength(2);
    for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
      const actions = (alarm as { Properties: { AlarmActions: { Ref: string }[] } }).Properties.AlarmActions.map((a) => a.Ref).sort();
      expect(actions).toEqual(topics);
    }
    const policies = Object.values(t.findResources('AWS::SNS::TopicPolicy')) as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] }; Topics: { Ref: string }[] } }[];
    for (const topic of topics) {
      const policy = policies.find((p) => p.Properties.Topics.some((r) => r.Ref === topic))!;
      expect(policy.Properties.PolicyDocument.Statement.map((st) => st.Sid)).toContain('AllowOwnAlarmsToPublish');
    }
  });

  it('lets exactly these alarms publish to the topic', () => {
    const alarms = Object.keys(defaults.findResources('AWS::CloudWatch::Alarm')).sort();
    const sourceArns = new Capture();
    defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              ArnEquals: { 'aws:SourceArn': sourceArns },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
    const ids = (sourceArns.asArray() as { 'Fn::GetAtt': [string, string] }[]).map((a) => a['Fn::GetAtt'][0]).sort();
    expect(ids).toEqual(alarms);
  });
});

describe('topics', () => {
  it('enforces TLS on the alert topic', () => {
    defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(defaults, 'AWS::SNS::Topic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribes each alert email', () => {
    allFeatures.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of ALL_FEATURES.alertEmails ?? []) {
      allFeatures.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    }
    defaults.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('creates the Amazon Q ChatbotTopic only with amazonQ, also TLS-only', () => {
    defaults.resourceCountIs('AWS::SNS::Topic', 1);
    allFeatures.resourceCountIs('AWS::SNS::Topic', 2);
    const chatbotId = Object.keys(allFeatures.findResources('AWS::SNS::Topic')).find((id) => id.includes('ChatbotTopic'));
    expect(chatbotId).toBeDefined();
    expect(environment(allFeatures).CHATBOT_TOPIC_ARN).toEqual({ Ref: chatbotId });
    allFeatures.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: chatbotId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('publishes to an existing Amazon Q topic given by ARN', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:amazon-q-alerts';
    const template = synth({ amazonQTopicArn: arn });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(environment(template).CHATBOT_TOPIC_ARN).toBe(arn);
    expect(permissions(template).get('sns:Publish')).toContain(arn);
  });
});

describe('ledger table', () => {
  it('has pk only, on-demand billing, TTL on expiresAt, encryption and no PITR', () => {
    defaults.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
    defaults.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  it('is not created without suppression', () => {
    minimal.resourceCountIs('AWS::DynamoDB::Table', 0);
  });
});

describe('graph bucket', () => {
  it('is made by default only with Slack, the one channel that shows the graphs', () => {
    defaults.resourceCountIs('AWS::S3::Bucket', 0);
    expect([...permissions(defaults).keys()]).not.toContain('cloudwatch:GetMetricWidgetImage');
    synth({ slackWebhookSecretName: 'oom-responder/slack-webhook' }).resourceCountIs('AWS::S3::Bucket', 1);
    synth({ slackWebhookSecretName: 'oom-responder/slack-webhook', memoryGraphs: false }).resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('is private, S3-encrypted, TLS-only and expires objects after 30 days', () => {
    graphsOn.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 30 })] },
    });
    graphsOn.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('does not auto-delete objects', () => {
    graphsOn.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    graphsOn.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('is not created without memory graphs', () => {
    minimal.resourceCountIs('AWS::S3::Bucket', 0);
  });
});

describe('no secret in the template', () => {
  it('holds the secret name only, never a webhook URL', () => {
    const json = JSON.stringify(allFeatures.toJSON());
    expect(json).toContain('oom-responder/slack-webhook');
    expect(json).not.toMatch(/hooks\.slack\.com/);
    allFeatures.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('refuses a webhook URL where the secret name or an env var belongs', () => {
    expect(() => synth({ slackWebhookSecretName: 'https://hooks.slack.com/services/T000/B000/XXXX' })).toThrow(
      /must never be in the template/,
    );
    expect(() => synth({ environment: { SLACK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX' } })).toThrow(
      InvalidConfigError,
    );
  });
});

describe('context', () => {
  it('parses -c strings: lists, booleans and numbers', () => {
    const template = synth(undefined, {
      alertEmails: 'a@example.com, b@example.com',
      alertOnSigkill: 'true',
      lookbackHours: '48',
      logRetentionDays: '14',
      realertAt: '3,10',
      suppressionWindowMinutes: '15',
      clusterArns: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
      amazonQ: 'true',
      memoryGraphs: 'false',
      slackWebhookSecretName: 'oom/slack',
    });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'b@example.com' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    expect(environment(template)).toMatchObject({
      ALERT_ON_SIGKILL: 'true',
      LOOKBACK_HOURS: '48',
      REALERT_AT: '3,10',
      SUPPRESSION_WINDOW_MINUTES: '15',
    });
    expect(environment(template).SLACK_WEBHOOK_SECRET_ARN).toBeDefined();
    const pattern = new Capture();
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern });
    expect((pattern.asObject() as { detail: { clusterArn: string[] } }).detail.clusterArn).toEqual([
      'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
    ]);
  });

  it('parses cdk.json JSON values and JSON-array strings', () => {
    const template = synth(undefined, { alertEmails: ['x@example.com'], suppression: false, realertAt: '[4, 40]' });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(environment(template).REALERT_AT).toBeUndefined();
    const withTable = synth(undefined, { realertAt: [4, 40] });
    expect(environment(withTable).REALERT_AT).toBe('4,40');
  });

  it('subscribes an address once however often and in whatever case it is given, and filters on each cluster once', () => {
    const arn = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
    const template = synth({ alertEmails: ['a@example.com', 'A@Example.com', ' a@example.com'], clusterArns: [arn, arn] });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    const pattern = new Capture();
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern });
    expect((pattern.asObject() as { detail: { clusterArn: string[] } }).detail.clusterArn).toEqual([arn]);
  });

  it('warns at synth when a cluster is in another region or account than the stack (its events never reach the rule)', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new OomResponderStack(app, 'Elsewhere', {
      env: { region: 'eu-west-1', account: '111122223333' },
      responder: { clusterArns: ['arn:aws:ecs:us-east-1:111122223333:cluster/prod', 'arn:aws:ecs:eu-west-1:111122223333:cluster/here'] },
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('never reach'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]!.entry.data)).toContain('cluster/prod is in region us-east-1');
  });

  it('warns at synth on a context key it does not read (a typo would otherwise deploy a stack that alerts no one), with the likely key', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], alertEmail: 'a@example.com', slackWebhookSecret: 'oom/slack', colour: 'blue' } });
    const stack = new OomResponderStack(app, 'Typos');
    const texts = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('is not a setting of this app')).map((w) => String(w.entry.data));
    expect(texts).toHaveLength(3);
    expect(texts.find((t) => t.includes('"alertEmail"'))).toContain('did you mean "alertEmails"?');
    expect(texts.find((t) => t.includes('"slackWebhookSecret"'))).toContain('did you mean "slackWebhookSecretName"?');
    expect(texts.find((t) => t.includes('"colour"'))).not.toContain('did you mean');
    // cdk.json's feature flags and the CLI's own keys are not settings of ours, and not warned about.
    expect(Annotations.fromStack(new OomResponderStack(new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } }), 'Clean')).findWarning('*', Match.stringLikeRegexp('is not a setting'))).toEqual([]);
  });

  it('warns at synth when nobody would hear of a lost alert: no channel at all, or no email for the alarms', () => {
    const warn = (responder: OomResponderProps) => {
      const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
      const stack = new OomResponderStack(app, 'Channels', { responder });
      return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data)).join('\n');
    };
    expect(warn({})).toMatch(/No alert channel .*reach no one until something subscribes to the TopicArn output/);
    expect(warn({ slackWebhookSecretName: 'oom/slack' })).toMatch(/No alertEmails: the failure alarms .* go only to the email topic, which has no subscriber/);
    expect(warn({ alertEmails: ['a@example.com'] })).toBe('');
    expect(warn({ amazonQ: true })).toBe(''); // the alarms go to the Amazon Q topic too
  });

  it('outputs what the README tells operators to use: the topics, the function, its log group and the dead-letter queue', () => {
    // Exactly these keys, as `--query "Stacks[0].Outputs[?OutputKey=='DeadLetterQueueUrl']"` needs them.
    expect(Object.keys(synth({ amazonQ: true }).findOutputs('*')).sort()).toEqual(['ChatbotTopicArn', 'DeadLetterQueueUrl', 'FunctionName', 'LogGroupName', 'TopicArn']);
    expect(Object.keys(defaults.findOutputs('*')).sort()).toEqual(['DeadLetterQueueUrl', 'FunctionName', 'LogGroupName', 'TopicArn']);
  });

  it('reads realertAt= (empty) as no re-alerts and rejects hex or exponent numbers', () => {
    expect(environment(synth(undefined, { realertAt: '' })).REALERT_AT).toBe('');
    expect(() => synth(undefined, { lookbackHours: '0x18' })).toThrow(/lookbackHours/);
    expect(() => synth(undefined, { realertAt: '5,1e2' })).toThrow(/realertAt/);
  });

  it('lets typed props win over context', () => {
    const template = synth({ lookbackHours: 12 }, { lookbackHours: '48' });
    expect(environment(template).LOOKBACK_HOURS).toBe('12');
  });

  it.each([
    ['alertOnSigkill', 'yes', /Invalid context "alertOnSigkill": expected true or false, got "yes"/],
    ['amazonQ', '1', /Invalid context "amazonQ"/],
    ['lookbackHours', 'abc', /Invalid context "lookbackHours": expected a number/],
    ['lookbackHours', '0', /lookbackHours: 0 must be an integer from 1 to 336/],
    ['lookbackHours', '1.5', /lookbackHours/],
    ['logRetentionDays', '45', /logRetentionDays: 45 is not a CloudWatch Logs retention/],
    ['alertEmails', 'not-an-email', /alertEmails: "not-an-email" is not an email address/],
    ['alertEmails', '[1,2]', /Invalid context "alertEmails"/],
    ['clusterArns', 'prod', /clusterArns: "prod" is not an ECS cluster ARN/],
    ['realertAt', '25,5', /realertAt: \[25, 5\] must be strictly increasing/],
    ['realertAt', '1,5', /realertAt/],
    ['realertAt', 'a,b', /Invalid context "realertAt"/],
    ['suppressionWindowMinutes', '2000', /suppressionWindowMinutes: 2000 must be an integer from 1 to 1440/],
    ['slackWebhookSecretName', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x', /not a full Secrets Manager secret ARN/],
    ['slackWebhookSecretName', 'arn:aws:sns:eu-west-1:111122223333:topic-AbCdEf', /not a full Secrets Manager secret ARN/],
    ['slackWebhookSecretName', 'slack-webhook-a1B2c3', /six characters, .*give the secret's full ARN instead/],
    ['amazonQTopicArn', 'my-topic', /not a standard SNS topic ARN/],
  ])('rejects %s=%s with a clear error at synth', (key, value, message) => {
    expect(() => synth(undefined, { [key]: value })).toThrow(InvalidConfigError);
    expect(() => synth(undefined, { [key]: value })).toThrow(message);
  });

  it('takes a full secret ARN as it is (the only way to name a secret whose name ends like a suffix), and warns when it is in another region', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/slack-alerts-AbCdEf';
    const template = synth(undefined, { slackWebhookSecretName: arn });
    expect(environment(template).SLACK_WEBHOOK_SECRET_ARN).toBe(arn);
    expect(permissions(template).get('secretsmanager:GetSecretValue')).toEqual([arn]);
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new OomResponderStack(app, 'SecretElsewhere', { env: { region: 'us-east-1', account: '111122223333' }, responder: { slackWebhookSecretName: arn } });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Slack delivery would fail'))).toHaveLength(1);
  });

  it('lets the function use customer-managed keys only through Secrets Manager and SNS, and refuses an alias', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const template = synth(undefined, { kmsKeyArns: key, slackWebhookSecretName: 'oom/slack', amazonQTopicArn: 'arn:aws:sns:eu-west-1:111122223333:q' });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const bySid = (sid: string) => statements.find((st) => st.Sid === sid)!;
    expect(bySid('DecryptSecretWithCmk')).toMatchObject({ Action: 'kms:Decrypt', Resource: key });
    expect(JSON.stringify(bySid('DecryptSecretWithCmk').Condition)).toContain('secretsmanager.');
    expect(bySid('PublishToCmkTopic')).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: key });
    expect(JSON.stringify(bySid('PublishToCmkTopic').Condition)).toContain('sns.');
    // Without keys, no KMS permission at all.
    expect([...permissions(defaults).keys()].some((a) => a.startsWith('kms:'))).toBe(false);
    expect(() => synth(undefined, { kmsKeyArns: 'arn:aws:kms:eu-west-1:111122223333:alias/slack' })).toThrow(/not a KMS key ARN .*not an alias/);
  });

  it('rejects amazonQ together with amazonQTopicArn', () => {
    expect(() => synth(undefined, { amazonQ: 'true', amazonQTopicArn: 'arn:aws:sns:eu-west-1:111122223333:q' })).toThrow(
      /mutually exclusive/,
    );
  });
});

describe('real bundling', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'oom-responder-bundle-'));
  let bundle = '';
  beforeAll(() => {
    const app = new App({ outdir, context: CDK_CONTEXT });
    const stack = new OomResponderStack(app, 'Bundled');
    const assembly = app.synth();
    const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template as Record<string, unknown>);
    const code = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', { Code: { S3Key: code } });
    bundle = path.join(outdir, `asset.${code.asString().replace(/\.zip$/, '')}`, 'index.js');
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles lambda/handler.ts with local esbuild into the function asset', () => {
    expect(existsSync(bundle)).toBe(true);
    expect(statSync(bundle).size).toBeGreaterThan(1000);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const source = readFileSync(bundle, 'utf8');
    // @aws-sdk/* stays external: the runtime provides it.
    expect(source).toMatch(/require\("@aws-sdk\/client-sns"\)/);
    expect(source).toContain('sourceMappingURL=index.js.map');
  });

  it('is byte-identical to buildLambdaBundle, the bundle benchmarks build', async () => {
    const outfile = path.join(outdir, 'bench', 'index.js');
    await buildLambdaBundle(outfile);
    expect(readFileSync(outfile).equals(readFileSync(bundle))).toBe(true);
  });
});
