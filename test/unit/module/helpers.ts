import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  type EgressSpec,
  type EndpointSpec,
  formatWarning,
  type IngressSpec,
  loadModuleFile,
  type ModuleDeclaration,
  parseModuleYaml,
} from '../../../runtime/module/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function loadFixture(name: string): Promise<ModuleDeclaration> {
  return loadModuleFile(fixturePath(name));
}

/** Parses module text as `module.yaml` in `/app`: no file is read. */
export function parse(text: string, file = 'module.yaml'): ModuleDeclaration {
  return parseModuleYaml(text, { file, baseDir: '/app' });
}

/** One component document: `kind` and a `spec` given as YAML lines (indented by the helper). */
export function component(kind: string, specYaml: string): string {
  const body = specYaml
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `kind: ${kind}\nspec:\n${body}\n`;
}

export function onlyEndpoint(text: string): EndpointSpec {
  const module = parse(text);
  expect(module.endpoints).toHaveLength(1);
  return module.endpoints[0]!;
}

export function onlyIngress(text: string): IngressSpec {
  const module = parse(text);
  expect(module.ingresses).toHaveLength(1);
  return module.ingresses[0]!;
}

export function onlyEgress(text: string): EgressSpec {
  const module = parse(text);
  expect(module.egresses).toHaveLength(1);
  return module.egresses[0]!;
}

export function warningsOf(module: ModuleDeclaration): string[] {
  return module.warnings.map(formatWarning);
}

/** The message of the error `run` throws. */
export function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect((error as Error).name).toBe('ValidationError');
    return (error as Error).message;
  }
  throw new Error('expected an error, but nothing was thrown');
}

export async function asyncErrorOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect((error as Error).name).toBe('ValidationError');
    return (error as Error).message;
  }
  throw new Error('expected an error, but nothing was thrown');
}
