import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { EgressRecord } from '../../core/record.js';
import { show } from '../../core/typename.js';
import { decodePlaygroundEgressRecord, PLAYGROUND_EGRESS_ID } from '../../module/playground.js';
import type { LocalBackend } from '../backend.js';
import { Fifo } from './fifo.js';
import { answerError, answerText, closeServer, HttpError, KEEP_ALIVE, listen } from './http-util.js';
import type { RunningServer } from './playground-ingress.js';

/** Response header with the idempotency key of the record handed out. */
export const EGRESS_KEY_HEADER = 'statefun-egress-key';

interface Pending {
  readonly key: string;
  readonly payload: Buffer;
}

export interface PlaygroundEgressOptions {
  readonly port: number;
  readonly host: string;
  readonly topics: readonly string[];
  readonly backend: LocalBackend;
  /** Told about records that cannot be handed out (not an EgressRecord, unknown topic); they are dropped. */
  readonly warn: (message: string) => void;
}

export interface PlaygroundEgress extends RunningServer {
  /** Takes a record the runtime just made durable. */
  offer(record: EgressRecord): void;
  /** Payloads waiting per topic. */
  sizes(): Record<string, number>;
}

/**
 * StateFun's playground egress (`io.statefun.playground.v1/egress`): functions send `{"topic", "payload"}`
 * records to `io.statefun.playground/egress`, and `GET /<topic>` pops the oldest payload of that topic.
 *
 * Durable: the records wait in the data directory, and a pop is an acknowledgement written to the journal
 * before the payload is answered, so a restart neither serves a popped payload again nor loses one not yet
 * popped. (A process killed after that write but before the answer reached the client loses that one payload
 * for the client: the pop is at most once, as StateFun's.)
 *
 * Answers: `200` with the payload as body (and `Statefun-Egress-Key: <record key>`); `404` with an empty body
 * when the topic has nothing; `404` naming the topic when it is not one of `topics` (StateFun answers 405);
 * `405` for methods other than GET and POST; `503` when the pop could not be recorded.
 */
export async function startPlaygroundEgress(options: PlaygroundEgressOptions): Promise<PlaygroundEgress> {
  const { backend, topics } = options;
  const queues = new Map<string, Fifo<Pending>>(topics.map((t) => [t, new Fifo<Pending>()]));

  const offer = (record: EgressRecord): void => {
    if (record.egress !== PLAYGROUND_EGRESS_ID) return;
    try {
      const { topic, payload } = decodePlaygroundEgressRecord(record.argument, topics);
      queues.get(topic)!.push({ key: record.key, payload: Buffer.from(payload, 'utf8') });
    } catch (error) {
      options.warn(`playground egress: dropping record ${record.key} from ${record.source.typename}/${record.source.id}: ${(error as Error).message}`);
      void backend.ackEgress(PLAYGROUND_EGRESS_ID, [record.key]).catch(() => {});
    }
  };
  for (const record of backend.egressRecords(PLAYGROUND_EGRESS_ID)) offer(record);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, `use GET /<topic>, not ${req.method ?? '?'}`, { allow: 'GET, POST' });
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const raw = (query < 0 ? url : url.slice(0, query)).slice(1);
    let topic = raw;
    if (raw.includes('%')) {
      try {
        topic = decodeURIComponent(raw);
      } catch {
        throw new HttpError(400, `bad percent-encoding in ${show(raw)}`);
      }
    }
    const queue = queues.get(topic);
    if (queue === undefined) throw new HttpError(404, `unknown topic ${show(topic)}; the topics are ${show(topics)}`);
    const item = queue.shift();
    if (item === undefined) {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
      return;
    }
    try {
      await backend.ackEgress(PLAYGROUND_EGRESS_ID, [item.key]);
    } catch (error) {
      queue.unshift(item);
      throw new HttpError(503, `could not record the pop: ${(error as Error)?.message ?? String(error)}`);
    }
    res.writeHead(200, { [EGRESS_KEY_HEADER]: item.key, 'content-length': item.payload.length });
    res.end(item.payload);
  };
  const server = createServer(KEEP_ALIVE, (req, res) => {
    handle(req, res).catch((error: unknown) => (error instanceof HttpError ? answerError(res, error) : answerText(res, 500, String(error))));
  });
  const port = await listen(server, { port: options.port, host: options.host });
  return {
    port,
    offer,
    sizes: () => Object.fromEntries([...queues].map(([t, q]) => [t, q.size])),
    close: () => closeServer(server),
  };
}
