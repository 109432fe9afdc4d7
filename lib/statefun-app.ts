import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { buildSync, type Message, type Metafile } from 'esbuild';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../runtime/core/errors.js';
import { show } from '../runtime/core/typename.js';
import { buildApp, globalConfig, type ModuleDeclaration, parseModuleYaml } from '../runtime/module/index.js';
import { type AppManifest, appManifest } from './app-manifest.js';
import { JSON_DOCUMENT_SEPARATOR } from './json-documents.js';
import { packageTree } from './package-tree.js';

/** The Lambda handlers of functions/README.md, by the file the construct generates for each. */
export type HandlerKind = 'dispatcher' | 'http-ingress' | 'sqs-ingress' | 'delay-forwarder';

const FACTORIES: Readonly<Record<HandlerKind, string>> = {
  dispatcher: 'createDispatcher',
  'http-ingress': 'createHttpIngress',
  'sqs-ingress': 'createSqsIngress',
  'delay-forwarder': 'createDelayForwarder',
};

export interface StatefunAppProps {
  /**
   * The app's modules, in order: module.yaml files (`.yaml`/`.yml`) and TypeScript or JavaScript modules that
   * export a module made with `defineModule(...)` or function definitions (as `statefun dev` takes them).
   * Relative paths resolve against the working directory (where `cdk.json` is).
   */
  readonly modules: readonly string[];
  /**
   * The app's global configuration (StateFun's `--key value` arguments), given to embedded modules'
   * `configure` at synth time and at run time.
   *
   * @default - no configuration
   */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * The folder holding the lock file of the project (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock);
   * generated entries are written below it, as `NodejsFunction` requires.
   *
   * @default - the nearest folder with a lock file, from the working directory up
   */
  readonly projectRoot?: string;
}

interface ModuleFile {
  /** Absolute path. */
  readonly path: string;
  /** As given, normalized: names the module in messages. */
  readonly label: string;
  readonly type: 'yaml' | 'code';
}

/**
 * AWS SDK clients the handlers use only for some apps: left out of the bundles of apps that declare nothing
 * needing them (replaced by a stub whose classes throw, naming what is missing).
 */
const OPTIONAL_CLIENTS: readonly { readonly pkg: string; readonly needed: (manifest: AppManifest) => boolean; readonly what: string }[] = [
  { pkg: '@aws-sdk/client-lambda', needed: (m) => m.endpoints.some((e) => e.lambdaFunctions.length > 0), what: 'remote function with the Lambda transport' },
  { pkg: '@aws-sdk/client-sns', needed: (m) => m.egresses.some((e) => e.type === 'sns'), what: 'SNS egress' },
  { pkg: '@aws-sdk/client-eventbridge', needed: (m) => m.egresses.some((e) => e.type === 'eventbridge'), what: 'EventBridge egress' },
  { pkg: '@aws-sdk/client-kinesis', needed: (m) => m.egresses.some((e) => e.type === 'kinesis'), what: 'Kinesis egress' },
];

const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];
const CODE_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx']);
const YAML = /\.ya?ml$/i;

/**
 * An app as the constructs deploy it: its modules, composed at synth time into an {@link AppManifest} (which
 * ingresses, egresses and remote functions to provision), and the generated entry module of each handler
 * (functions/README.md, "The bundled app"), which `NodejsFunction` bundles with the user's code.
 *
 * Module files are parsed in-process. Embedded TypeScript modules must run to say what they bind: they are
 * bundled with esbuild and composed in a child Node.js process, so that construction stays synchronous.
 *
 * @example
 * const app = StatefunApp.fromModules({ modules: ['examples/onboarding/module.ts', 'deploy/module.yaml'] });
 * app.manifest.httpIngresses // [{ id: 'onboarding/api', basePath: '/', auth: { type: 'iam' }, routes: [] , … }]
 */
export class StatefunApp {
  /** Reads and composes the modules; throws a {@link ValidationError} naming the bad module or component. */
  static fromModules(props: StatefunAppProps): StatefunApp {
    return new StatefunApp(props);
  }

  readonly manifest: AppManifest;
  readonly config: Readonly<Record<string, string>>;
  /** The folder with the project's lock file. */
  readonly projectRoot: string;
  /** The project's lock file. */
  readonly depsLockFilePath: string;
  private readonly modules: readonly ModuleFile[];
  private readonly entries = new Map<HandlerKind, string>();
  /** Packages the user's code modules import, directly or through other packages (never substituted in bundles). */
  private userPackages: ReadonlySet<string> = new Set();

  private constructor(props: StatefunAppProps) {
    if (!Array.isArray(props.modules) || props.modules.length === 0) {
      throw new ValidationError(`modules must list at least one module.yaml or TypeScript module, got ${show(props.modules)}`);
    }
    this.modules = props.modules.map(readModuleFile);
    this.config = checkConfig(props.config ?? {});
    const lock = findLockFile(props.projectRoot);
    this.projectRoot = dirname(lock);
    this.depsLockFilePath = lock;
    this.manifest = this.modules.some((m) => m.type === 'code') ? this.composeInChild() : this.composeInProcess();
  }

  /**
   * The path of the generated entry module of `kind`, written below the project root
   * (`node_modules/.cache/statefun-aws/cdk/<hash>/`), named by its content so that it is written once.
   */
  entry(kind: HandlerKind): string {
    let path = this.entries.get(kind);
    if (path === undefined) {
      path = this.writeGenerated(`${kind}.mjs`, this.entrySource(kind));
      this.entries.set(kind, path);
    }
    return path;
  }

  /** The text of the generated entry module of `kind`. */
  entrySource(kind: HandlerKind): string {
    const tree = packageTree();
    const factory = FACTORIES[kind];
    const lines = [
      `// Generated by statefun-aws (lib/statefun-app.ts) at synth time: the ${kind} Lambda function's entry. Do not edit.`,
      `import { ${factory} } from ${JSON.stringify(tree.handlers)};`,
      ...this.importLines(),
      `export const handler = ${factory}({`,
      `  app: {`,
      `    modules: [${this.moduleExpressions().join(', ')}],`,
      `    config: ${JSON.stringify(this.config)},`,
      `  },`,
      `});`,
      '',
    ];
    return lines.join('\n');
  }

  /**
   * What the bundler substitutes for package imports in the handlers' bundles: `statefun-aws` (and its
   * subpaths) from this installation; `yaml` by a JSON reader when every module file renders as JSON (see
   * `json-documents.ts`); and stubs for the AWS SDK clients the app cannot use.
   */
  bundleAliases(options: { readonly fullCredentialChain?: boolean } = {}): Readonly<Record<string, string>> {
    const tree = packageTree();
    const aliases: Record<string, string> = { ...tree.aliases };
    const credentials = '@aws-sdk/credential-provider-node';
    if (options.fullCredentialChain !== true && !this.userPackages.has(credentials)) aliases[credentials] = this.lambdaCredentials();
    // Only the SDK's browser user-agent code imports it (dynamically); never reached on Node.js.
    if (!this.userPackages.has('bowser')) aliases.bowser = this.writeGenerated('absent-bowser.mjs', BOWSER_STUB);
    // Imported (dynamically) only for operations with event streams, which none of the handlers' clients calls.
    const eventStreams = '@smithy/core/event-streams';
    if (!this.userPackages.has(eventStreams)) aliases[eventStreams] = this.writeGenerated('absent-event-streams.mjs', EVENT_STREAMS_STUB);
    if (!this.userPackages.has('yaml') && this.modules.every((m) => m.type === 'code' || this.inlineText(m).json)) aliases.yaml = tree.jsonDocuments;
    for (const client of OPTIONAL_CLIENTS) {
      if (!client.needed(this.manifest) && !this.userPackages.has(client.pkg)) aliases[client.pkg] = this.absentClient(client.pkg, client.what);
    }
    return aliases;
  }

  /** A module file as inlined in the entries: JSON documents when that renders it exactly, else its text. */
  private inlineText(m: ModuleFile): { text: string; json: boolean } {
    const text = readFileSync(m.path, 'utf8');
    const values = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    const rendered = values.map((v) => JSON.stringify(v) ?? 'null');
    const exact = rendered.every((json, i) => isDeepStrictEqual(JSON.parse(json), values[i] ?? null));
    return exact ? { text: rendered.join(JSON_DOCUMENT_SEPARATOR), json: true } : { text, json: false };
  }

  /** The SDK's default credential provider, reduced to the environment variables Lambda always sets. */
  private lambdaCredentials(): string {
    return this.writeGenerated('lambda-credentials.mjs', LAMBDA_CREDENTIALS);
  }

  /** A stub of an AWS SDK client package: the same exports, classes that throw when made. */
  private absentClient(pkg: string, what: string): string {
    const names = Object.keys(createRequire(import.meta.url)(pkg) as object).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default').sort();
    const message = `${pkg} is not in this bundle: the app declares no ${what}`;
    const source = [
      `// Generated by statefun-aws (lib/statefun-app.ts): ${message}.`,
      `const absent = (name) => class { constructor() { throw new Error(${JSON.stringify(message)} + ' (' + name + ')'); } };`,
      // Pure, so that the bundler keeps only the names the handlers import.
      ...names.map((n) => `export const ${n} = /* @__PURE__ */ absent(${JSON.stringify(n)});`),
      '',
    ].join('\n');
    return this.writeGenerated(`absent-${pkg.replace(/^@aws-sdk\//, '')}.mjs`, source);
  }

  private importLines(): string[] {
    const tree = packageTree();
    const code = this.modules.filter((m) => m.type === 'code');
    if (code.length === 0) return [];
    return [
      `import { embeddedModuleOf } from ${JSON.stringify(tree.entrySupport)};`,
      ...this.modules.flatMap((m, i) => (m.type === 'code' ? [`import * as module${i} from ${JSON.stringify(m.path)};`] : [])),
    ];
  }

  private moduleExpressions(): string[] {
    return this.modules.map((m, i) =>
      m.type === 'code'
        ? `embeddedModuleOf(module${i}, ${JSON.stringify(m.label)})`
        : `{ yaml: ${JSON.stringify(this.inlineText(m).text)}, file: ${JSON.stringify(m.label)} }`,
    );
  }

  private composeInProcess(): AppManifest {
    const declarations: ModuleDeclaration[] = this.modules.map((m) => parseModuleYaml(readFileSync(m.path, 'utf8'), { file: m.label, baseDir: dirname(m.path) }));
    return appManifest(buildApp(globalConfig({ values: this.config }), declarations));
  }

  /** Bundles the app with a small program that composes it and writes its manifest, and runs that in a child process. */
  private composeInChild(): AppManifest {
    const tree = packageTree();
    const modules = this.modules.map((m, i) =>
      m.type === 'code'
        ? `embeddedModuleOf(module${i}, ${JSON.stringify(m.label)})`
        : `parseModuleYaml(${JSON.stringify(readFileSync(m.path, 'utf8'))}, { file: ${JSON.stringify(m.label)}, baseDir: ${JSON.stringify(dirname(m.path))} })`,
    );
    const source = [
      `import { writeFileSync } from 'node:fs';`,
      `import { composeApp, parseModuleYaml } from ${JSON.stringify(tree.module)};`,
      `import { appManifest } from ${JSON.stringify(tree.appManifest)};`,
      ...this.importLines(),
      `const out = process.argv[2];`,
      `try {`,
      `  const app = await composeApp({ modules: [${modules.join(', ')}], config: ${JSON.stringify(this.config)} });`,
      `  writeFileSync(out, JSON.stringify({ manifest: appManifest(app) }));`,
      `} catch (error) {`,
      `  writeFileSync(out, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));`,
      `}`,
      '',
    ].join('\n');
    const entry = this.writeGenerated('inspect.mjs', source);
    const bundle = join(dirname(entry), `inspect.${process.pid}.bundle.mjs`);
    const result = join(dirname(entry), `inspect.${process.pid}.json`);
    try {
      try {
        const built = buildSync({
          metafile: true,
          entryPoints: [entry],
          outfile: bundle,
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: 'node20',
          conditions: [],
          alias: tree.aliases,
          banner: { js: REQUIRE_SHIM },
          logLevel: 'silent',
        });
        this.userPackages = packagesOfUserCode(built.metafile, tree.root);
      } catch (error) {
        const errors = (error as { errors?: Message[] }).errors ?? [];
        throw new ValidationError(`cannot bundle the app's modules (${this.labels()}): ${errors.map(formatMessage).join('; ') || String(error)}`, { cause: error });
      }
      const child = spawnSync(process.execPath, [bundle, result], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      if (!existsSync(result)) {
        throw new ValidationError(`composing the app (${this.labels()}) failed: ${child.error?.message ?? (child.stderr.trim() || `exit code ${child.status}`)}`);
      }
      const answer = JSON.parse(readFileSync(result, 'utf8')) as { manifest?: AppManifest; error?: string };
      if (answer.error !== undefined || answer.manifest === undefined) throw new ValidationError(answer.error ?? 'composing the app gave no answer');
      return answer.manifest;
    } finally {
      rmSync(bundle, { force: true });
      rmSync(result, { force: true });
    }
  }

  private labels(): string {
    return this.modules.map((m) => m.label).join(', ');
  }

  private writeGenerated(name: string, source: string): string {
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
    const dir = join(this.projectRoot, 'node_modules', '.cache', 'statefun-aws', 'cdk', hash);
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== source) {
      mkdirSync(dir, { recursive: true });
      // Written aside and renamed into place, so that a synth running beside this one never reads half a file.
      const aside = `${path}.${process.pid}.tmp`;
      writeFileSync(aside, source);
      renameSync(aside, path);
    }
    return path;
  }
}

/** ES module bundles of CommonJS dependencies call `require`; Node's ES modules have none. */
export const REQUIRE_SHIM = "import { createRequire as __statefunRequire } from 'node:module'; const require = __statefunRequire(import.meta.url);";

function readModuleFile(given: unknown, index: number): ModuleFile {
  if (typeof given !== 'string' || given.trim() === '') {
    throw new ValidationError(`modules[${index}] must be the path of a module.yaml or TypeScript module, got ${show(given)}`);
  }
  const path = resolve(given);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ValidationError(`modules[${index}]: no such file ${show(given)} (relative paths resolve against ${process.cwd()})`);
  }
  const rel = relative(process.cwd(), path);
  const label = rel.startsWith('..') || rel === '' ? path : rel.split(sep).join('/');
  if (YAML.test(path)) return { path, label, type: 'yaml' };
  if (CODE_EXTENSIONS.has(extname(path).toLowerCase())) return { path, label, type: 'code' };
  throw new ValidationError(`modules[${index}]: ${show(given)} is neither a module.yaml (.yaml, .yml) nor a TypeScript or JavaScript module`);
}

function checkConfig(config: unknown): Readonly<Record<string, string>> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ValidationError(`config must be an object of string values, got ${show(config)}`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string') throw new ValidationError(`config ${show(key)} must be a string, got ${show(value)}`);
  }
  return Object.freeze({ ...(config as Record<string, string>) });
}

function findLockFile(projectRoot: string | undefined): string {
  if (projectRoot !== undefined) {
    const found = LOCK_FILES.map((f) => join(resolve(projectRoot), f)).find((p) => existsSync(p));
    if (found === undefined) throw new ValidationError(`projectRoot ${show(projectRoot)} holds no lock file (${LOCK_FILES.join(', ')})`);
    return found;
  }
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const found = LOCK_FILES.map((f) => join(dir, f)).find((p) => existsSync(p));
    if (found !== undefined) return found;
    if (dirname(dir) === dir) {
      throw new ValidationError(`no lock file (${LOCK_FILES.join(', ')}) in ${process.cwd()} or above it: run from the project, or set projectRoot`);
    }
  }
}

/**
 * The packages reachable from the user's own files in a bundle's import graph, without passing through this
 * installation's files (whose imports are the handlers', not the user's).
 */
function packagesOfUserCode(metafile: Metafile, treeRoot: string): Set<string> {
  const absolute = (p: string): string => resolve(p);
  const inNodeModules = (p: string): boolean => p.split(sep).includes('node_modules');
  const ownFolders = ['runtime', 'functions', 'lib', 'proto'].map((f) => join(treeRoot, f) + sep);
  const ours = (p: string): boolean => ownFolders.some((f) => p.startsWith(f)) && !inNodeModules(p.slice(treeRoot.length));
  const packageOf = (p: string): string => {
    const parts = p.split(sep);
    const at = parts.lastIndexOf('node_modules');
    return parts[at + 1]?.startsWith('@') === true ? `${parts[at + 1]}/${parts[at + 2]}` : (parts[at + 1] ?? p);
  };
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = Object.keys(metafile.inputs).filter((p) => {
    const abs = absolute(p);
    return !inNodeModules(abs) && !ours(abs) && !abs.includes(`${sep}.cache${sep}statefun-aws${sep}`);
  });
  while (queue.length > 0) {
    const input = queue.pop()!;
    if (seen.has(input)) continue;
    seen.add(input);
    const abs = absolute(input);
    if (inNodeModules(abs)) packages.add(packageOf(abs));
    for (const imported of metafile.inputs[input]?.imports ?? []) {
      if (imported.external || ours(absolute(imported.path))) continue;
      queue.push(imported.path);
    }
  }
  return packages;
}

function formatMessage(message: Message): string {
  const where = message.location === null ? '' : `${message.location.file}:${message.location.line}: `;
  return `${where}${message.text}`;
}

const LAMBDA_CREDENTIALS = `// Generated by statefun-aws (lib/statefun-app.ts): the AWS SDK's default credential provider, reduced to the
// environment variables Lambda sets for the function's role (bundling.fullCredentialChain bundles the whole chain).
export const defaultProvider = () => async () => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('no AWS credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: this bundle reads only those, as Lambda sets them; set bundling.fullCredentialChain to bundle the whole provider chain');
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  const expiration = process.env.AWS_CREDENTIAL_EXPIRATION;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), ...(expiration ? { expiration: new Date(expiration) } : {}) };
};
`;

const BOWSER_STUB = `// Generated by statefun-aws (lib/statefun-app.ts): the SDK's browser user-agent parser is not needed on Node.js.
const parse = () => {
  throw new Error('bowser is not in this bundle: browser user-agent parsing does not run on Node.js');
};
export default { parse };
export { parse };
`;

const EVENT_STREAMS_STUB = `// Generated by statefun-aws (lib/statefun-app.ts): the AWS SDK's event-stream support is not in this bundle.
const absent = () => {
  throw new Error('@smithy/core/event-streams is not in this bundle: no statefun-aws handler calls an event-stream operation');
};
export const EventStreamSerde = class { constructor() { absent(); } };
export const eventStreamSerdeProvider = absent;
`;
