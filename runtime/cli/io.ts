/** Where a command writes, and how `statefun dev` learns it should stop. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when `statefun dev` should stop. @default the first SIGINT or SIGTERM */
  readonly stopRequested?: Promise<void>;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};
