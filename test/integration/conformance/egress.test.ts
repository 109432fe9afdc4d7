/**
 * Egress from the official JS SDK under `statefun dev`: playground egress records handed out by topic, and
 * Kafka and Kinesis egress records (`kafkaEgressMessage`, `kinesisEgressMessage`) written by the local log and
 * file sinks, or kept in the data directory for a StateFun Kafka egress that `statefun dev` does not deliver.
 */
import { readFile } from 'node:fs/promises';
import { type Context, egressMessageBuilder, kafkaEgressMessage, kinesisEgressMessage, type Message, StateFun } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../../runtime/local/dev/value-format.js';
import { readKafkaRecord, readKinesisRecord } from './protowire.js';
import { documents, endpointYaml, eventually, put, type Running, type SdkEndpoint, sdk, serveSdk, startYamlApp, takePayloads, type TempApp, PlaygroundEgressRecord, tempApp } from './harness.js';

const KAFKA_RECORD = 'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord';
const KINESIS_RECORD = 'type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord';

const publisher = {
  typename: 'conf/publisher',
  fn(ctx: Context, message: Message) {
    const text = message.asString()!;
    const playground = (topic: string, payload: string): void =>
      ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic, payload }, valueType: PlaygroundEgressRecord }));
    playground('first', `${ctx.self.id}:${text}`);
    playground('second', text.toUpperCase());
    ctx.send(kafkaEgressMessage({ typename: 'conf/kafka-log', topic: 'greetings', key: ctx.self.id, value: text }));
    ctx.send(kinesisEgressMessage({ typename: 'conf/kinesis-file', stream: 'greetings', partitionKey: ctx.self.id, hashKey: '42', value: { text }, valueType: StateFun.jsonType('conf/Text') }));
    ctx.send(kafkaEgressMessage({ typename: 'conf/kafka', topic: 'kept', key: ctx.self.id, value: 7, valueType: StateFun.intType() }));
  },
};

const MODULE = (url: string): string =>
  documents(
    endpointYaml({ functions: 'conf/*', urlPathTemplate: `${url}/{function.name}` }),
    `kind: io.statefun.playground.v1/egress
spec:
  port: 8091
  topics:
    - first
    - second`,
    `kind: io.statefun.playground.v1/ingress
spec:
  port: 8090`,
    `kind: io.statefun-aws.log.v1/egress
spec:
  id: conf/kafka-log
  format: json`,
    `kind: io.statefun-aws.file.v1/egress
spec:
  id: conf/kinesis-file
  path: out/kinesis.jsonl`,
    `kind: io.statefun.kafka.v1/egress
spec:
  id: conf/kafka
  address: kafka:9092
  deliverySemantic:
    type: exactly-once
    transactionTimeout: 15min`,
  );

let app: TempApp;
let dev: Running | undefined;
let endpoint: SdkEndpoint | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await endpoint?.close();
  endpoint = undefined;
  await app.remove();
});

interface JsonLine {
  readonly key: string;
  readonly egress: string;
  readonly typename: string;
  readonly base64: string;
  readonly source: string;
}

describe('egress with the official JS SDK', () => {
  it('handsOutPlaygroundRecordsByTopicAndWritesKafkaAndKinesisRecordsToTheLogAndFileSinks', async () => {
    app = await tempApp({});
    endpoint = await serveSdk(sdk(publisher));
    await app.write('module.yaml', MODULE(endpoint.url));
    dev = await startYamlApp(app);
    expect(dev.server.banner.join('\n')).toMatch(/warning: egress conf\/kafka \(io\.statefun\.kafka\.v1\/egress\): not delivered by statefun dev/);

    for (const text of ['hi', 'ho']) await put(dev, '/conf/publisher/p1', text);
    expect(await takePayloads(dev, 'first', 2)).toEqual(['p1:hi', 'p1:ho']);
    expect(await takePayloads(dev, 'second', 2)).toEqual(['HI', 'HO']);
    expect((await dev.egress('first')).status).toBe(404);
    expect((await dev.egress('nope')).status).toBe(404);

    // Kafka records on the log sink: one JSON line each, the KafkaProducerRecord as the SDK encoded it.
    await eventually(() => dev!.printed.join('\n').split('\n').length >= 2, 10_000, 'two log lines');
    const logged = dev.printed
      .join('\n')
      .split('\n')
      .map((l) => JSON.parse(l) as JsonLine);
    expect(logged.map((l) => [l.egress, l.typename, l.source])).toEqual([
      ['conf/kafka-log', KAFKA_RECORD, 'conf/publisher/p1'],
      ['conf/kafka-log', KAFKA_RECORD, 'conf/publisher/p1'],
    ]);
    const kafka = logged.map((l) => readKafkaRecord(fromBase64(l.base64)));
    expect(kafka.map((r) => [r.topic, r.key, r.value.toString('utf8')])).toEqual([
      ['greetings', 'p1', 'hi'],
      ['greetings', 'p1', 'ho'],
    ]);

    // Kinesis records in the file sink, in order, each once.
    const file = app.path('out/kinesis.jsonl');
    const lines = async (): Promise<JsonLine[]> =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as JsonLine);
    await eventually(async () => (await lines()).length === 2, 10_000, 'two file records');
    const kinesis = (await lines()).map((l) => ({ typename: l.typename, record: readKinesisRecord(fromBase64(l.base64)) }));
    expect(kinesis.map(({ typename, record }) => [typename, record.stream, record.partitionKey, record.explicitHashKey, JSON.parse(record.value.toString('utf8')) as unknown])).toEqual([
      [KINESIS_RECORD, 'greetings', 'p1', '42', { text: 'hi' }],
      [KINESIS_RECORD, 'greetings', 'p1', '42', { text: 'ho' }],
    ]);

    // The StateFun Kafka egress is accepted as declared; statefun dev keeps its records in the data directory.
    await eventually(() => dev!.server.backend.egressRecords('conf/kafka').length === 2, 10_000, 'two kept Kafka records');
    const kept = dev.server.backend.egressRecords('conf/kafka').map((r) => readKafkaRecord(r.argument.value));
    expect(kept.map((r) => [r.topic, r.key, r.value.toString('hex')])).toEqual([
      ['kept', 'p1', '0d07000000'],
      ['kept', 'p1', '0d07000000'],
    ]);
  });
});
