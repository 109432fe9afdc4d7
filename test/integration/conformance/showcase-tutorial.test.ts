/**
 * The SDK showcase (examples/statefun-playground/showcase) end to end under `statefun dev`: its module.yaml
 * (with StateFun's Kafka and Kinesis components, which `statefun dev` reports as not served), its functions on the
 * official JS SDK, and the README's curl commands with the outputs it documents.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { showcaseFunctions } from '../../../examples/statefun-playground/showcase/functions.js';
import { eventually, stateValues, stateView } from './harness.js';
import { readKafkaRecord, readKinesisRecord } from './protowire.js';
import { curl, curlCommands, curlUntilFound, startTutorial, type Tutorial } from './tutorials.js';

let tutorial: Tutorial | undefined;

afterEach(async () => {
  await tutorial?.stop();
  tutorial = undefined;
});

/** The README's command that contains `part` (exactly one). */
function command(readme: string, part: string): string {
  const found = curlCommands(readme).filter((c) => c.includes(part));
  if (found.length !== 1) throw new Error(`expected one curl command with ${part} in the README, found ${found.length}`);
  return found[0]!;
}

describe('the showcase', () => {
  it('runsEachPartAsItsReadmeShows', async () => {
    tutorial = await startTutorial('showcase', showcaseFunctions());
    const { dev, readme, app } = tutorial;
    const banner = dev.server.banner.join('\n');
    expect(banner).toContain('warning: ingress showcase/names (io.statefun.kafka.v1/ingress): not served by statefun dev');
    expect(banner).toContain('warning: egress showcase/kafka-egress (io.statefun.kafka.v1/egress): not delivered by statefun dev');
    expect(banner).toContain('warning: egress showcase/kinesis-egress (io.statefun.kinesis.v1/egress): not delivered by statefun dev');
    const get = (topic: string): Promise<string> => curlUntilFound(dev, command(readme, `localhost:8091/${topic}`));

    // Serving.
    const greet = command(readme, '/showcase/serving/Bob');
    await curl(dev, greet);
    expect(await get('greetings')).toBe("Hello Bob! I've seen you 1 times!");
    await curl(dev, greet);
    expect(await get('greetings')).toBe("Hello Bob! I've seen you 2 times!");

    // Messaging and types.
    expect(await curl(dev, command(readme, '/showcase/messaging/m1'))).toEqual({ status: 200, body: '' });
    expect(await get('messaging')).toBe('string Hi from an ingress');
    expect(await get('messaging')).toBe('string hello! from myself');
    await curl(dev, command(readme, '/showcase/types/6'));
    const types: string[] = [];
    for (let i = 0; i < 8; i++) types.push(await get('types'));
    expect(types.sort()).toEqual([
      '0: string Hello there!',
      '1: int 42',
      '2: float 3.5',
      '3: boolean true',
      '4: GreetRequest {"name":"Joe"}',
      '5: UserProfile Jane likes pistachio and Columbo',
      '6: UserProfile Ann likes vanilla and Friends',
      '7: string Hello from the future',
    ]);

    // Storage.
    const visit = command(readme, '/showcase/storage/s1');
    await curl(dev, visit);
    expect(await get('storage')).toBe('an_int=null an_expiring_str=null greet_json=null');
    await curl(dev, visit);
    expect(await get('storage')).toBe('an_int=42 an_expiring_str=written at visit 1 greet_json={"name":"s1"}');
    await eventually(async () => (await stateValues(app.dataDir, 'showcase/storage/s1')).an_int === 43, 10_000, 'the second visit stored');
    expect(await stateValues(app.dataDir, 'showcase/storage/s1')).toEqual({ an_int: 43, an_expiring_str: 'written at visit 2' });
    const expiring = (await stateView(dev, 'showcase/storage/s1')).values.find((v) => v.name === 'an_expiring_str');
    expect(expiring?.expiresAt).toBeGreaterThan(Date.now());

    // Async.
    await curl(dev, command(readme, '/showcase/async/Bob'));
    expect(await get('async')).toBe('Bob likes mint chocolate chip and The Office');
    expect(await stateValues(app.dataDir, 'showcase/async/Bob')).toEqual({ user_profile: Buffer.from('Bob|mint chocolate chip|The Office').toString('base64') });

    // Egress: kept in the data directory, as the SDK encoded them.
    await curl(dev, command(readme, '/showcase/egress/e1'));
    await eventually(() => dev.server.backend.egressRecords('showcase/kinesis-egress').length === 1, 10_000, 'a Kinesis record');
    const [kafka] = dev.server.backend.egressRecords('showcase/kafka-egress').map((r) => readKafkaRecord(r.argument.value));
    expect([kafka?.topic, kafka?.key, kafka?.value.toString()]).toEqual(['my-kafka-topic', 'e1', 'my-utf8-value']);
    const [kinesis] = dev.server.backend.egressRecords('showcase/kinesis-egress').map((r) => readKinesisRecord(r.argument.value));
    expect([kinesis?.stream, kinesis?.partitionKey, kinesis?.explicitHashKey, kinesis?.value.toString()]).toEqual(['a-stream', 'e1', 'hash-key', 'a value']);

    // Every topic read to the end.
    for (const topic of ['types', 'messaging', 'storage', 'async', 'greetings']) expect((await dev.egress(topic)).status, topic).toBe(404);
  });
});
