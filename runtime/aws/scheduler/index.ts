/** Delayed messages: the SQS delay queue for short delays, EventBridge Scheduler for long ones, and the forwarder. */
export { delaySecondsUntil, type LongDelayOptions, MAX_DELAY_SECONDS, SqsDelayScheduler, type SqsDelaySchedulerOptions } from './delay-scheduler.js';
export {
  type DelayOutcome,
  type DelayQueueRecord,
  type ForwardPlan,
  forwardDueFires,
  SqsDelayForwarder,
  type SqsDelayForwarderOptions,
} from './forwarder.js';
export { atExpression, SCHEDULE_NAME_PREFIX, scheduleNameFor } from './schedule-name.js';

/** Actions of the delay scheduler: SQS on the delay queue, the Scheduler on the app's group, PassRole of its role. */
export const DELAY_SCHEDULER_ACTIONS = ['sqs:SendMessage', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole'] as const;
/** Actions of the delay forwarder: SQS on the FIFO queue and on the delay queue. */
export const DELAY_FORWARDER_ACTIONS = ['sqs:SendMessage'] as const;
