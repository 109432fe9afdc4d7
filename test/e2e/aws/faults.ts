/**
 * Fault injection on the AWS path: rules armed on the SDK clients (a middleware before the SDK's own retries,
 * so a fault reaches the adapters as if the retries were spent) and on the local Lambda stand-ins.
 *
 * A rule matches one command (and optionally its input), fires a bounded number of times, and either fails
 * the call before it reaches the emulator (`before`: nothing happened) or after (`after`: it took effect and
 * the answer was lost, which is how a crash right after a write looks to the writer).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaContext } from '../../../runtime/aws/lambda/events.js';

type Client = DynamoDBClient | SQSClient | SchedulerClient;

export interface FaultRule {
  /** Names the fault in reports. */
  readonly name: string;
  /** SDK command name, e.g. `PutItemCommand`. */
  readonly command: string;
  readonly when?: (input: Record<string, unknown>) => boolean;
  /** How many times to fire. */
  remaining: number;
  readonly at: 'before' | 'after';
  /** What the call fails with; `'swallow'` answers success without calling the service. */
  readonly error: (() => Error) | 'swallow';
  /**
   * The Lambda invocation dies here (a crash, a timeout, an out-of-memory kill): every later AWS call of the
   * invocation fails, and the handler does not answer (see {@link dyingHandler}), so no visibility change and
   * no delete happen: the batch comes back after its visibility timeout.
   */
  readonly hard?: boolean;
  /** How often it fired. */
  injected: number;
}

/** The faults armed on a set of clients. */
export class FaultPlan {
  readonly rules: FaultRule[] = [];

  arm(rule: Omit<FaultRule, 'injected' | 'remaining'> & { readonly times: number }): FaultRule {
    const { times, ...rest } = rule;
    const armed: FaultRule = { ...rest, remaining: times, injected: 0 };
    this.rules.push(armed);
    return armed;
  }

  disarm(): void {
    for (const rule of this.rules) rule.remaining = 0;
  }

  /** Injections by rule name. */
  report(): Record<string, number> {
    return Object.fromEntries(this.rules.map((r) => [r.name, r.injected]));
  }

  private take(command: string, input: Record<string, unknown>): FaultRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.command === command && (r.when === undefined || r.when(input)));
    if (rule === undefined) return undefined;
    rule.remaining--;
    rule.injected++;
    return rule;
  }

  /** Arms the plan on `client` (call once per client). */
  install<C extends Client>(client: C): C {
    (client.middlewareStack as { add: (mw: unknown, options: { step: string; name: string }) => void }).add(
      (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const current = invocation.getStore();
          if (current?.dead === true) throw crash();
          const rule = this.take(context.commandName ?? '', args.input);
          if (rule === undefined) return next(args);
          if (rule.hard === true && current !== undefined) {
            if (rule.at === 'after') await next(args);
            current.dead = true;
            throw crash();
          }
          if (rule.error === 'swallow') return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
          if (rule.at === 'before') throw rule.error();
          await next(args);
          throw rule.error();
        },
      { step: 'initialize', name: 'statefunFaults' },
    );
    return client;
  }
}

/** The invocation an AWS call belongs to, for faults that kill it. */
const invocation = new AsyncLocalStorage<{ dead: boolean }>();

/** A handler as the local Lambda stand-ins call it. */
export interface Handler<E, R> {
  (event: E, context: LambdaContext): Promise<R>;
  close(): Promise<void>;
}

/** Wraps a handler so that a hard fault kills its invocation: it throws instead of answering. */
export function dyingHandler<E, R>(handler: Handler<E, R>): Handler<E, R> {
  const wrapped = (event: E, context: LambdaContext): Promise<R> =>
    invocation.run({ dead: false }, async () => {
      const result = await handler(event, context);
      if (invocation.getStore()?.dead === true) throw crash();
      return result;
    });
  return Object.assign(wrapped, { close: () => handler.close() });
}

/** An SDK-shaped service error. */
export function awsError(name: string, status: number, message = `injected ${name}`): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

export const throttled = (): Error => awsError('ProvisionedThroughputExceededException', 400, 'injected: the request rate is too high');
export const serverError = (): Error => awsError('InternalServerError', 500, 'injected: internal server error');
export const conditionFailed = (): Error => awsError('ConditionalCheckFailedException', 400, 'injected: the conditional request failed');
/** A worker that died: the call never answers, as far as the caller can tell. */
export const crash = (): Error => Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });

/** Matches the record item (`sk = r`) of an address whose key starts with `prefix`, in a Get/Put/Update input. */
export function recordOf(prefix: string): (input: Record<string, unknown>) => boolean {
  return (input) => {
    const item = (input.Item ?? input.Key) as Record<string, { S?: string }> | undefined;
    return item?.sk?.S === 'r' && (item.pk?.S ?? '').startsWith(prefix);
  };
}

/** Matches a send to the queue `url`. */
export function toQueue(url: string): (input: Record<string, unknown>) => boolean {
  return (input) => input.QueueUrl === url;
}

/** Matches a record item of `prefix` whose new version is at least `version` (its first commits are plain adds). */
export function recordFromVersion(prefix: string, version: number): (input: Record<string, unknown>) => boolean {
  const record = recordOf(prefix);
  return (input) => record(input) && Number((input.Item as Record<string, { N?: string }> | undefined)?.v?.N ?? '0') >= version;
}

/** Matches a batch send to `url` carrying messages that functions sent (a release), not ingress messages. */
export function releaseTo(url: string, decode: (body: string) => { origin: { kind: string } }): (input: Record<string, unknown>) => boolean {
  return (input) => {
    if (input.QueueUrl !== url) return false;
    const entries = (input.Entries as Array<{ MessageBody?: string }> | undefined) ?? [];
    return entries.some((e) => {
      try {
        return decode(e.MessageBody ?? '').origin.kind === 'function';
      } catch {
        return false;
      }
    });
  };
}
