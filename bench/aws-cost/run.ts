/**
 * AWS requests and US$ per million messages on the AWS path, measured on the emulators.
 *
 *     node bench/run.mjs aws-cost [--messages 2000] [--memory-mb 256]
 *
 * A counter workload (one state value per address, no egress) runs through the real adapters and the real
 * dispatcher handler (functions/dispatcher.ts) against DynamoDB Local and the SQS emulator, every AWS request
 * counted by a middleware on the SDK clients, DynamoDB request units by the adapters' own tally (computed from
 * item sizes as DynamoDB bills them). Two shapes:
 *
 * - A, one message per address per turn: each producer call (an SQS-ingress batch, a turn fanning out)
 *   sends 10 messages to 10 addresses; Lambda delivers batches of 10 records from 10 message groups.
 * - B, bursts of 10 per address: each producer call is a function's turn sending 10 messages to one address,
 *   which the FIFO bus bundles into one SQS message; Lambda delivers it, and the 10 run as one turn.
 * - A via the HTTP API: shape A, each message entering through API Gateway and the HTTP ingress Lambda, one
 *   request per message (without and with an Idempotency-Key).
 *
 * Lambda's SQS event source is modelled as on AWS: one ReceiveMessage and one DeleteMessageBatch per batch
 * delivered (its polling of an empty queue is a fixed cost, not per message), and one invocation per batch.
 * The SQS emulator returns one message per group per receive, so the batches are built from the messages the
 * producer sent (as the unit tests do), and the dispatcher runs them against the emulators.
 *
 * Prices: us-east-1, on-demand, as published on the AWS pricing pages (SQS, DynamoDB, Lambda, API Gateway,
 * EventBridge Scheduler), checked 2025-11-01 (DynamoDB on-demand after its 2024-11-01 price cut). Free tiers
 * are ignored. Re-check them before quoting: see PRICES below.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { type Message, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createDispatcher } from '../../functions/dispatcher.js';
import { createHttpIngress } from '../../functions/http-ingress.js';
import { awsBackendWith } from '../../runtime/aws/aws-backend.js';
import { CapacityTally } from '../../runtime/aws/dynamodb/capacity.js';
import { DynamoDbStateStore } from '../../runtime/aws/dynamodb/state-store.js';
import { emulatorCredentials, EMULATOR_REGION, startDynamoDbLocal, startSchedulerEmulator, startSqsEmulator } from '../../runtime/aws/emulators/index.js';
import type { HttpApiEvent, SqsRecord } from '../../runtime/aws/lambda/events.js';
import { httpApiEvent, lambdaContext, sqsRecordOf } from '../../runtime/aws/local/event-builders.js';
import { provisionLocal } from '../../runtime/aws/local/provision.js';
import { discardMetrics, silentLogger } from '../../runtime/aws/observability.js';
import { bundleBodies, encodeMessageBody } from '../../runtime/aws/sqs/envelope-body.js';
import { messageGroupIdFor } from '../../runtime/aws/sqs/fifo-ids.js';
import { SqsFifoMessageBus } from '../../runtime/aws/sqs/message-bus.js';
import { type Address, addressKey } from '../../runtime/core/address.js';
import { type Envelope, ingressMessageId, messageId } from '../../runtime/core/envelope.js';
import { composeApp } from '../../runtime/module/app.js';
import { defineModule } from '../../runtime/module/embedded-module.js';
import { defineFunction, intType, valueSpec } from '../../runtime/sdk/index.js';

/** US$ per unit, us-east-1, checked 2025-11-01. */
const PRICES = {
  /** SQS FIFO queues: $0.50 per million requests (each 64 KB chunk of a request counts as one). */
  sqsFifoRequest: 0.5 / 1e6,
  /** DynamoDB on-demand: $0.625 per million write request units. */
  wru: 0.625 / 1e6,
  /** DynamoDB on-demand: $0.125 per million read request units (strongly consistent: 1 RRU per 4 KB). */
  rru: 0.125 / 1e6,
  /** Lambda: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda (x86): $0.0000166667 per GB-second. */
  lambdaGbSecond: 0.0000166667,
  /** EventBridge Scheduler: $1.00 per million scheduled invocations (API calls are not billed). */
  schedulerInvocation: 1.0 / 1e6,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million a month). */
  httpApiRequest: 1.0 / 1e6,
} as const;

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const MESSAGES = Number(args.get('messages') ?? 2000);
const MEMORY_GB = Number(args.get('memory-mb') ?? 256) / 1024;

/** Requests by service and command. */
class RequestCounter {
  readonly counts = new Map<string, number>();
  install<C extends DynamoDBClient | SQSClient | SchedulerClient>(service: string, client: C): C {
    (client.middlewareStack as { add: (mw: unknown, o: { step: string }) => void }).add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => (a: unknown) => {
        const key = `${service}:${(context.commandName ?? '?').replace(/Command$/, '')}`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
        return next(a);
      },
      { step: 'initialize' },
    );
    return client;
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  reset(): void {
    this.counts.clear();
  }
}

const counterFn = defineFunction({
  typename: 'bench/counter',
  specs: { count: valueSpec(intType) },
  handler(ctx) {
    ctx.storage.count = (ctx.storage.count ?? 0) + 1;
  },
});

type Shape = 'A' | 'B' | 'A-http' | 'A-http-key';

interface Row {
  readonly shape: Shape;
  readonly messages: number;
  readonly sqsSend: number;
  readonly sqsReceive: number;
  readonly sqsDelete: number;
  readonly sqsVisibility: number;
  readonly rru: number;
  readonly wru: number;
  readonly ddbRequests: number;
  readonly scheduler: number;
  readonly invocations: number;
  readonly gbSeconds: number;
  /** API Gateway requests. */
  readonly httpRequests: number;
}

function dollarsPerMillion(r: Row): { total: number; parts: Record<string, number> } {
  const per = 1e6 / r.messages;
  const parts = {
    sqs: (r.sqsSend + r.sqsReceive + r.sqsDelete + r.sqsVisibility) * PRICES.sqsFifoRequest * per,
    dynamodb: (r.rru * PRICES.rru + r.wru * PRICES.wru) * per,
    lambda: (r.invocations * PRICES.lambdaRequest + r.gbSeconds * PRICES.lambdaGbSecond) * per,
    scheduler: r.scheduler * PRICES.schedulerInvocation * per,
    apiGateway: r.httpRequests * PRICES.httpApiRequest * per,
  };
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/**
 * The floor the services allow for a shape, per message: one send (10 per SendMessageBatch), one receive, delete
 * and invocation per batch of 10, one strongly consistent read and one conditional write per turn (a record
 * under 1 KB), and the Lambda time actually measured.
 */
function floorOf(shape: Shape, messages: number, gbSeconds: number): Row {
  const batches = messages / 10;
  const turns = shape === 'B' ? messages / 10 : messages;
  // Through the HTTP API each request is one API Gateway request, one ingress invocation and one send.
  const http = shape === 'A-http' || shape === 'A-http-key' ? messages : 0;
  const keyed = shape === 'A-http-key' ? messages : 0;
  return {
    shape,
    messages,
    sqsSend: http > 0 ? http : batches,
    sqsReceive: batches,
    sqsDelete: batches,
    sqsVisibility: 0,
    rru: turns,
    wru: turns + keyed,
    ddbRequests: 2 * turns + keyed,
    scheduler: 0,
    invocations: batches + http,
    gbSeconds,
    httpRequests: http,
  };
}

async function main(): Promise<void> {
  const dynamodbLocal = await startDynamoDbLocal();
  const sqsEmulator = await startSqsEmulator();
  const scheduler = await startSchedulerEmulator({ sqsEndpoint: sqsEmulator.endpoint });
  const config = (endpoint: string) => ({ endpoint, region: EMULATOR_REGION, credentials: emulatorCredentials() });
  const requests = new RequestCounter();
  const clients = {
    dynamodb: requests.install('dynamodb', new DynamoDBClient(config(dynamodbLocal.endpoint))),
    sqs: requests.install('sqs', new SQSClient(config(sqsEmulator.endpoint))),
    scheduler: requests.install('scheduler', new SchedulerClient(config(scheduler.endpoint))),
  };
  const capacity = new CapacityTally();
  try {
    const model = await composeApp({ modules: [defineModule({ name: 'bench', configure: (_c, b) => b.bindFunction(counterFn) })] });
    const resources = await provisionLocal(model, { ...clients, prefix: `bench-${randomUUID().slice(0, 6)}`, visibilityTimeoutSeconds: 180 });
    const dispatcher = createDispatcher({
      app: model,
      env: resources.env,
      clients,
      backend: awsBackendWith({ capacity }),
      logger: silentLogger,
      metrics: discardMetrics,
    });
    const viaHttp: Envelope[] = [];
    const httpIngress = createHttpIngress({
      app: model,
      env: resources.env,
      clients,
      backend: (context) => {
        const backend = awsBackendWith({ capacity })(context);
        return { ...backend, bus: { send: async (m) => (await backend.bus.send(m), void viaHttp.push(...m)) } };
      },
      logger: silentLogger,
      metrics: discardMetrics,
    });
    const bus = new SqsFifoMessageBus({ client: clients.sqs, queueUrl: resources.queue.url });
    const store = new DynamoDbStateStore({ client: clients.dynamodb, tableName: resources.tableName });

    const run = async (shape: Shape, messages: number): Promise<Row> => {
      const perAddress = shape === 'B' ? 10 : 1;
      const addresses: Address[] = Array.from({ length: messages / perAddress }, (_, i) => ({ typename: 'bench/counter', id: `${shape}-${randomUUID().slice(0, 8)}-${i}` }));
      // A: messages from a producer (an SQS-ingress batch), ten addresses per call. B: a function's turn sending
      // ten messages to one address — which the bus bundles into one SQS message.
      const incarnation = Date.now();
      const envelope = (to: Address, n: number): Envelope => {
        if (shape === 'B') {
          const sender: Address = { typename: 'bench/producer', id: to.id };
          return {
            id: messageId(addressKey(sender), incarnation, 1, n),
            target: to,
            caller: sender,
            argument: { typename: 'bench/tick', value: new Uint8Array([n]) },
            origin: { kind: 'function', sender, incarnation, turn: 1, index: n, sentAt: Date.now() },
          };
        }
        const key = randomUUID();
        return { id: ingressMessageId(key), target: to, caller: undefined, argument: { typename: 'bench/tick', value: new Uint8Array([n]) }, origin: { kind: 'ingress', key, keyed: false, acceptedAt: Date.now() } };
      };
      // Warm the containers (clients, spec lookup) outside the measurement, as long-lived Lambdas would be.
      await dispatcher({ Records: [record(envelope({ typename: 'bench/counter', id: `warm-${shape}` }, 0), resources.queue.arn)] }, lambdaContext(30_000));
      await httpIngress(tick({ typename: 'bench/counter', id: `warm-${shape}` }, undefined), lambdaContext(29_000));
      requests.reset();
      capacity.reset();
      let invocations = 0;
      let batches = 0;
      let billedMs = 0;
      let httpRequests = 0;
      // The producer's calls: A sends 10 addresses per call, B one address's burst of 10 per call, A-http one
      // message per request through the HTTP ingress handler.
      let calls: Envelope[][];
      if (shape === 'A-http' || shape === 'A-http-key') {
        viaHttp.length = 0;
        for (const a of addresses) {
          const started = performance.now();
          const answer = await httpIngress(tick(a, shape === 'A-http-key' ? randomUUID() : undefined), lambdaContext(29_000));
          billedMs += Math.ceil(performance.now() - started);
          invocations++;
          httpRequests++;
          if (answer.statusCode !== 202) throw new Error(`HTTP ingress answered ${answer.statusCode}: ${answer.body ?? ''}`);
        }
        calls = chunks(viaHttp, 10);
      } else {
        calls = shape === 'A' ? chunks(addresses.map((a) => envelope(a, 0)), 10) : addresses.map((a) => Array.from({ length: 10 }, (_, n) => envelope(a, n)));
        for (const call of calls) await bus.send(call);
      }
      const sqsSend = requests.get('sqs:SendMessageBatch') + requests.get('sqs:SendMessage');
      for (const batch of calls) {
        const started = performance.now();
        // The SQS messages the bus made of the call (one per message, or bundles), as Lambda would deliver them.
        const response = await dispatcher({ Records: bundleBodies(batch).map((part) => record(part.envelopes[0]!, resources.queue.arn, part.body)) }, lambdaContext(30_000));
        billedMs += Math.ceil(performance.now() - started);
        invocations++;
        batches++;
        if (response.batchItemFailures.length > 0) throw new Error(`shape ${shape}: ${response.batchItemFailures.length} records failed`);
      }
      const tally = capacity.snapshot().total;
      const row: Row = {
        shape,
        messages,
        sqsSend,
        // Lambda's event source: one receive and one delete per batch delivered.
        sqsReceive: batches,
        sqsDelete: batches,
        sqsVisibility: requests.get('sqs:ChangeMessageVisibilityBatch') + requests.get('sqs:ChangeMessageVisibility'),
        rru: tally.rru,
        wru: tally.wru,
        ddbRequests: [...requests.counts].filter(([k]) => k.startsWith('dynamodb:')).reduce((s, [, n]) => s + n, 0),
        scheduler: requests.get('scheduler:CreateSchedule'),
        invocations,
        gbSeconds: (billedMs / 1000) * MEMORY_GB,
        httpRequests,
      };
      // Every counter must hold its messages, or the numbers mean nothing.
      for (const a of [addresses[0]!, addresses[addresses.length - 1]!]) {
        const value = (await store.load(a)).values.get('count');
        const count = value === undefined ? 0 : intType.deserialize(value.value);
        if (count !== perAddress) throw new Error(`shape ${shape}: ${addressKey(a)} counted ${count}, expected ${perAddress}`);
      }
      await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: resources.queue.url }));
      return row;
    };

    const rows = [await run('A', MESSAGES), await run('B', MESSAGES), await run('A-http', MESSAGES), await run('A-http-key', MESSAGES)];
    await dispatcher.close();
    await httpIngress.close();
    print(rows);
  } finally {
    for (const c of Object.values(clients)) c.destroy();
    await scheduler.stop();
    await sqsEmulator.stop();
    await dynamodbLocal.stop();
  }
}

/** A record of the FIFO queue carrying `envelope`, as Lambda delivers it. */
function record(envelope: Envelope, arn: string, body = encodeMessageBody(envelope)): SqsRecord {
  const now = String(Date.now());
  const message: Message = {
    MessageId: randomUUID(),
    ReceiptHandle: randomUUID(),
    Body: body,
    Attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, ApproximateFirstReceiveTimestamp: now, SenderId: 'bench', MessageGroupId: messageGroupIdFor(addressKey(envelope.target)) },
  };
  return sqsRecordOf(message, { arn, region: EMULATOR_REGION });
}

/** An API Gateway request carrying one tick to `to`, with an Idempotency-Key when given. */
function tick(to: Address, key: string | undefined): HttpApiEvent {
  const headers: Record<string, string> = { 'content-type': 'application/vnd.bench/tick', host: 'api.example.com' };
  if (key !== undefined) headers['idempotency-key'] = key;
  return httpApiEvent({ method: 'POST', url: `/bench/counter/${encodeURIComponent(to.id)}`, headers, body: new Uint8Array([1]) });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const NAMES: Record<Shape, string> = {
  A: 'A  1 message/address/turn',
  B: 'B  bursts of 10 per address',
  'A-http': 'A  via HTTP API',
  'A-http-key': 'A  via HTTP API + Idem.-Key',
};

function print(rows: readonly Row[]): void {
  const per = (r: Row, n: number): string => (n / r.messages).toFixed(3);
  const lines = [
    `AWS requests per message and US$ per million messages (counter workload, ${MESSAGES} messages per shape, Lambda at ${MEMORY_GB * 1024} MB)`,
    '',
    'shape                           API GW send   recv   del    vis    RRU    WRU    DDB req  λ inv  λ GB-s     $/M    floor $/M  vs floor',
  ];
  for (const r of rows) {
    const cost = dollarsPerMillion(r);
    const floor = dollarsPerMillion(floorOf(r.shape, r.messages, r.gbSeconds));
    const name = NAMES[r.shape];
    lines.push(
      `${name.padEnd(31)} ${per(r, r.httpRequests)}  ${per(r, r.sqsSend)}  ${per(r, r.sqsReceive)}  ${per(r, r.sqsDelete)}  ${per(r, r.sqsVisibility)}  ${per(r, r.rru)}  ${per(r, r.wru)}  ${per(r, r.ddbRequests).padStart(6)}  ${per(r, r.invocations)}  ${(r.gbSeconds / r.messages).toExponential(2)}  ${cost.total.toFixed(3).padStart(6)}  ${floor.total.toFixed(3).padStart(9)}  ${((cost.total / floor.total - 1) * 100).toFixed(0).padStart(5)} %`,
    );
    lines.push(
      `${''.padEnd(31)} $/M by service: API Gateway ${cost.parts.apiGateway!.toFixed(3)}, SQS ${cost.parts.sqs!.toFixed(3)}, DynamoDB ${cost.parts.dynamodb!.toFixed(3)}, Lambda ${cost.parts.lambda!.toFixed(3)}, Scheduler ${cost.parts.scheduler!.toFixed(3)}`,
    );
  }
  lines.push(
    '',
    'floor: one SQS send per message in batches of 10 (through the HTTP API: one per request), one receive, delete and Lambda',
    'invocation per batch of 10, one read and one write unit per turn (B: a turn per 10 messages), one write unit per',
    'Idempotency-Key, one API Gateway request and ingress invocation per HTTP request, and the Lambda time measured here.',
    'Lambda time is measured on this machine against the emulators (billed per started ms): an assumption, not AWS.',
  );
  const b = rows.find((r) => r.shape === 'B');
  if (b !== undefined && b.sqsSend / b.messages > 0.15) {
    lines.push(
      '',
      `B's gap is its sends: ${(b.sqsSend / b.messages).toFixed(2)} SendMessageBatch requests per message instead of 0.10. The FIFO bus puts at most`,
      'one message of a group in each request round (runtime/aws/sqs/batches.ts: a failed entry followed by an accepted',
      'one of the same group would reorder them, and receivers drop a sender\'s earlier message arriving after a later one),',
      'so a burst of 10 to one address is 10 requests. Bursts to many addresses sent together still share requests.',
    );
  }
  console.log(lines.join('\n'));
}

await main();
