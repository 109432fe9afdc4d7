import { describe, expect, it } from 'vitest';
import { globalConfig, parseConfigArgs } from '../../../runtime/module/index.js';
import { errorOf } from './helpers.js';

describe('parseConfigArgs', () => {
  it('readsKeyValuePairsEqualsSignsAndBareFlags', () => {
    expect(parseConfigArgs(['--region', 'eu-west-1', '--limit=5', '--verbose', '--offset', '-3', '-short', 'x', '--empty='])).toEqual({
      region: 'eu-west-1',
      limit: '5',
      verbose: 'true',
      offset: '-3',
      short: 'x',
      empty: '',
    });
    expect(parseConfigArgs(['--a', '--b', 'v'])).toEqual({ a: 'true', b: 'v' });
  });

  it('refusesAPositionalArgument', () => {
    expect(errorOf(() => parseConfigArgs(['module.yaml']))).toBe('configuration argument "module.yaml" is not of the form --key value');
  });
});

describe('globalConfig', () => {
  const config = globalConfig({
    values: { 'shop.region': 'eu-west-1', 'cart.max-items': '100', 'cart.ttl': '7 days', 'debug': 'Yes', ratio: '0.25', bad: 'many' },
    args: ['--shop.region', 'us-east-1', '--cart.ttl', '90000'],
  });

  it('letsArgumentsWinOverAppValues', () => {
    expect(config.get('shop.region')).toBe('us-east-1');
    expect(config.size).toBe(6);
    expect(config.toJSON()).toMatchObject({ 'shop.region': 'us-east-1', 'cart.ttl': '90000' });
    expect([...config.keys()]).toContain('ratio');
    expect(globalConfig({ values: new Map([['a', 'b']]) }).get('a')).toBe('b');
  });

  it('hasTypedGetters', () => {
    expect(config.string('shop.region')).toBe('us-east-1');
    expect(config.integer('cart.max-items')).toBe(100);
    expect(config.number('ratio')).toBe(0.25);
    expect(config.boolean('debug')).toBe(true);
    expect(config.durationMs('cart.ttl')).toBe(90_000);
    expect(globalConfig({ values: { ttl: '7 days' } }).durationMs('ttl')).toBe(7 * 86_400_000);
  });

  it('usesDefaultsOnlyForMissingKeys', () => {
    expect(config.string('missing', { default: 'x' })).toBe('x');
    expect(config.integer('missing', { default: 3 })).toBe(3);
    expect(config.boolean('missing', { default: false })).toBe(false);
    expect(config.durationMs('missing', { default: { minutes: 1 } })).toBe(60_000);
    expect(errorOf(() => config.integer('bad', { default: 1 }))).toBe('configuration key "bad" must be a whole number, got "many"');
  });

  it('namesTheMissingOrBadKey', () => {
    expect(errorOf(() => config.string('shop.orders-queue'))).toBe(
      'configuration key "shop.orders-queue" is missing; pass it as --shop.orders-queue <value> or in the app configuration',
    );
    expect(errorOf(() => config.boolean('bad'))).toBe('configuration key "bad" must be true or false, got "many"');
    expect(errorOf(() => config.number('bad'))).toBe('configuration key "bad" must be a number, got "many"');
    expect(errorOf(() => config.durationMs('bad'))).toContain('configuration key "bad": cannot read duration "many"');
  });

  it('refusesNonStringValues', () => {
    expect(errorOf(() => globalConfig({ values: { port: 8080 as unknown as string } }))).toBe('configuration value of "port" must be a string, got 8080');
  });
});
