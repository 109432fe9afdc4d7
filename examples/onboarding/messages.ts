import { jsonType } from 'statefun-aws';

/**
 * The messages of the onboarding app: one JSON union for `onboarding/customer`, told apart by `type`.
 * Clients send them through the playground ingress with `Content-Type: application/vnd.onboarding/OnboardingMessage`.
 */

/** From a client: a customer signed up. */
export interface UserRegistered {
  readonly type: 'UserRegistered';
  readonly email: string;
  readonly name: string;
}

/** From a client: the customer finished onboarding; no more reminders. */
export interface OnboardingCompleted {
  readonly type: 'OnboardingCompleted';
}

/** From the function to itself, delayed: time to send reminder number `reminder` (1, 2, …). */
export interface SendReminder {
  readonly type: 'SendReminder';
  readonly reminder: number;
}

export type OnboardingMessage = UserRegistered | OnboardingCompleted | SendReminder;
export const OnboardingMessageType = jsonType<OnboardingMessage>('onboarding/OnboardingMessage');

/** Where one customer's onboarding stands. */
export interface Onboarding {
  readonly email: string;
  readonly name: string;
  readonly completed: boolean;
  /** Reminders sent so far. */
  readonly remindersSent: number;
}
export const OnboardingType = jsonType<Onboarding>('onboarding/Onboarding');

/** What a reminder puts on the playground egress topic `emails`, as the JSON payload: a mail to send. */
export interface ReminderEmail {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}
