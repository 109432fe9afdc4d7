import { describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from 'statefun-aws/testing';
import { customerOnboarding, onboardingFunction } from './functions.js';
import type { OnboardingMessage, ReminderEmail } from './messages.js';

const DAY_MS = 86_400_000;

function app(): TestRuntime {
  return createTestRuntime({ functions: [customerOnboarding] });
}

const send = (t: TestRuntime, customerId: string, value: OnboardingMessage, idempotencyKey?: string) =>
  t.send({ to: customerOnboarding, id: customerId, value, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
const register = (t: TestRuntime, customerId: string, idempotencyKey?: string) =>
  send(t, customerId, { type: 'UserRegistered', email: `${customerId}@example.com`, name: customerId }, idempotencyKey);
const complete = (t: TestRuntime, customerId: string, idempotencyKey?: string) =>
  send(t, customerId, { type: 'OnboardingCompleted' }, idempotencyKey);

const emails = (t: TestRuntime): ReminderEmail[] => t.playgroundPayloads('emails').map((p) => JSON.parse(p) as ReminderEmail);
/** When each email went out, in days after `start`. */
const sentOnDay = (t: TestRuntime, start: number): number[] => t.egress().map((r) => (r.at - start) / DAY_MS);
const pending = (t: TestRuntime, customerId: string) => t.pendingTimers({ typename: customerOnboarding.typename, id: customerId });

describe('customer onboarding', () => {
  it('remindsThreeDaysAfterRegistering', async () => {
    const t = app();
    const start = t.now;
    await register(t, 'alice');
    expect(pending(t, 'alice')).toHaveLength(1);

    await t.advance({ hours: 71, minutes: 59, seconds: 59 });
    expect(emails(t)).toEqual([]);

    await t.advance({ seconds: 1 });
    expect(emails(t)).toEqual([
      {
        to: 'alice@example.com',
        subject: 'Finish setting up your account',
        body: 'Hi alice, your account is almost ready: a few steps are left to complete.',
      },
    ]);
    expect(sentOnDay(t, start)).toEqual([3]);
    expect(t.state(customerOnboarding, 'alice').onboarding).toMatchObject({ completed: false, remindersSent: 1 });
  });

  it('remindsOnceMoreAWeekAfterRegisteringThenStops', async () => {
    const t = app();
    const start = t.now;
    await register(t, 'alice');
    await t.advance({ days: 30 });
    expect(emails(t).map((e) => e.subject)).toEqual(['Finish setting up your account', 'Last reminder: finish setting up your account']);
    expect(sentOnDay(t, start)).toEqual([3, 7]);
    expect(pending(t, 'alice')).toEqual([]);
  });

  it('sendsNoReminderWhenOnboardingCompletesOnDayTwo', async () => {
    const t = app();
    await register(t, 'bob');
    await t.advance({ days: 2 });
    await complete(t, 'bob');
    expect(pending(t, 'bob')).toEqual([]);

    await t.advance({ days: 30 });
    expect(emails(t)).toEqual([]);
    expect(t.state(customerOnboarding, 'bob').onboarding).toMatchObject({ completed: true, remindersSent: 0 });
  });

  it('completingAfterTheFirstReminderCancelsTheLast', async () => {
    const t = app();
    await register(t, 'carol');
    await t.advance({ days: 5 });
    await complete(t, 'carol');
    await t.advance({ days: 30 });
    expect(emails(t)).toHaveLength(1);
  });

  it('keepsEachCustomersRemindersApart', async () => {
    const t = app();
    const start = t.now;
    await register(t, 'alice');
    await t.advance({ days: 1 });
    await register(t, 'bob');
    await t.advance({ days: 1 });
    await complete(t, 'alice'); // cancels alice's reminder only: tokens are per address
    await t.advance({ days: 2 });
    expect(emails(t).map((e) => e.to)).toEqual(['bob@example.com']);
    expect(sentOnDay(t, start)).toEqual([4]);
  });

  it('registeringAgainDoesNotRestartTheClock', async () => {
    const t = app();
    const start = t.now;
    await register(t, 'dave');
    await t.advance({ days: 2 });
    await register(t, 'dave');
    await t.advance({ days: 1 });
    expect(sentOnDay(t, start)).toEqual([3]);
  });

  it('aClientCannotSendTheRemindersItself', async () => {
    const t = app();
    await register(t, 'erin');
    await send(t, 'erin', { type: 'SendReminder', reminder: 1 });
    expect(emails(t)).toEqual([]);
  });

  it('followsTheScheduleItIsGiven', async () => {
    // What `statefun dev examples/onboarding -- --onboarding.first-reminder "20 s" …` binds, with one reminder.
    const t = createTestRuntime({ functions: [onboardingFunction({ reminderDelays: [{ seconds: 20 }] })] });
    await register(t, 'frank');
    await t.advance({ seconds: 20 });
    expect(emails(t).map((e) => e.subject)).toEqual(['Last reminder: finish setting up your account']);
    expect(pending(t, 'frank')).toEqual([]);
  });

  describe('under faults', () => {
    it('sendsEachReminderOnceWhenTheSchedulerFiresTwice', async () => {
      const t = app();
      t.faults.timerFiresTwice({ where: customerOnboarding, times: 2 });
      const start = t.now;
      await register(t, 'alice');
      await t.advance({ days: 30 });
      expect(t.faults.injected.doubleFires).toBe(2);
      expect(sentOnDay(t, start)).toEqual([3, 7]);
      expect(t.state(customerOnboarding, 'alice').onboarding?.remindersSent).toBe(2);
    });

    it('dropsACancelledReminderThatFiresAnyway', async () => {
      const t = app();
      t.faults.timerFiresAfterCancel();
      await register(t, 'bob');
      await t.advance({ days: 2 });
      await complete(t, 'bob');
      await t.advance({ days: 30 });
      expect(t.faults.injected.firesAfterCancel).toBe(1);
      expect(emails(t)).toEqual([]);
      expect(await t.parked()).toEqual([]);
    });

    it('crashesAndRetriedRequestsChangeNothing', async () => {
      const t = app();
      t.faults
        .crashAfterCommit({ where: customerOnboarding, times: 4 })
        // A client retrying with the same Idempotency-Key, once at once and once 10 minutes later.
        .duplicateDelivery({ where: customerOnboarding, times: 1 })
        .duplicateDelivery({ where: customerOnboarding, times: 1, after: { minutes: 10 } });
      const start = t.now;
      await register(t, 'alice', 'register-alice');
      await register(t, 'bob', 'register-bob');
      await t.advance({ days: 2 });
      await complete(t, 'bob', 'complete-bob');
      await t.advance({ days: 30 });

      expect(t.faults.injected).toMatchObject({ crashesAfterCommit: 4, duplicates: 2 });
      expect(emails(t).map((e) => e.to)).toEqual(['alice@example.com', 'alice@example.com']);
      expect(sentOnDay(t, start)).toEqual([3, 7]);
      expect(await t.parked()).toEqual([]);
    });
  });
});
