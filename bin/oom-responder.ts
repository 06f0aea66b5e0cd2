#!/usr/bin/env node
/** The CDK app: one OomResponder stack, configured from context (cdk.json or `-c key=value`), checked by cdk-nag. */
import { App } from 'aws-cdk-lib';
import { addNagChecks, OomResponderStack } from '../lib/oom-responder-stack';

const app = new App();
new OomResponderStack(app, 'OomResponder', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
addNagChecks(app);
app.synth();
