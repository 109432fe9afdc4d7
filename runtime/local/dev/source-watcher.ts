import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

const SOURCE = /^[^.].*\.(?:[cm]?[jt]sx?|json|ya?ml)$/;

/**
 * Watches source files for changes and calls back once per burst of changes (editors write a file in several
 * steps, or replace it by renaming). Directories are watched rather than files, so that a file replaced by a
 * rename keeps being watched.
 */
export class SourceWatcher {
  private watchers = new Map<string, FSWatcher>();
  private files = new Map<string, Set<string>>();
  private anyFile = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onChange: (changed: string) => void,
    private readonly debounceMs = 80,
  ) {}

  /**
   * Watches exactly these files from now on; with `anyFile`, any source file (`.ts`, `.js`, `.json`, `.yaml`, …)
   * in their folders.
   */
  watch(paths: readonly string[], anyFile = false): void {
    if (this.closed) return;
    this.anyFile = anyFile;
    const byDir = new Map<string, Set<string>>();
    for (const path of paths) {
      const dir = dirname(path);
      let names = byDir.get(dir);
      if (names === undefined) byDir.set(dir, (names = new Set()));
      names.add(basename(path));
    }
    for (const [dir, watcher] of this.watchers) {
      if (byDir.has(dir)) continue;
      watcher.close();
      this.watchers.delete(dir);
    }
    this.files = byDir;
    for (const dir of byDir.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => this.changed(dir, name));
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, watcher);
      } catch {
        // A folder that vanished: nothing to watch there.
      }
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private changed(dir: string, name: string | Buffer | null): void {
    const file = name === null ? undefined : String(name);
    if (file !== undefined && this.files.get(dir)?.has(file) !== true && !(this.anyFile && SOURCE.test(file))) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.closed) this.onChange(file === undefined ? dir : `${dir}/${file}`);
    }, this.debounceMs);
  }
}
