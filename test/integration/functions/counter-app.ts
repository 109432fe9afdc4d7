/**
 * The app of the handler integration tests and the end-to-end fault tests: counters that add, forward, delay
 * and cancel, each applied `add` writing one egress record with a deterministic key to an SQS FIFO queue.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { IDEMPOTENCY_KEY_ATTRIBUTE } from '../../../runtime/aws/egress/attributes.js';
import { composeApp, type AppModel } from '../../../runtime/module/app.js';
import { defineModule } from '../../../runtime/module/embedded-module.js';
import type { Context } from '../../../runtime/sdk/function.js';
import { defineFunction, intType, jsonType, TerminalError, valueSpec } from '../../../runtime/sdk/index.js';

export type Command =
  | { readonly op: 'add'; readonly n: number; readonly ref: string }
  | { readonly op: 'forward'; readonly to: string; readonly n: number; readonly ref: string }
  | { readonly op: 'fan'; readonly n: number; readonly to: string; readonly m: number; readonly ref: string }
  | { readonly op: 'slow'; readonly ms: number; readonly n: number; readonly ref: string }
  | { readonly op: 'delay'; readonly ms: number; readonly n: number; readonly ref: string; readonly token?: string }
  | { readonly op: 'cancel'; readonly token: string }
  | { readonly op: 'fail'; readonly ref: string }
  | { readonly op: 'poison'; readonly ref: string };

export const CommandType = jsonType<Command>('it/Command');
export const OutType = jsonType<{ readonly id: string; readonly ref: string; readonly count: number }>('it/Out');

/** Ids whose `fail` commands fail while listed (a passing failure), and whose `poison` commands park while listed. */
export const failing = new Set<string>();
/** Refs of `slow` commands that slept already: each sleeps on its first invocation only. */
const slept = new Set<string>();

const specs = { count: valueSpec(intType) };

function add(ctx: Context<typeof specs>, n: number, ref: string): void {
  const count = (ctx.storage.count ?? 0) + n;
  ctx.storage.count = count;
  ctx.sendEgress({ egress: 'it/out', value: { id: ctx.self.id, ref, count }, type: OutType });
}

export const counter = defineFunction({
  typename: 'it/counter',
  specs,
  accepts: CommandType,
  async handler(ctx, message) {
    const command = message.as(CommandType);
    switch (command.op) {
      case 'add':
        add(ctx, command.n, command.ref);
        return;
      case 'fan':
        add(ctx, command.n, command.ref);
        ctx.send({ to: counter, id: command.to, value: { op: 'add', n: command.m, ref: `${command.ref}>` } });
        return;
      case 'slow':
        if (!slept.has(command.ref)) {
          slept.add(command.ref);
          await new Promise((resolve) => setTimeout(resolve, command.ms));
        }
        add(ctx, command.n, command.ref);
        return;
      case 'forward':
        ctx.send({ to: counter, id: command.to, value: { op: 'add', n: command.n, ref: command.ref } });
        return;
      case 'delay':
        ctx.sendAfter({ milliseconds: command.ms }, { to: counter, id: ctx.self.id, value: { op: 'add', n: command.n, ref: command.ref } }, command.token === undefined ? {} : { cancellationToken: command.token });
        return;
      case 'cancel':
        ctx.cancelDelayedMessage(command.token);
        return;
      case 'fail':
        if (failing.has(ctx.self.id)) throw new Error(`injected failure of ${command.ref} at ${ctx.self.id}`);
        return;
      case 'poison':
        if (failing.has(ctx.self.id)) throw new TerminalError(`poison ${command.ref} at ${ctx.self.id}`);
        return;
    }
  },
});

/**
 * A counter served remotely (StateFun's request-reply protocol): it only adds. Serve it with
 * `createRequestReplyHandler([remoteCounter])`.
 */
export const remoteCounter = defineFunction({
  typename: 'it/remote',
  specs,
  accepts: CommandType,
  handler(ctx, message) {
    const command = message.as(CommandType);
    if (command.op === 'add') add(ctx, command.n, command.ref);
  },
});

/**
 * The app with its queues named after `prefix`: an SQS ingress, a routed HTTP ingress (`POST /api/counters/{name}`,
 * and `POST /api/remote/{name}` when `remoteUrl` serves `it/remote`), the FIFO egress.
 */
export function counterApp(prefix: string, options: { readonly remoteUrl?: string; readonly callTimeout?: string } = {}): Promise<AppModel> {
  const remote = options.remoteUrl;
  return composeApp({
    modules: [
      defineModule({
        name: 'it',
        configure(_config, binder) {
          binder.bindFunction(counter);
          if (remote !== undefined) {
            binder.bindEndpoint({
              kind: 'io.statefun.endpoints.v2/http',
              spec: { functions: 'it/remote', urlPathTemplate: `${remote}/{function.name}`, transport: { type: 'io.statefun.transports.v1/async', call: options.callTimeout ?? '2s' } },
            });
          }
          binder.bindEgress({ kind: 'io.statefun-aws.sqs.v1/egress', spec: { id: 'it/out', queue: `${prefix}-out.fifo` } });
          binder.bindIngress({
            kind: 'io.statefun-aws.sqs.v1/ingress',
            spec: { id: 'it/orders', queue: `${prefix}-orders`, valueType: 'it/Command', targets: ['it/counter'], idFrom: { type: 'message-attribute', name: 'who' } },
          });
          binder.bindIngress({
            kind: 'io.statefun-aws.http.v1/ingress',
            spec: {
              id: 'it/api',
              basePath: '/api',
              auth: { type: 'none' },
              routes: [
                { method: 'POST' as const, path: '/counters/{name}', valueType: 'it/Command', targets: ['it/counter'] },
                ...(remote !== undefined ? [{ method: 'POST' as const, path: '/remote/{name}', valueType: 'it/Command', targets: ['it/remote'] }] : []),
              ],
            },
          });
        },
      }),
    ],
  });
}

/** Egress records as received from the egress queue. */
export interface ReceivedRecord {
  readonly key: string;
  readonly id: string;
  readonly ref: string;
  readonly count: number;
}

/** Receives (and deletes) every message now in the egress queue. */
export async function drainEgress(sqs: SQSClient, queueUrl: string): Promise<ReceivedRecord[]> {
  const out: ReceivedRecord[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    if (Messages.length === 0) return out;
    for (const m of Messages) {
      const value = JSON.parse(m.Body ?? '{}') as { id: string; ref: string; count: number };
      out.push({ key: m.MessageAttributes?.[IDEMPOTENCY_KEY_ATTRIBUTE]?.StringValue ?? '', ...value });
    }
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
}
