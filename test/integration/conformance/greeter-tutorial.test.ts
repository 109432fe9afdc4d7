/**
 * StateFun's playground greeter (examples/statefun-playground/greeter) end to end under `statefun dev`: its
 * module.yaml as written for StateFun, its functions on the official JS SDK, and the README's curl commands.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { greeterFunctions } from '../../../examples/statefun-playground/greeter/functions.js';
import { stateValues } from './harness.js';
import { curl, curlCommands, curlUntilFound, startTutorial, type Tutorial } from './tutorials.js';

let tutorial: Tutorial | undefined;

afterEach(async () => {
  await tutorial?.stop();
  tutorial = undefined;
});

describe('the greeter tutorial', () => {
  it('greetsBobOnEachVisitAsTheTutorialShowsWithTheVisitsKeptInState', async () => {
    tutorial = await startTutorial('greeter', greeterFunctions());
    const { dev, readme } = tutorial;
    const [greet, read] = curlCommands(readme);
    expect(greet).toBe(`curl -X PUT -H "Content-Type: application/vnd.example/GreetRequest" -d '{"name": "Bob"}' localhost:8090/example/person/Bob`);
    expect(read).toBe('curl -X GET localhost:8091/greetings');

    const greetings = ['Welcome Bob', 'Nice to see you again Bob', 'Third time is a charm Bob', 'Nice to see you at the 4-nth time Bob!'];
    for (const expected of greetings) {
      expect(await curl(dev, greet!)).toEqual({ status: 200, body: '' });
      expect(await curlUntilFound(dev, read!)).toBe(expected);
    }
    expect((await curl(dev, read!)).status).toBe(404);
    expect(await stateValues(tutorial.app.dataDir, 'example/person/Bob')).toEqual({ visits: 4 });
    // The greeter keeps no state; the person's registration came from the SDK.
    expect(await stateValues(tutorial.app.dataDir, 'example/greeter/Bob')).toEqual({});
    expect(tutorial.endpoint.requestsFor('example/person/Bob').map((r) => r.outcome)).toEqual(['incomplete', 'result', 'result', 'result', 'result']);
  });

  it('keepsEachPersonsVisitsApartAndAcrossARestart', async () => {
    tutorial = await startTutorial('greeter', greeterFunctions());
    const { dev, readme } = tutorial;
    const [greet, read] = curlCommands(readme);
    const alice = greet!.replace('"Bob"', '"Alice"').replace('/Bob', '/Alice');
    await curl(dev, greet!);
    expect(await curlUntilFound(dev, read!)).toBe('Welcome Bob');
    await curl(dev, alice);
    expect(await curlUntilFound(dev, read!)).toBe('Welcome Alice');

    const again = await tutorial.restart();
    await curl(again, alice);
    expect(await curlUntilFound(again, read!)).toBe('Nice to see you again Alice');
  });
});
