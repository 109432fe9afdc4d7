import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../runtime/cli/io.js';
import { run } from '../../../runtime/cli/run.js';

async function statefun(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the statefun command', () => {
  it('printsHelpForEachCommand', async () => {
    expect(await statefun('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: statefun <command>') });
    expect(await statefun('dev', '--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: statefun dev [app]') });
    expect(await statefun('send', '-h')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: statefun send') });
    expect(await statefun('help', 'parked')).toMatchObject({ code: 0, out: expect.stringContaining('statefun parked skip <address>') });
    expect((await statefun('--version')).out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exitsWith2AndTheHelpWithoutACommand', async () => {
    expect(await statefun()).toMatchObject({ code: 2, out: expect.stringContaining('Commands:') });
  });

  it('exitsWith2NamingAnUnknownCommandOrFlag', async () => {
    expect(await statefun('deploy')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "deploy"') });
    expect(await statefun('--verbose')).toMatchObject({ code: 2, err: expect.stringContaining('unknown flag --verbose') });
    const unknown = await statefun('state', 'a/b', 'c', '--verbose');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('statefun: unknown flag --verbose for statefun state\n(see statefun state --help)');
    expect(await statefun('send', 'a/b', 'c')).toMatchObject({ code: 2, err: expect.stringContaining('missing <value>') });
    expect(await statefun('send', 'nope', 'c', 'v')).toMatchObject({ code: 2, err: expect.stringContaining('function type "nope"') });
    expect(await statefun('parked', 'purge')).toMatchObject({ code: 2, err: expect.stringContaining('unknown subcommand "purge"') });
  });

  it('passesHelpAfterADoubleDashToTheApp', async () => {
    // `statefun dev -- --help` hands --help to the app's configuration, so dev runs (and fails: no module here).
    const result = await statefun('dev', 'no-such-app', '--', '--help');
    expect(result).toMatchObject({ code: 2, err: expect.stringContaining('app "no-such-app" does not exist') });
  });
});
