import { type ScheduleData, type ScheduleGroupData, scheduleKey, type TokenEntry } from './model.js';
import { StateFiles } from './state-files.js';

/** One change to the stored state, as journaled. Each replaces or removes a whole record (replay-safe). */
type Change =
  | { readonly op: 'put-schedule'; readonly schedule: ScheduleData }
  | { readonly op: 'delete-schedule'; readonly key: string }
  | { readonly op: 'put-group'; readonly group: ScheduleGroupData }
  | { readonly op: 'delete-group'; readonly name: string }
  | { readonly op: 'put-token'; readonly key: string; readonly entry: TokenEntry };

interface Snapshot {
  readonly format: 1;
  readonly schedules: readonly ScheduleData[];
  readonly groups: readonly ScheduleGroupData[];
  readonly tokens: ReadonlyArray<readonly [string, TokenEntry]>;
}

/** Rewrite the snapshot once this many changes were journaled after it. */
const COMPACT_AFTER_CHANGES = 10_000;

export interface ScheduleStoreOptions {
  /** Directory to keep the state in. @default - memory only */
  readonly dataDir?: string;
  /** fdatasync every journaled change. @default true */
  readonly fsync?: boolean;
  /** Current time, to drop expired client tokens. */
  readonly now: () => number;
}

/**
 * The emulator's schedules, groups and client tokens, keyed by {@link scheduleKey}, group name and token key.
 * With a data directory every change is on disk before the mutating call returns; otherwise memory only.
 * Records are replaced, never mutated, so a reader may hold one while it is updated.
 */
export class ScheduleStore {
  private readonly scheduleMap = new Map<string, ScheduleData>();
  private readonly groupMap = new Map<string, ScheduleGroupData>();
  private readonly tokenMap = new Map<string, TokenEntry>();
  private readonly files: StateFiles | undefined;
  private readonly now: () => number;

  constructor(options: ScheduleStoreOptions) {
    this.now = options.now;
    if (options.dataDir === undefined) {
      this.files = undefined;
      return;
    }
    const { files, loaded } = StateFiles.open(options.dataDir, options.fsync ?? true);
    this.files = files;
    try {
      if (loaded.snapshot !== undefined) this.restore(loaded.snapshot, options.dataDir);
      for (const change of loaded.changes) this.apply(change as Change);
      this.compact();
    } catch (error) {
      files.close();
      throw error;
    }
  }

  schedule(key: string): ScheduleData | undefined {
    return this.scheduleMap.get(key);
  }

  schedules(): IterableIterator<ScheduleData> {
    return this.scheduleMap.values();
  }

  group(name: string): ScheduleGroupData | undefined {
    return this.groupMap.get(name);
  }

  groups(): IterableIterator<ScheduleGroupData> {
    return this.groupMap.values();
  }

  /** The unexpired entry of a client token. */
  token(key: string): TokenEntry | undefined {
    const entry = this.tokenMap.get(key);
    return entry !== undefined && entry.expiresAtMs > this.now() ? entry : undefined;
  }

  putSchedule(schedule: ScheduleData): void {
    this.commit({ op: 'put-schedule', schedule }, () => this.scheduleMap.set(scheduleKey(schedule.GroupName, schedule.Name), schedule));
  }

  deleteSchedule(key: string): void {
    if (!this.scheduleMap.has(key)) return;
    this.commit({ op: 'delete-schedule', key }, () => this.scheduleMap.delete(key));
  }

  putGroup(group: ScheduleGroupData): void {
    this.commit({ op: 'put-group', group }, () => this.groupMap.set(group.Name, group));
  }

  deleteGroup(name: string): void {
    if (!this.groupMap.has(name)) return;
    this.commit({ op: 'delete-group', name }, () => this.groupMap.delete(name));
  }

  putToken(key: string, entry: TokenEntry): void {
    this.commit({ op: 'put-token', key, entry }, () => this.tokenMap.set(key, entry));
    if (this.files === undefined && this.tokenMap.size > COMPACT_AFTER_CHANGES) this.dropExpiredTokens();
  }

  /** Releases the data directory. The store must not be used afterwards. */
  close(): void {
    this.files?.close();
  }

  private commit(change: Change, applyInMemory: () => void): void {
    // Disk first: if the append throws, memory still matches what a restart would load.
    this.files?.append(change);
    applyInMemory();
    if (this.files !== undefined && this.files.pendingChanges >= COMPACT_AFTER_CHANGES) this.compact();
  }

  private apply(change: Change): void {
    switch (change.op) {
      case 'put-schedule':
        this.scheduleMap.set(scheduleKey(change.schedule.GroupName, change.schedule.Name), change.schedule);
        break;
      case 'delete-schedule':
        this.scheduleMap.delete(change.key);
        break;
      case 'put-group':
        this.groupMap.set(change.group.Name, change.group);
        break;
      case 'delete-group':
        this.groupMap.delete(change.name);
        break;
      case 'put-token':
        this.tokenMap.set(change.key, change.entry);
        break;
      default:
        throw new Error(`unknown journal change ${JSON.stringify(change)}`);
    }
  }

  private restore(snapshot: unknown, dataDir: string): void {
    const data = snapshot as Partial<Snapshot>;
    if (data.format !== 1) throw new Error(`${dataDir}: scheduler state has unknown format ${JSON.stringify(data.format)}`);
    for (const schedule of data.schedules ?? []) this.scheduleMap.set(scheduleKey(schedule.GroupName, schedule.Name), schedule);
    for (const group of data.groups ?? []) this.groupMap.set(group.Name, group);
    for (const [key, entry] of data.tokens ?? []) this.tokenMap.set(key, entry);
  }

  private dropExpiredTokens(): void {
    const now = this.now();
    for (const [key, entry] of this.tokenMap) if (entry.expiresAtMs <= now) this.tokenMap.delete(key);
  }

  private compact(): void {
    if (this.files === undefined) return;
    this.dropExpiredTokens();
    const snapshot: Snapshot = {
      format: 1,
      schedules: [...this.scheduleMap.values()],
      groups: [...this.groupMap.values()],
      tokens: [...this.tokenMap.entries()],
    };
    this.files.writeSnapshot(snapshot);
  }
}
