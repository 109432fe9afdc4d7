import { App } from 'aws-cdk-lib';
import { OnboardingStack } from './stack.js';

/**
 * The CDK app of cdk.json: `npx cdk synth` / `npx cdk deploy` from the repository root. Shorten the reminders
 * for a demo with `-c firstReminder="2 min" -c lastReminder="20 min"`.
 */
const app = new App();
const context = (name: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(name);
  return typeof value === 'string' ? value : undefined;
};
const firstReminder = context('firstReminder');
const lastReminder = context('lastReminder');
new OnboardingStack(app, 'StatefunOnboarding', {
  ...(firstReminder !== undefined ? { firstReminder } : {}),
  ...(lastReminder !== undefined ? { lastReminder } : {}),
  // The account and region of the credentials `cdk` runs with.
  env: {
    ...(process.env.CDK_DEFAULT_ACCOUNT !== undefined ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION !== undefined ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  },
});
