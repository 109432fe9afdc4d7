import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../../core/errors.js';
import { show } from '../../core/typename.js';
import { decodePlaygroundEgressRecord, PLAYGROUND_EGRESS_RECORD_TYPENAME } from '../../module/playground.js';
import { Fifo } from '../../local/dev/fifo.js';
import { answerText, closeServer, HttpError, KEEP_ALIVE, listen } from '../../local/dev/http-util.js';

export interface PlaygroundEgressQueueOptions {
  readonly host: string;
  readonly port: number;
  readonly topics: readonly string[];
  readonly sqs: SQSClient;
  /** The SQS queue the playground egress is bound to (`STATEFUN_EGRESS_BINDINGS`). */
  readonly queueUrl: string;
  readonly warn: (message: string) => void;
}

export interface PlaygroundEgressQueue {
  readonly port: number;
  close(): Promise<void>;
}

interface Pending {
  readonly payload: Buffer;
  readonly receiptHandle: string;
}

/**
 * StateFun's playground egress on top of the AWS path: the dispatcher publishes playground records to an SQS
 * queue (as it would on AWS, where the construct binds the playground egress to a queue), and `GET /<topic>`
 * pops the oldest payload of a topic from what was received from that queue.
 *
 * Received messages stay in flight (a long visibility timeout) until popped, and are deleted then: a payload
 * is handed out at most once, and a restart before the pop finds it in the queue again.
 */
export async function startPlaygroundEgressQueue(options: PlaygroundEgressQueueOptions): Promise<PlaygroundEgressQueue> {
  const queues = new Map(options.topics.map((t) => [t, new Fifo<Pending>()]));
  const abort = new AbortController();
  let running = true;
  const receiveLoop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await options.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 43_200 }),
          { abortSignal: abort.signal },
        );
        for (const message of Messages) {
          const body = message.Body ?? '';
          try {
            const { topic, payload } = decodePlaygroundEgressRecord({ typename: PLAYGROUND_EGRESS_RECORD_TYPENAME, value: new TextEncoder().encode(body) }, options.topics);
            queues.get(topic)!.push({ payload: Buffer.from(payload, 'utf8'), receiptHandle: message.ReceiptHandle ?? '' });
          } catch (error) {
            options.warn(`playground egress: dropping ${show(body.slice(0, 80))}: ${describeError(error)}`);
            await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
          }
        }
      } catch (error) {
        if (!running) return;
        options.warn(`playground egress: receiving failed: ${describeError(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, `use GET /<topic>, not ${req.method ?? '?'}`, { allow: 'GET, POST' });
    const raw = (req.url ?? '/').split('?', 1)[0]!.slice(1);
    let topic: string;
    try {
      topic = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, `bad percent-encoding in ${show(raw)}`);
    }
    const queue = queues.get(topic);
    if (queue === undefined) throw new HttpError(404, `unknown topic ${show(topic)}; the topics are ${show(options.topics)}`);
    const item = queue.shift();
    if (item === undefined) {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
      return;
    }
    try {
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: item.receiptHandle }));
    } catch (error) {
      queue.unshift(item);
      throw new HttpError(503, `could not take the payload off the queue: ${describeError(error)}`);
    }
    res.writeHead(200, { 'content-length': item.payload.length });
    res.end(item.payload);
  };
  const server = createServer(KEEP_ALIVE, (req, res) => {
    handle(req, res).catch((error: unknown) => (error instanceof HttpError ? answerText(res, error.status, error.message, error.headers) : answerText(res, 500, String(error))));
  });
  const port = await listen(server, { host: options.host, port: options.port });
  return {
    port,
    close: async () => {
      running = false;
      abort.abort();
      await receiveLoop;
      await closeServer(server);
    },
  };
}
