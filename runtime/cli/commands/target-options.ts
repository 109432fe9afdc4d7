import { type FlagSpec, type ParsedArgs, single } from '../args.js';
import { type DevTarget, openTarget } from '../dev-target.js';
import { locateDataDir } from '../locate-data-dir.js';

/** Flags of the commands that act on a dev server or its data directory. */
export const TARGET_FLAGS: readonly FlagSpec[] = [
  { name: 'data-dir', value: true },
  { name: 'app', value: true },
  { name: 'json', value: false },
];

/** Opens what the flags point at, runs `action` on it, and closes it. */
export async function withTarget<T>(args: ParsedArgs, command: string, action: (target: DevTarget) => Promise<T>): Promise<T> {
  const dir = locateDataDir({ dataDir: single(args, 'data-dir'), app: single(args, 'app') }, command);
  const target = await openTarget(dir);
  try {
    return await action(target);
  } finally {
    await target.close();
  }
}
