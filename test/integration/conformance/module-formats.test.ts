/**
 * The same functions (the playground greeter on the official JS SDK) bound by each module.yaml format StateFun
 * has had: `io.statefun.endpoints.v1/http` documents (3.0+), the single-document `version: "3.0"` format, and
 * StateFun 2.x's `version: "2.0"`, whose states are declared in the file — so the very first request already
 * carries them and the SDK never has to ask.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { greeterFunctions } from '../../../examples/statefun-playground/greeter/functions.js';
import { documents, playgroundYaml, put, type Running, type SdkEndpoint, serveSdk, startYamlApp, stateValues, takePayloads, type TempApp, tempApp } from './harness.js';

const FORMATS: Record<string, (url: string) => string> = {
  'io.statefun.endpoints.v1/http': (url) =>
    documents(
      `kind: io.statefun.endpoints.v1/http
spec:
  functions: example/*
  urlPathTemplate: ${url}/statefun
  maxNumBatchRequests: 100
  timeouts:
    call: 30 s
    connect: 5 s
    read: 10 s
    write: 10 s`,
      playgroundYaml(['greetings']),
    ),
  'version: "3.0"': (url) => `version: "3.0"
module:
  meta:
    type: remote
  spec:
    endpoints:
      - endpoint:
          meta:
            kind: http
          spec:
            functions: example/*
            urlPathTemplate: ${url}/{function.name}
            timeouts:
              call: 1 min
    ingresses:
      - ingress:
          meta:
            type: io.statefun.playground.v1/ingress
            id: io.statefun.playground/ingress
          spec:
            port: 8090
    egresses:
      - egress:
          meta:
            type: io.statefun.playground.v1/egress
            id: io.statefun.playground/egress
          spec:
            port: 8091
            topics:
              - greetings
`,
  'version: "2.0"': (url) => `version: "2.0"
module:
  meta:
    type: remote
  spec:
    functions:
      - function:
          meta:
            kind: http
            type: example/person
          spec:
            endpoint: ${url}/statefun
            states:
              - name: visits
            maxNumBatchRequests: 500
            timeout: 2min
      - function:
          meta:
            kind: http
            type: example/greeter
          spec:
            endpoint: ${url}/statefun
    ingresses:
      - ingress:
          meta:
            type: io.statefun.playground.v1/ingress
            id: io.statefun.playground/ingress
          spec:
            port: 8090
    egresses:
      - egress:
          meta:
            type: io.statefun.playground.v1/egress
            id: io.statefun.playground/egress
          spec:
            port: 8091
            topics: [greetings]
`,
};

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

describe.each(Object.keys(FORMATS))('the greeter bound by a %s module', (format) => {
  it('greetsAndKeepsTheVisitsInState', async () => {
    app = await tempApp({});
    endpoint = await serveSdk(greeterFunctions());
    await app.write('module.yaml', FORMATS[format]!(endpoint.url));
    dev = await startYamlApp(app);
    for (let i = 0; i < 2; i++) await put(dev, '/example/person/Bob', '{"name": "Bob"}', 'example/GreetRequest');
    expect(await takePayloads(dev, 'greetings', 2)).toEqual(['Welcome Bob', 'Nice to see you again Bob']);
    expect(await stateValues(app.dataDir, 'example/person/Bob')).toEqual({ visits: 2 });
    const outcomes = endpoint.requestsFor('example/person/Bob').map((r) => r.outcome);
    // Declared states (2.0) are sent from the first request on; otherwise the SDK asks for them once.
    expect(outcomes).toEqual(format === 'version: "2.0"' ? ['result', 'result'] : ['incomplete', 'result', 'result']);
  });
});
