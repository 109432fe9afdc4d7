import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EgressTarget, StatefulFunctions } from 'statefun-aws/cdk';

export interface OnboardingStackProps extends StackProps {
  /**
   * When the first reminder goes out after registering, e.g. `"10 min"` (a short delay: the delay queue) or
   * `"3 days"` (a long one: EventBridge Scheduler).
   *
   * @default '3 days'
   */
  readonly firstReminder?: string;
  /**
   * When the last reminder goes out after the first.
   *
   * @default '4 days'
   */
  readonly lastReminder?: string;
}

/**
 * The onboarding example (examples/onboarding) on AWS: an HTTP ingress signed with SigV4, and the reminder
 * emails on an SQS FIFO queue for a mailer to consume. Module paths are relative to the repository root, where
 * cdk.json is and where `cdk` runs the app.
 */
export class OnboardingStack extends Stack {
  readonly statefun: StatefulFunctions;
  readonly emails: sqs.Queue;

  constructor(scope: Construct, id: string, props: OnboardingStackProps = {}) {
    super(scope, id, props);
    const emailsDeadLetters = new sqs.Queue(this, 'EmailsDeadLetters', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.emails = new sqs.Queue(this, 'Emails', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: emailsDeadLetters, maxReceiveCount: 5 },
    });

    this.statefun = new StatefulFunctions(this, 'Onboarding', {
      modules: ['examples/onboarding/module.ts', 'examples/onboarding-stack/module.yaml'],
      config: {
        'onboarding.first-reminder': props.firstReminder ?? '3 days',
        'onboarding.last-reminder': props.lastReminder ?? '4 days',
      },
      egresses: { 'io.statefun.playground/egress': EgressTarget.queue(this.emails) },
    });

    new CfnOutput(this, 'EmailsQueueUrl', { value: this.emails.queueUrl, description: 'Reminder emails, for a mailer to consume' });
  }
}
