import { defineFunction, intType, jsonType, playgroundEgressRecord, valueSpec } from 'statefun-aws';

/** What a client sends: `{"name": "Bob"}`, with `Content-Type: application/vnd.example/GreetRequest`. */
export interface GreetRequest {
  readonly name: string;
}

export const GreetRequestType = jsonType<GreetRequest>('example/GreetRequest');

/**
 * Greets each visitor, counting their visits in the function's state, and puts the greeting on the
 * playground egress topic `greetings` (read it with `curl localhost:8091/greetings`).
 */
export const greeter = defineFunction({
  typename: 'example/greeter',
  specs: { visits: valueSpec(intType) },
  accepts: GreetRequestType,
  handler(ctx, message) {
    const { name } = message.as(GreetRequestType);
    const visits = (ctx.storage.visits ?? 0) + 1;
    ctx.storage.visits = visits;
    ctx.sendEgress(playgroundEgressRecord({ topic: 'greetings', payload: greeting(name, visits) }));
  },
});

export function greeting(name: string, visits: number): string {
  return visits === 1 ? `Hello ${name}! Nice to meet you.` : `Hello ${name}! Welcome back, visit number ${visits}.`;
}
