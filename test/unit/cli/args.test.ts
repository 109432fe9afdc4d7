import { describe, expect, it } from 'vitest';
import { expectPositionals, type FlagSpec, parseArgs, single, UsageError } from '../../../runtime/cli/args.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'data-dir', value: true },
  { name: 'module', value: true, repeatable: true },
  { name: 'json', value: false },
  { name: 'type', value: true, short: 't' },
];

describe('command-line arguments', () => {
  it('readsPositionalsValueFlagsSwitchesAndTheRestAfterADoubleDash', () => {
    const args = parseArgs(['app', '--data-dir', 'd', '--json', '--module=a.yaml', '--module', 'b.ts', '-t', 'x/y', '--', '--key', 'v'], FLAGS, 'dev');
    expect(args.positionals).toEqual(['app']);
    expect(single(args, 'data-dir')).toBe('d');
    expect(args.values.get('module')).toEqual(['a.yaml', 'b.ts']);
    expect(single(args, 'type')).toBe('x/y');
    expect(args.switches.has('json')).toBe(true);
    expect(args.rest).toEqual(['--key', 'v']);
  });

  it('takesNegativeNumbersAndALoneDashAsPositionals', () => {
    expect(parseArgs(['ns/t', 'id', '-5', '-'], FLAGS).positionals).toEqual(['ns/t', 'id', '-5', '-']);
  });

  it('acceptsAValueStartingWithADashOnlyAfterAnEqualsSign', () => {
    expect(single(parseArgs(['--type=-odd'], FLAGS), 'type')).toBe('-odd');
    expect(() => parseArgs(['--type', '--json'], FLAGS, 'send')).toThrow('--type needs a value');
  });

  it('refusesAnUnknownFlagNamingIt', () => {
    const error = (() => {
      try {
        parseArgs(['--data-dri', 'x'], FLAGS, 'state');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('unknown flag --data-dri for statefun state');
    expect((error as UsageError).command).toBe('state');
    expect(() => parseArgs(['-x'], FLAGS)).toThrow('unknown flag -x for statefun');
    expect(() => parseArgs(['--t', 'x'], FLAGS)).toThrow('unknown flag --t');
  });

  it('refusesAValueForASwitchAndARepeatOfASingleFlag', () => {
    expect(() => parseArgs(['--json=yes'], FLAGS)).toThrow('--json takes no value, got "yes"');
    expect(() => parseArgs(['--data-dir', 'a', '--data-dir', 'b'], FLAGS)).toThrow('--data-dir may be given only once');
    expect(() => parseArgs(['--data-dir'], FLAGS)).toThrow('--data-dir needs a value');
  });

  it('alwaysAcceptsHelp', () => {
    expect(parseArgs(['-h', '--help'], FLAGS).switches.has('help')).toBe(true);
  });

  it('countsPositionalsNamingWhatIsMissingOrExtra', () => {
    const args = (argv: string[]) => parseArgs(argv, FLAGS, 'send');
    expect(() => expectPositionals(args(['a']), ['ns/type', 'id', 'value'], 'send')).toThrow('missing <id> <value>');
    expect(() => expectPositionals(args(['a', 'b', 'c', 'd']), ['ns/type', 'id', 'value'], 'send')).toThrow('unexpected argument "d"');
    expect(expectPositionals(args(['a']), ['ns/type', 'id'], 'state', 1)).toEqual(['a']);
  });
});
