/** A mistake on the command line: the command prints it with a pointer to `--help` and exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point at, e.g. `send`; undefined for the top level. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A flag a command accepts. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `data-dir`. */
  readonly name: string;
  /** True when the flag takes a value (`--data-dir <dir>` or `--data-dir=<dir>`); false for a switch. */
  readonly value: boolean;
  /** May be given several times (values collect in order). */
  readonly repeatable?: boolean;
  /** One-letter alias, e.g. `h`. */
  readonly short?: string;
}

export interface ParsedArgs {
  /** Arguments that are not flags, in order. */
  readonly positionals: readonly string[];
  /** Values of value flags, by name (every occurrence, in order). */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Switches that were given. */
  readonly switches: ReadonlySet<string>;
  /** Everything after a lone `--`, untouched. */
  readonly rest: readonly string[];
}

/** The value of a flag given at most once, or undefined. */
export function single(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.at(-1);
}

/**
 * Parses `argv` against the flags a command accepts: `--name value`, `--name=value`, `-x value`, switches
 * `--name`, positionals anywhere, and `--` ending the flags (what follows goes to `rest` untouched). A value
 * that starts with `-` must be written `--name=value`. `--help` and `-h` are always accepted.
 *
 * @throws {UsageError} naming an unknown flag, a missing value, a value given to a switch, or a flag repeated
 *   that may be given once.
 */
export function parseArgs(argv: readonly string[], flags: readonly FlagSpec[], command?: string): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const flag of [...flags, HELP]) {
    byName.set(flag.name, flag);
    if (flag.short !== undefined) byName.set(flag.short, flag);
  }
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const where = command === undefined ? 'statefun' : `statefun ${command}`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { positionals, values, switches, rest: argv.slice(i + 1) };
    if (arg === '-' || !arg.startsWith('-') || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = arg.slice(long ? 2 : 1);
    const eq = long ? body.indexOf('=') : -1;
    const name = eq < 0 ? body : body.slice(0, eq);
    const flag = byName.get(name);
    if (flag === undefined || (!long && name.length !== 1) || (long && name.length === 1 && flag.short === name)) {
      throw new UsageError(`unknown flag ${long ? `--${name}` : arg} for ${where}`, command);
    }
    const shown = `--${flag.name}`;
    if (!flag.value) {
      if (eq >= 0) throw new UsageError(`${shown} takes no value, got ${JSON.stringify(body.slice(eq + 1))}`, command);
      switches.add(flag.name);
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = body.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
        throw new UsageError(`${shown} needs a value`, command);
      }
      value = next;
      i++;
    }
    const list = values.get(flag.name) ?? [];
    if (list.length > 0 && flag.repeatable !== true) throw new UsageError(`${shown} may be given only once`, command);
    list.push(value);
    values.set(flag.name, list);
  }
  return { positionals, values, switches, rest: [] };
}

const HELP: FlagSpec = { name: 'help', value: false, short: 'h' };

/** Checks the number of positionals, naming what is missing or extra. */
export function expectPositionals(args: ParsedArgs, names: readonly string[], command: string, optional = 0): readonly string[] {
  const { positionals } = args;
  const required = names.length - optional;
  if (positionals.length < required) {
    throw new UsageError(`missing ${names.slice(positionals.length, required).map((n) => `<${n}>`).join(' ')}`, command);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, command);
  }
  return positionals;
}
