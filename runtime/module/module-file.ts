import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';
import { DeclarationBuilder, kindSort, type ModuleDeclaration, readComponent } from './declaration.js';
import { LEGACY_KINDS } from './kinds.js';
import { readVersion2Function } from './parse-endpoint.js';
import { SpecValue } from './spec-reader.js';

/**
 * Loading StateFun `module.yaml` files, in each format StateFun has had:
 *
 * - **3.1+ components** (the current format): a multi-document file, one component per document, each a
 *   `kind` and a `spec`. Empty documents are skipped.
 * - **`version: "3.0"`**: one document; `module.meta.type: remote`; `module.spec.endpoints[]` (each
 *   `endpoint: { meta: { kind: http }, spec }`, read as `io.statefun.endpoints.v1/http`),
 *   `module.spec.ingresses[]` and `egresses[]` (each `ingress|egress: { meta: { type, id }, spec }`).
 *   StateFun 3.3 still reads it.
 * - **`version: "2.0"`** (StateFun 2.x's modules page, and `"1.0"`): one document; `module.spec.functions[]`
 *   declares each function with its own `endpoint`, timeouts and eagerly declared `states`; ingresses and
 *   egresses as in 3.0. StateFun 2.x's protobuf `routers` are not supported (route with `valueType`/`targets`).
 *
 * Unknown keys are ignored, as StateFun does, and reported as warnings. Errors name the file, the document
 * (or the path in a single-document module), the path of the value and the value.
 */

export interface ParseModuleOptions {
  /** The file name to use in messages, e.g. `examples/shop/module.yaml`. */
  readonly file: string;
  /** Directory relative file paths in specs resolve against. @default the directory of `file` */
  readonly baseDir?: string;
}

/**
 * Parses the text of a module file.
 *
 * @example
 * const module = parseModuleYaml(text, { file: 'module.yaml' });
 * module.endpoints[0]?.transport // { kind: 'http', type: 'io.statefun.transports.v1/async', callTimeoutMs: 120000, … }
 */
export function parseModuleYaml(text: string, options: ParseModuleOptions): ModuleDeclaration {
  const { file } = options;
  const baseDir = options.baseDir ?? dirname(resolve(file));
  const documents = parseAllDocuments(text, { prettyErrors: true });
  const values: unknown[] = [];
  const yamlWarnings: string[] = [];
  documents.forEach((document, i) => {
    const error = document.errors[0];
    if (error !== undefined) throw new ValidationError(`${file}, document ${i + 1}: YAML syntax error: ${error.message.trim()}`, { cause: error });
    for (const warning of document.warnings) yamlWarnings.push(`document ${i + 1}: ${warning.message.trim()}`);
    values.push(document.toJS());
  });
  const filled = values.map((value, i) => ({ value, number: i + 1 })).filter(({ value }) => value !== null && value !== undefined);
  const single = filled.length === 1 ? filled[0]! : undefined;
  const legacyRoot = single !== undefined && isObject(single.value) && Object.hasOwn(single.value, 'version') ? single.value : undefined;
  const version = legacyRoot === undefined ? undefined : formatVersion(legacyRoot, file);

  const builder = new DeclarationBuilder(file, version ?? 'components', baseDir);
  for (const message of yamlWarnings) builder.warnings.push({ source: { module: file, component: 'YAML' }, path: '', message });
  if (legacyRoot === undefined || version === undefined) {
    for (const { value, number } of filled) readComponentDocument(builder, value, number);
  } else {
    readLegacyModule(builder, legacyRoot, version);
  }
  return builder.build();
}

/** Reads and parses a module file. */
export async function loadModuleFile(path: string): Promise<ModuleDeclaration> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read module file ${show(path)}: ${(error as Error).message}`, { cause: error });
  }
  return parseModuleYaml(text, { file: path });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatVersion(root: Record<string, unknown>, file: string): '3.0' | '2.0' | '1.0' {
  const raw = root.version;
  // YAML reads an unquoted `version: 3.0` as the number 3.
  const text = typeof raw === 'number' ? (Number.isInteger(raw) ? raw.toFixed(1) : String(raw)) : raw;
  if (text === '3.0' || text === '2.0' || text === '1.0') return text;
  if (text === '3.1') {
    throw new ValidationError(
      `${file}: version "3.1" has no single-document form; write one component per document (kind and spec), without "version"`,
    );
  }
  throw new ValidationError(`${file}: module format version ${show(raw)} is not one of "3.0", "2.0", "1.0" (or leave "version" out and write one component per document)`);
}

function readComponentDocument(builder: DeclarationBuilder, value: unknown, number: number): void {
  const kindRaw = isObject(value) ? value.kind : undefined;
  const component = typeof kindRaw === 'string' ? `document ${number} (${kindRaw})` : `document ${number}`;
  const ctx = builder.context(component);
  const root = new SpecValue(ctx, '', value);
  if (!root.isObject()) root.fail(`must be a component: a mapping with "kind" and "spec", got ${show(value)}`);
  const document = root.object();
  if (!document.has('kind') && document.has('version')) {
    document.fail('has "version", which only a single-document module may have; a multi-document module has one component (kind and spec) per document');
  }
  const kindValue = document.require('kind');
  const kind = kindValue.string();
  const spec = document.require('spec').object();
  builder.add(readComponent(kind, kindValue, spec, undefined));
  document.finish('a component document (kind, spec)');
}

function readLegacyModule(builder: DeclarationBuilder, root: Record<string, unknown>, version: '3.0' | '2.0' | '1.0'): void {
  const top = new SpecValue(builder.context(`version ${version} module`), '', root).object();
  top.ignore('version');
  const module = top.require('module').object();
  const meta = module.require('meta').object();
  const type = meta.require('type');
  if (typeof type.raw !== 'string' || type.raw.toLowerCase() !== 'remote') {
    type.fail(`is ${show(type.raw)}; the only module type is "remote"`);
  }
  meta.finish('module.meta');
  const spec = module.require('spec').object();
  if (version === '3.0') {
    for (const [i, entry] of (spec.get('endpoints')?.list() ?? []).entries()) readLegacyEntry(builder, entry, 'endpoint', `module.spec.endpoints[${i}]`);
  } else {
    for (const [i, entry] of (spec.get('functions')?.list() ?? []).entries()) {
      const typename = peek(entry.raw, 'function', 'meta', 'type') ?? peek(entry.raw, 'meta', 'type');
      const ctx = builder.context(`module.spec.functions[${i}]${typeof typename === 'string' ? ` (${typename})` : ''}`);
      builder.add({ type: 'endpoint', endpoint: readVersion2Function(new SpecValue(ctx, '', entry.raw), version) });
    }
    const routers = spec.get('routers');
    if (routers !== undefined && routers.list().length > 0) {
      routers.fail(
        `declares StateFun ${version === '2.0' ? '2.x' : '1.x'} protobuf routers, which are not supported; ` +
          'route with valueType and targets on the ingress (StateFun 3.x routable ingresses) instead',
      );
    }
  }
  for (const [i, entry] of (spec.get('ingresses')?.list() ?? []).entries()) readLegacyEntry(builder, entry, 'ingress', `module.spec.ingresses[${i}]`);
  for (const [i, entry] of (spec.get('egresses')?.list() ?? []).entries()) readLegacyEntry(builder, entry, 'egress', `module.spec.egresses[${i}]`);
  spec.finish(`a version ${version} module spec`);
  module.finish(`a version ${version} module`);
  top.finish(`a version ${version} module file`);
}

function peek(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isObject(current) ? current[key] : undefined;
  return current;
}

const PLURAL = { endpoint: 'endpoints', ingress: 'ingresses', egress: 'egresses' } as const;

/** `- endpoint: { meta: { kind }, spec }`, `- ingress: { meta: { type, id }, spec }`, `- egress: …`. */
function readLegacyEntry(builder: DeclarationBuilder, entry: SpecValue, sort: 'endpoint' | 'ingress' | 'egress', where: string): void {
  const kindKey = sort === 'endpoint' ? 'kind' : 'type';
  const written = peek(entry.raw, sort, 'meta', kindKey);
  const kind = typeof written === 'string' ? (LEGACY_KINDS[written] ?? written) : undefined;
  const ctx = builder.context(`${where}${kind === undefined ? '' : ` (${kind})`}`);
  const item = new SpecValue(ctx, '', entry.raw).object();
  const node = item.require(sort).object();
  item.finish(`a module.spec.${PLURAL[sort]} entry`);
  const meta = node.require('meta').object();
  const kindValue = meta.require(kindKey);
  kindValue.string();
  if (kind !== written && typeof written === 'string' && written.startsWith('statefun.')) {
    kindValue.warn(`is a StateFun 2.x kind; read as ${kind}`);
  }
  const actual = kindSort(kind!);
  if (actual !== undefined && actual !== sort) kindValue.fail(`is an ${actual} kind, but it is listed under module.spec.${PLURAL[sort]}`);
  const id = sort === 'endpoint' ? undefined : meta.get('id');
  let specValue = node.require('spec');
  if (typeof written === 'string' && written.startsWith('statefun.')) specValue = withValueTypes(specValue);
  const spec = specValue.object();
  if (sort !== 'endpoint') spec.ignore('id');
  if (id === undefined && sort !== 'endpoint' && !kind!.startsWith('io.statefun.playground.')) meta.require('id');
  meta.finish(`${sort}.meta`);
  builder.add(readComponent(kind!, kindValue, spec, id));
  node.finish(`a ${sort} entry`);
}

/**
 * StateFun 2.x's routable ingresses name the type of each topic's or stream's records `typeUrl`, a protobuf
 * type URL the runtime wrapped the payload in. Read as `valueType`: as written when it has a `/`, else as
 * `type.googleapis.com/<typeUrl>`.
 */
function withValueTypes(spec: SpecValue): SpecValue {
  if (!spec.isObject()) return spec;
  const raw = { ...(spec.raw as Record<string, unknown>) };
  for (const key of ['topics', 'streams']) {
    const list = raw[key];
    if (!Array.isArray(list)) continue;
    raw[key] = list.map((item: unknown, i) => {
      if (!isObject(item) || typeof item.typeUrl !== 'string' || item.valueType !== undefined) return item;
      const { typeUrl, ...rest } = item;
      const valueType = typeUrl.includes('/') ? typeUrl : `type.googleapis.com/${typeUrl}`;
      spec.ctx.warn(`${spec.path}.${key}[${i}].typeUrl`, `is StateFun 2.x's name for valueType; read as valueType ${show(valueType)}`);
      return { ...rest, valueType };
    });
  }
  return new SpecValue(spec.ctx, spec.path, raw);
}
