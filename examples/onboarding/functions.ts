import { type Context, defineFunction, type Duration, playgroundEgressRecord, ValidationError, valueSpec } from 'statefun-aws';
import { type Onboarding, OnboardingMessageType, OnboardingType, type ReminderEmail } from './messages.js';

export interface OnboardingOptions {
  /**
   * When the reminders go out, each counted from the one before (the first from registering).
   * @default [{ days: 3 }, { days: 4 }] - 3 days after registering, then a last one a week after registering
   */
  readonly reminderDelays?: readonly Duration[];
}

/**
 * Names the pending reminder, so that completing onboarding can cancel it. Tokens are private to the sending
 * address, so one constant serves every customer; it may be reused once its message has fired.
 */
const REMINDER = 'onboarding-reminder';

const specs = { onboarding: valueSpec(OnboardingType) };

/**
 * One customer's onboarding (id = customer id), StateFun 3.1's example of delayed messages with cancellation:
 * `UserRegistered` schedules a reminder in 3 days, `OnboardingCompleted` cancels it. A due reminder puts an
 * email on the playground egress topic `emails` and schedules the next one, if any.
 *
 * Nothing here guards against a reminder arriving twice or after its cancellation: the runtime delivers a
 * delayed message at most once, and never once its cancellation has committed.
 *
 * A function of options, so that `statefun dev` can shorten the days to seconds (see module.ts).
 */
export function onboardingFunction(options: OnboardingOptions = {}) {
  const delays = options.reminderDelays ?? [{ days: 3 }, { days: 4 }];
  if (delays.length === 0) throw new ValidationError('onboarding needs at least one reminder delay');

  const scheduleReminder = (ctx: Context<typeof specs>, reminder: number): void => {
    ctx.sendAfter(delays[reminder - 1]!, { to: fn, id: ctx.self.id, value: { type: 'SendReminder', reminder } }, { cancellationToken: REMINDER });
  };

  const fn = defineFunction({
    typename: 'onboarding/customer',
    specs,
    accepts: OnboardingMessageType,
    handler(ctx, message) {
      const msg = message.as(OnboardingMessageType);
      const onboarding = ctx.storage.onboarding;
      switch (msg.type) {
        case 'UserRegistered':
          // Registering again (a client retrying, say) does not restart the clock.
          if (onboarding !== undefined) return;
          ctx.storage.onboarding = { email: msg.email, name: msg.name, completed: false, remindersSent: 0 };
          scheduleReminder(ctx, 1);
          return;

        case 'OnboardingCompleted':
          if (onboarding === undefined || onboarding.completed) return;
          ctx.storage.onboarding = { ...onboarding, completed: true };
          ctx.cancelDelayedMessage(REMINDER);
          return;

        case 'SendReminder': {
          // Only the function's own delayed message counts; ingress messages have no caller.
          if (onboarding === undefined || ctx.caller?.typename !== ctx.self.typename || ctx.caller.id !== ctx.self.id) return;
          const last = msg.reminder === delays.length;
          ctx.sendEgress(playgroundEgressRecord({ topic: 'emails', payload: JSON.stringify(reminderEmail(onboarding, last)) }));
          ctx.storage.onboarding = { ...onboarding, remindersSent: msg.reminder };
          if (!last) scheduleReminder(ctx, msg.reminder + 1);
          return;
        }
      }
    },
  });
  return fn;
}

/** The onboarding function with the default reminders: 3 days after registering, and a last one on day 7. */
export const customerOnboarding = onboardingFunction();

export function reminderEmail(onboarding: Onboarding, last: boolean): ReminderEmail {
  return {
    to: onboarding.email,
    subject: last ? 'Last reminder: finish setting up your account' : 'Finish setting up your account',
    body: `Hi ${onboarding.name}, your account is almost ready: a few steps are left to complete.`,
  };
}
