/**
 * A showcase of the StateFun JS SDK (`apache-flink-statefun`) in the spirit of StateFun's playground showcase:
 * one function per concept. Where that showcase prints to the console, these functions report on the
 * playground egress, one topic per part, so that every step can be read back with `curl`.
 *
 * 1. `showcase/types`: the type system: built-in types, a JSON type, a type with its own serializer.
 * 2. `showcase/messaging`: messages to other functions and to itself, and a delayed message.
 * 3. `showcase/egress`: records for a Kafka and a Kinesis egress.
 * 4. `showcase/storage`: state: values, expiry after write, deletion.
 * 5. `showcase/async`: an asynchronous function awaiting (simulated) remote services.
 * 6. `showcase/serving`: the greeter that StateFun's showcase serves, counting visits.
 */
import {
  type Context,
  egressMessageBuilder,
  kafkaEgressMessage,
  kinesisEgressMessage,
  type Message,
  messageBuilder,
  StateFun,
} from 'apache-flink-statefun';

// ---------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------

/** A JSON type: `application/vnd.showcase/GreetRequest`, `{"name": "Bob"}`. */
export interface GreetRequest {
  readonly name: string;
}
export const GreetRequestType = StateFun.jsonType<GreetRequest>('showcase/GreetRequest');

/**
 * A type with a serializer of its own (StateFun's showcase uses protobuf here): the three fields as UTF-8 text
 * separated by `|`.
 */
export interface UserProfile {
  readonly name: string;
  readonly favoriteIceCream: string;
  readonly favoriteTvShow: string;
}
export const UserProfileType = StateFun.customType<UserProfile>(
  'showcase/UserProfile',
  (profile) => Buffer.from([profile.name, profile.favoriteIceCream, profile.favoriteTvShow].join('|'), 'utf8'),
  (bytes) => {
    const [name = '', favoriteIceCream = '', favoriteTvShow = ''] = bytes.toString('utf8').split('|');
    return { name, favoriteIceCream, favoriteTvShow };
  },
);

export const EgressRecordType = StateFun.jsonType<{ topic: string; payload: string }>('io.statefun.playground/EgressRecord');

/** The topics of the playground egress, one per part of the showcase. */
export const TOPICS = ['types', 'messaging', 'storage', 'async', 'greetings'] as const;

function report(context: Context, topic: (typeof TOPICS)[number], payload: string): void {
  context.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic, payload }, valueType: EgressRecordType }));
}

// ---------------------------------------------------------------------------------------------------------
// 1. Types: every value, message or state, has a typename and bytes; a Type turns them into a value.
// ---------------------------------------------------------------------------------------------------------

/** Describes a message by its type: `int 42`, `string Hello there!`, `GreetRequest {"name":"Joe"}`, … */
export function describeMessage(message: Message): string {
  if (message.isInt()) return `int ${message.asInt()}`;
  if (message.isFloat()) return `float ${message.asFloat()}`;
  if (message.isBoolean()) return `boolean ${message.asBoolean()}`;
  if (message.isString()) return `string ${message.asString()}`;
  if (message.is(GreetRequestType)) return `GreetRequest ${JSON.stringify(message.as(GreetRequestType))}`;
  if (message.is(UserProfileType)) {
    const profile = message.as(UserProfileType)!;
    return `UserProfile ${profile.name} likes ${profile.favoriteIceCream} and ${profile.favoriteTvShow}`;
  }
  return `unknown type ${message.valueTypeName} (${message.rawValueBytes.length} bytes)`;
}

function types(context: Context, message: Message): void {
  report(context, 'types', `${context.self.id}: ${describeMessage(message)}`);
}

// ---------------------------------------------------------------------------------------------------------
// 2. Messaging: address a function by typename and id; StateFun routes the message.
// ---------------------------------------------------------------------------------------------------------

function messaging(context: Context, message: Message): void {
  const caller = context.caller;
  const fromMyself = caller !== null && caller.typename === context.self.typename && caller.id === context.self.id;
  const from = caller === null ? 'an ingress' : fromMyself ? 'myself' : `${caller.typename}/${caller.id}`;
  report(context, 'messaging', `${describeMessage(message)} from ${from}`);
  // Only a message from elsewhere starts the round, or this function would message itself forever.
  if (fromMyself) return;
  const target = 'showcase/types';
  // Strings and safe integers need no valueType (they go as io.statefun.types/string and /int) ...
  context.send(messageBuilder({ typename: target, id: '0', value: 'Hello there!' }));
  context.send(messageBuilder({ typename: target, id: '1', value: 42 }));
  // ... other built-in types and custom types do.
  context.send(messageBuilder({ typename: target, id: '2', value: 3.5, valueType: StateFun.floatType() }));
  context.send(messageBuilder({ typename: target, id: '3', value: true, valueType: StateFun.booleanType() }));
  context.send(messageBuilder({ typename: target, id: '4', value: { name: 'Joe' }, valueType: GreetRequestType }));
  context.send(messageBuilder({ typename: target, id: '5', value: { name: 'Jane', favoriteIceCream: 'pistachio', favoriteTvShow: 'Columbo' }, valueType: UserProfileType }));
  // Any function may message itself ...
  context.send(messageBuilder({ typename: context.self.typename, id: context.self.id, value: 'hello!' }));
  // ... also later: a delayed message, the usual way to set a timer.
  context.sendAfter(1_000, messageBuilder({ typename: target, id: '7', value: 'Hello from the future' }));
}

// ---------------------------------------------------------------------------------------------------------
// 3. Egress: records for the outside world, here Kafka and Kinesis (see module.yaml).
// ---------------------------------------------------------------------------------------------------------

function egress(context: Context): void {
  context.send(kafkaEgressMessage({ typename: 'showcase/kafka-egress', topic: 'my-kafka-topic', key: context.self.id, value: 'my-utf8-value' }));
  context.send(kinesisEgressMessage({ typename: 'showcase/kinesis-egress', stream: 'a-stream', partitionKey: context.self.id, hashKey: 'hash-key', value: 'a value' }));
}

// ---------------------------------------------------------------------------------------------------------
// 4. Storage: each declared state is a property of context.storage, private to this address.
// ---------------------------------------------------------------------------------------------------------

interface ShowcaseStorage {
  an_int: number | null;
  an_expiring_str: string | null;
  greet_json: GreetRequest | null;
}

function storage(context: Context): void {
  const values = context.storage as ShowcaseStorage;
  // null: never written, expired, or deleted.
  report(context, 'storage', `an_int=${values.an_int} an_expiring_str=${values.an_expiring_str} greet_json=${JSON.stringify(values.greet_json)}`);
  values.an_int = (values.an_int ?? 41) + 1;
  values.an_expiring_str = `written at visit ${values.an_int - 41}`;
  // Set on one visit, deleted (set to null) on the next.
  values.greet_json = values.greet_json === null ? { name: context.self.id } : null;
}

// ---------------------------------------------------------------------------------------------------------
// 5. Asynchronous operations: an async function may await anything before it returns.
// ---------------------------------------------------------------------------------------------------------

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
/** Stand-ins for remote services. */
const iceCreamService = (name: string): Promise<string> => later(50, name.length % 2 === 0 ? 'vanilla' : 'mint chocolate chip');
const tvShowService = (_name: string): Promise<string> => later(80, 'The Office');

async function asyncOps(context: Context): Promise<void> {
  const values = context.storage as { user_profile: UserProfile | null };
  let profile = values.user_profile;
  if (profile === null) {
    const name = context.self.id;
    const [favoriteIceCream, favoriteTvShow] = await Promise.all([iceCreamService(name), tvShowService(name)]);
    profile = { name, favoriteIceCream, favoriteTvShow };
    values.user_profile = profile;
  }
  report(context, 'async', `${profile.name} likes ${profile.favoriteIceCream} and ${profile.favoriteTvShow}`);
  // A caller gets the profile as its answer.
  const caller = context.caller;
  if (caller !== null) context.send(messageBuilder({ typename: caller.typename, id: caller.id, value: profile, valueType: UserProfileType }));
}

// ---------------------------------------------------------------------------------------------------------
// 6. Serving: the greeter of StateFun's showcase.
// ---------------------------------------------------------------------------------------------------------

function serving(context: Context, message: Message): void {
  const values = context.storage as { seen: number | null };
  const seen = (values.seen ?? 0) + 1;
  values.seen = seen;
  const { name } = message.as(GreetRequestType)!;
  report(context, 'greetings', `Hello ${name}! I've seen you ${seen} times!`);
}

/** Binds the showcase's functions to `statefun` (a new one by default) and returns it. */
export function showcaseFunctions(statefun = new StateFun()): StateFun {
  statefun.bind({ typename: 'showcase/types', fn: types });
  statefun.bind({ typename: 'showcase/messaging', fn: messaging });
  statefun.bind({ typename: 'showcase/egress', fn: egress });
  statefun.bind({
    typename: 'showcase/storage',
    fn: storage,
    specs: [
      { name: 'an_int', type: StateFun.intType() },
      { name: 'an_expiring_str', type: StateFun.stringType(), expireAfterWrite: 60 * 60 * 1000 },
      { name: 'greet_json', type: GreetRequestType },
    ],
  });
  statefun.bind({ typename: 'showcase/async', fn: asyncOps, specs: [{ name: 'user_profile', type: UserProfileType }] });
  statefun.bind({ typename: 'showcase/serving', fn: serving, specs: [{ name: 'seen', type: StateFun.intType() }] });
  return statefun;
}
