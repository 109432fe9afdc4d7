import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate, GENERATED_MODULE, WIRE_RUNTIME } from '../../../proto/generate.js';

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('proto/generated', () => {
  it('matches what `npm run proto` generates from the .proto files (run it and commit when this fails)', async () => {
    const fresh = await generate(packageRoot);
    expect([...fresh.keys()]).toContain(join('proto', GENERATED_MODULE));
    for (const [file, text] of fresh) {
      const committed = await readFile(join(packageRoot, file), 'utf8').catch(() => '(missing)');
      expect(committed === text, `${file} is stale: run npm run proto`).toBe(true);
    }
  });

  it('imports nothing but the wire runtime, which imports nothing: no protobuf library and no .proto parsing at run time', async () => {
    const importsOf = (text: string): string[] => [...text.matchAll(/^(?:import|export) .* from '([^']+)';$/gm)].map((m) => m[1]!);
    const generated = await readFile(join(packageRoot, 'proto', GENERATED_MODULE), 'utf8');
    expect(new Set(importsOf(generated))).toEqual(new Set(['../wire-runtime.js']));
    expect(generated).not.toMatch(/protobufjs|require\(|readFile|\.proto['"]/);
    const runtime = await readFile(join(packageRoot, 'proto', WIRE_RUNTIME), 'utf8');
    expect(importsOf(runtime)).toEqual([]);
    expect(runtime).not.toMatch(/^import /m);
  });
});
