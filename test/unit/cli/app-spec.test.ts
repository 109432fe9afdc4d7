import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveApp } from '../../../runtime/cli/app-spec.js';
import { locateDataDir } from '../../../runtime/cli/locate-data-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statefun-app-spec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('statefun dev apps', () => {
  it('loadsModuleYamlThenModuleTsOfAFolderWithDataInItsStatefunFolder', async () => {
    await writeFile(join(dir, 'module.ts'), '');
    await writeFile(join(dir, 'module.yaml'), '');
    await writeFile(join(dir, 'extra.yaml'), '');
    const app = resolveApp('.', ['extra.yaml'], dir);
    expect(app.modules).toEqual([join(dir, 'module.yaml'), join(dir, 'module.ts'), join(dir, 'extra.yaml')]);
    expect(app.defaultDataDir).toBe(join(dir, '.statefun'));
  });

  it('takesAFileAsTheOnlyModuleWithDataNextToIt', async () => {
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app', 'shop.ts'), '');
    expect(resolveApp('app/shop.ts', [], dir)).toEqual({ modules: [join(dir, 'app', 'shop.ts')], appDir: join(dir, 'app'), defaultDataDir: join(dir, 'app', '.statefun') });
  });

  it('usesTheCurrentFolderForOnlyModuleFlags', async () => {
    await writeFile(join(dir, 'a.yaml'), '');
    expect(resolveApp(undefined, ['a.yaml'], dir)).toMatchObject({ modules: [join(dir, 'a.yaml')], defaultDataDir: join(dir, '.statefun') });
  });

  it('refusesMissingPathsAndFoldersWithoutModules', () => {
    expect(() => resolveApp('nowhere', [], dir)).toThrow('app "nowhere" does not exist');
    expect(() => resolveApp('.', ['x.yaml'], dir)).toThrow('--module "x.yaml" does not exist');
    expect(() => resolveApp(undefined, [], dir)).toThrow('the current folder holds no module: add module.yaml and/or module.ts');
  });

  it('findsTheDataDirectoryOfTheClientCommands', async () => {
    expect(locateDataDir({ dataDir: 'd' }, 'state', dir)).toBe(join(dir, 'd'));
    expect(locateDataDir({ app: 'x' }, 'state', dir)).toBe(join(dir, 'x', '.statefun'));
    await mkdir(join(dir, '.statefun'));
    expect(locateDataDir({}, 'state', dir)).toBe(join(dir, '.statefun'));
  });
});

describe('the admin socket', () => {
  it('livesInTheDataDirectoryUnlessThatPathIsTooLongForASocket', async () => {
    const { adminSocketPath } = await import('../../../runtime/local/dev/admin-server.js');
    expect(adminSocketPath('/tmp/app/.statefun')).toBe('/tmp/app/.statefun/admin.sock');
    const deep = `/tmp/${'x'.repeat(120)}/.statefun`;
    const socket = adminSocketPath(deep);
    expect(socket.length).toBeLessThanOrEqual(100);
    expect(socket).toMatch(/statefun-admin-[0-9a-f]{16}\.sock$/);
    expect(adminSocketPath(deep)).toBe(socket);
  });
});
