import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixImports, generate, GENERATED_DTS, GENERATED_JS } from '../../../proto/generate.js';

const protoDir = fileURLToPath(new URL('../../../proto/', import.meta.url));

describe('proto/generated', () => {
  it('matches what `npm run proto` generates from the .proto files (run it and commit when this fails)', async () => {
    const fresh = await generate(protoDir);
    const [js, dts] = await Promise.all([readFile(protoDir + GENERATED_JS, 'utf8'), readFile(protoDir + GENERATED_DTS, 'utf8')]);
    expect(js === fresh.js, `${GENERATED_JS} is stale: run npm run proto`).toBe(true);
    expect(dts === fresh.dts, `${GENERATED_DTS} is stale: run npm run proto`).toBe(true);
  });

  it('imports protobufjs in a form NodeNext ESM resolves, and parses no .proto text at run time', async () => {
    const js = await readFile(protoDir + GENERATED_JS, 'utf8');
    const imports = [...js.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['protobufjs/minimal.js']);
    expect(js).not.toMatch(/\$protobuf\.(load|parse|Root)|fromJSON/);
    expect(fixImports('import $protobuf from "protobufjs/minimal";')).toBe('import $protobuf from "protobufjs/minimal.js";');
  });
});
