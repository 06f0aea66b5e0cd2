/**
 * cdk-nag (AwsSolutions pack, v3 policy-validation plugin) on the stack as bin/oom-responder.ts builds it:
 * synth must not throw and the validation report must hold no unacknowledged finding, for the default, the
 * all-features and the minimal configurations. A control stack proves the checks do run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import type { OomResponderProps } from '../lib/oom-responder';
import { addNagChecks, OomResponderStack } from '../lib/oom-responder-stack';

const CDK_CONTEXT = (JSON.parse(readFileSync(path.resolve(__dirname, '../cdk.json'), 'utf8')) as { context: object }).context;
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

interface ValidationReport {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

function newApp(): { app: App; outdir: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'oom-responder-nag-'));
  outdirs.push(outdir);
  return { app: new App({ outdir, context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } }), outdir };
}

/** "RuleId at path" for every finding in the report; [] when there is no report or no finding. */
function findings(outdir: string): string[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
  // The one expected synth warning of a stack with no email (nobody hears of a lost alert) is not a finding; any other
  // annotation still is.
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations
      .filter((v) => v.ruleName !== 'Annotation::oom-responder:no-alarm-subscriber')
      .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
  );
}

function acknowledgements(root: IConstruct): { id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        // aws-cdk-lib records un-prefixed ids as "Annotation::<id>"; cdk-nag strips that prefix when it looks them up.
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason })),
      ),
  );
}

const CONFIGS: [string, OomResponderProps | undefined][] = [
  ['default', undefined],
  [
    'all features',
    {
      alertEmails: ['oncall@example.com'],
      slackWebhookSecretName: 'oom-responder/slack-webhook',
      clusterArns: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web', 'arn:aws-us-gov:ecs:us-gov-west-1:111122223333:cluster/etl'],
      alertOnSigkill: true,
      amazonQ: true,
      memoryGraphs: true,
      suppression: true,
    },
  ],
  ['minimal', { memoryGraphs: false, suppression: false }],
  ['existing Amazon Q topic', { amazonQTopicArn: 'arn:aws:sns:eu-west-1:111122223333:amazon-q' }],
  [
    'customer-managed keys and a full secret ARN',
    {
      alertEmails: ['oncall@example.com'],
      slackWebhookSecretName: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/slack-alerts-AbCdEf',
      amazonQTopicArn: 'arn:aws:sns:eu-west-1:111122223333:amazon-q',
      kmsKeyArns: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    },
  ],
];

describe('cdk-nag AwsSolutions', () => {
  it.each(CONFIGS)('passes the %s configuration with no unacknowledged finding', (_name, responder) => {
    const { app, outdir } = newApp();
    new OomResponderStack(app, 'OomResponder', responder ? { responder } : {});
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
    expect(findings(outdir)).toEqual([]);
  });

  it('acknowledges each finding on its own resource with a real reason, IAM5 finding by finding', () => {
    const { app } = newApp();
    const stack = new OomResponderStack(app, 'OomResponder', { responder: { memoryGraphs: true } });
    const acks = acknowledgements(stack);
    const ids = acks.map((a) => a.id);
    const bucketObjects = /^AwsSolutions-IAM5\[Resource::<OomResponderGraphBucket[0-9A-F]{8}\.Arn>\/graphs\/\*\]$/;
    expect(ids.filter((id) => bucketObjects.test(id))).toHaveLength(1);
    expect(ids.filter((id) => !bucketObjects.test(id)).sort()).toEqual([
      'AwsSolutions-DDB3',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*]',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
    ]);
    expect(acks.map((a) => a.id)).not.toContain('AwsSolutions-IAM5');
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(80);
    // Nothing acknowledged stack-wide.
    expect(stack.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
  });

  it('really runs: an unacknowledged queue fails the synth and lands in the report', () => {
    const { app, outdir } = newApp();
    const stack = new OomResponderStack(app, 'OomResponder');
    const control = new Stack(app, 'Control');
    new sqs.Queue(control, 'PlainQueue');
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
    const found = findings(outdir);
    expect(found).toContain('AwsSolutions-SQS4 at Control/PlainQueue/Resource');
    expect(found.filter((f) => f.includes(`at ${stack.stackName}/`))).toEqual([]);
  });
});
