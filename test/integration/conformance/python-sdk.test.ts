/**
 * A second client: the greeter written with the official StateFun Python SDK (python/greeter.py), served over
 * HTTP by a Python process, under `statefun dev` with the greeter tutorial's module.yaml, driven by its README's
 * curl commands.
 *
 * Optional: the Python SDK is on no registry this project uses. The test skips, saying why, unless
 * `STATEFUN_PYTHON_SDK` names a `statefun-sdk-python` folder with its protobuf modules generated, and
 * `/usr/bin/python3` (or `STATEFUN_PYTHON`) imports `google.protobuf`. See python/README.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stateValues } from './harness.js';
import { curl, curlCommands, curlUntilFound, startTutorial, type TutorialApp } from './tutorials.js';

const GREETER = resolve(import.meta.dirname, 'python/greeter.py');

/** Why the Python SDK cannot run here, or undefined when it can. */
function whyNot(sdk: string | undefined, python: string): string | undefined {
  if (sdk === undefined || sdk === '') {
    return 'STATEFUN_PYTHON_SDK is not set: point it at a statefun-sdk-python folder of apache/flink-statefun with generated protobuf modules (test/integration/conformance/python/README.md)';
  }
  if (!existsSync(join(sdk, 'statefun', '__init__.py'))) return `STATEFUN_PYTHON_SDK=${sdk} holds no statefun/__init__.py: it must be the statefun-sdk-python folder`;
  if (!existsSync(join(sdk, 'statefun', 'request_reply_pb2.py'))) {
    return `STATEFUN_PYTHON_SDK=${sdk} has no statefun/request_reply_pb2.py: generate the protobuf modules with protoc (test/integration/conformance/python/README.md)`;
  }
  try {
    execFileSync(python, ['-c', 'import google.protobuf, statefun'], { env: { ...process.env, PYTHONPATH: sdk }, stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? (error as Error).message;
    return `${python} cannot import the SDK and google.protobuf (apt-get install python3-protobuf): ${stderr}`;
  }
  return undefined;
}

let tutorial: TutorialApp | undefined;
let python: ChildProcess | undefined;

afterEach(async () => {
  await tutorial?.stop();
  tutorial = undefined;
  if (python !== undefined && python.exitCode === null && python.signalCode === null) {
    const exited = new Promise((done) => python!.once('exit', done));
    python.kill('SIGTERM');
    await exited;
  }
  python = undefined;
});

/** Starts greeter.py on a free port of 127.0.0.1; resolves the port. */
async function startPython(interpreter: string, sdk: string): Promise<number> {
  const child = spawn(interpreter, [GREETER, '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONPATH: sdk, PYTHONUNBUFFERED: '1' } });
  python = child;
  const output: string[] = [];
  return new Promise<number>((ready, fail) => {
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString('utf8'));
      const match = /serving on (\d+)/.exec(output.join(''));
      if (match !== null) ready(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`greeter.py exited with ${code}:\n${output.join('')}`)));
  });
}

describe('the greeter on the official StateFun Python SDK', () => {
  it('greetsAsTheTutorialShowsWithStatesRegisteredByThePythonSdk', async (ctx) => {
    const sdk = process.env.STATEFUN_PYTHON_SDK;
    const interpreter = process.env.STATEFUN_PYTHON ?? '/usr/bin/python3';
    const reason = whyNot(sdk, interpreter);
    if (reason !== undefined) {
      console.warn(`skipped: ${reason}`);
      ctx.skip(reason);
    }
    const port = await startPython(interpreter, sdk!);
    // The tutorial's module.yaml, its endpoint pointed at the Python process.
    tutorial = await startTutorial('greeter', `http://127.0.0.1:${port}`);
    const { dev } = tutorial;
    const [greet, read] = curlCommands(tutorial.readme);
    for (const expected of ['Welcome Bob', 'Nice to see you again Bob', 'Third time is a charm Bob', 'Nice to see you at the 4-nth time Bob!']) {
      expect(await curl(dev, greet!)).toEqual({ status: 200, body: '' });
      expect(await curlUntilFound(dev, read!)).toBe(expected);
    }
    expect(await stateValues(tutorial.app.dataDir, 'example/person/Bob')).toEqual({ visits: 4 });
  });
});
