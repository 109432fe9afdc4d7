/**
 * The greeter of StateFun's playground, written with the official StateFun JS SDK (`apache-flink-statefun`):
 *
 * - `example/person` (id = the person's name) counts the visits of each person in its state `visits` and
 *   forwards the request, with the count, to `example/greeter`;
 * - `example/greeter` turns name and count into a greeting and sends it to the playground egress, topic
 *   `greetings`.
 *
 * Nothing here knows about statefun-aws: this is a StateFun functions service.
 */
import { type Context, egressMessageBuilder, type Message, messageBuilder, StateFun } from 'apache-flink-statefun';

/** `application/vnd.example/GreetRequest`: `{"name": "Bob"}` from the ingress; with `visits` towards the greeter. */
export interface GreetRequest {
  readonly name: string;
  readonly visits?: number;
}

export const GreetRequestType = StateFun.jsonType<GreetRequest>('example/GreetRequest');

/** What the playground egress takes: a payload for one of its topics. */
export const EgressRecordType = StateFun.jsonType<{ topic: string; payload: string }>('io.statefun.playground/EgressRecord');

/** The greeting for a person's `visits`-th visit. */
export function greeting(name: string, visits: number): string {
  switch (visits) {
    case 0:
      return '';
    case 1:
      return `Welcome ${name}`;
    case 2:
      return `Nice to see you again ${name}`;
    case 3:
      return `Third time is a charm ${name}`;
    default:
      return `Nice to see you at the ${visits}-nth time ${name}!`;
  }
}

function person(context: Context, message: Message): void {
  const request = message.as(GreetRequestType);
  if (request === null) throw new Error(`example/person takes an example/GreetRequest, got ${message.valueTypeName}`);
  // Each declared state is a property of `context.storage`: null until first written.
  const storage = context.storage as { visits: number | null };
  const visits = (storage.visits ?? 0) + 1;
  storage.visits = visits;
  context.send(messageBuilder({ typename: 'example/greeter', id: request.name, value: { name: request.name, visits }, valueType: GreetRequestType }));
}

function greeter(context: Context, message: Message): void {
  const request = message.as(GreetRequestType);
  if (request === null) throw new Error(`example/greeter takes an example/GreetRequest, got ${message.valueTypeName}`);
  const record = { topic: 'greetings', payload: greeting(request.name, request.visits ?? 0) };
  context.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: record, valueType: EgressRecordType }));
}

/** Binds the greeter's functions to `statefun` (a new one by default) and returns it. */
export function greeterFunctions(statefun = new StateFun()): StateFun {
  statefun.bind({ typename: 'example/person', fn: person, specs: [{ name: 'visits', type: StateFun.intType() }] });
  statefun.bind({ typename: 'example/greeter', fn: greeter });
  return statefun;
}
