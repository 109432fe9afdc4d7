/** Help texts of the `statefun` command, one per command. */

export const TOP_HELP = `statefun: Stateful Functions, serverless on AWS (compatible with Apache Flink StateFun)

Usage: statefun <command> [options]

Commands:
  dev [app]                          run an app on this machine, reloading functions on change
  send <ns/type> <id> <value>        send a message to an address
  state <ns/type> <id>               print the state of an address
  parked [list|show|replay|skip]     inspect and release parked addresses

Options:
  -h, --help      help (also: statefun <command> --help)
  --version       print the version

Exit codes: 0 ok, 1 runtime error, 2 usage error.`;

export const DEV_HELP = `Usage: statefun dev [app] [options] [-- --key value ...]

Runs an app in one process, with durable state in a data directory. Serves the StateFun playground ingress
and egress on the ports module.yaml declares, log and file egresses, and an admin API for send, state and
parked. Edits to the app's TypeScript sources reload its functions without a restart.

  app                    a folder or a module file (default: the current folder). A folder holds
                         module.yaml (or .yml) and/or module.ts (or .mts, .js, .mjs); a module file is
                         module.yaml-style YAML or a TypeScript/JavaScript module. A code module exports
                         either one module made with defineModule(...) or function definitions
                         (defineFunction(...)), which are all bound.

Options:
  --module <path>        another module (YAML or code); may be repeated
  --data-dir <dir>       where state lives (default: .statefun in the app's folder, or in the current
                         folder when only --module is given)
  --host <host>          interface for the ingress and egress ports (default: 127.0.0.1)
  --no-watch             do not reload on changes
  --no-fsync             do not fsync the journal: survives a crash of the process, not of the machine
  --aws-local            run on the AWS path instead: DynamoDB Local, the SQS and Scheduler emulators, and
                         the Lambda handlers in-process behind local SQS pollers and an API Gateway stand-in
                         (state in <data-dir>/aws-local; no reloading; --http-port <p> for HTTP ingresses)
  -- --key value ...     configuration for embedded modules (their config.string('key') etc.)

Stop with Ctrl-C: running turns finish, sinks drain, and the data directory is closed cleanly.`;

const TARGET_OPTIONS = `  --data-dir <dir>       the data directory (default: that of the running statefun dev, or ./.statefun)
  --app <path>           the app whose data directory to use (its folder's .statefun)
  --json                 print JSON instead of text

Talks to a running statefun dev through its admin API; when none runs, opens the data directory itself.`;

export const SEND_HELP = `Usage: statefun send <ns/type> <id> <value> [options]

Sends a message to the address <ns/type>/<id>, as the ingress would.

  value                  the message: plain text for io.statefun.types/string, a number for int, long,
                         float and double, true/false for bool, JSON for any other type

Options:
  --type <typename>      the message's type (default: the type the function accepts, if declared, else
                         io.statefun.types/string)
  --base64               the value is base64 bytes, taken as they are (e.g. a protobuf message)
  --idempotency-key <k>  send at most once per key and address, also across restarts
${TARGET_OPTIONS}
Without a running statefun dev, the message waits in the data directory until the next start.`;

export const STATE_HELP = `Usage: statefun state <ns/type> <id> [options]

Prints the stored state of the address <ns/type>/<id>: built-in types decoded, JSON pretty-printed,
anything else as base64 with its typename. Expired values are not shown.

Options:
${TARGET_OPTIONS}`;

export const PARKED_HELP = `Usage: statefun parked [list]
       statefun parked show <address>
       statefun parked replay <address>
       statefun parked skip <address> [--message <id>]

An address is parked when a message kept failing: it and every later message for the address wait as dead
letters while other addresses flow on. Fix the cause (e.g. the function's code), then replay the letters in
order, or skip the failing one and replay the rest.

  address                <ns/type>/<id>, or <ns/type> <id>

Options:
  --message <id>         (skip) the message to drop (default: the first, the one that failed)
${TARGET_OPTIONS}

On AWS: add --aws. The table and queue come from --table and --queue-url (else STATEFUN_TABLE_NAME and
STATEFUN_QUEUE_URL), region and credentials as the AWS SDK finds them; with --data-dir or --app, from the
statefun dev --aws-local running there. Replay and skip go into the address's FIFO message group.`;

export const HELP_BY_COMMAND: Readonly<Record<string, string>> = {
  dev: DEV_HELP,
  send: SEND_HELP,
  state: STATE_HELP,
  parked: PARKED_HELP,
};
