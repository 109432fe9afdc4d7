import { defineFunction, intType, jsonType, valueSpec } from 'statefun-aws';

/** The benchmark's function: one counter per address, incremented by every message. */
export const counter = defineFunction({
  typename: 'bench/counter',
  specs: { count: valueSpec(intType) },
  handler(ctx) {
    ctx.storage.count = (ctx.storage.count ?? 0) + 1;
  },
});

/** Asks the timer function to send itself a message after `delayMs`. */
export const Arm = jsonType<{ delayMs: number }>('bench/Arm');
const Fire = jsonType<{ dueAt: number }>('bench/Fire');

/**
 * Measures delayed-message precision: armed through the ingress, it sends itself a message after the delay, and
 * records how late (ms, by the handler's clock) each one arrived.
 */
export const timer = defineFunction({
  typename: 'bench/timer',
  specs: { lateness: valueSpec(jsonType<number[]>('bench/Lateness')) },
  handler(ctx, message) {
    const now = ctx.now().getTime();
    if (message.is(Arm)) {
      const { delayMs } = message.as(Arm);
      ctx.sendAfter({ milliseconds: delayMs }, { to: timer, id: ctx.self.id, value: { dueAt: now + delayMs }, type: Fire });
      return;
    }
    ctx.storage.lateness = [...(ctx.storage.lateness ?? []), now - message.as(Fire).dueAt];
  },
});
