/**
 * Stands in for the `yaml` package inside the Lambda bundles the constructs make. The constructs inline each
 * module.yaml as JSON documents, one per line, separated by `---` lines: valid YAML that any YAML parser reads
 * as the original, so the bundled app loads exactly what `statefun dev` loads, while the handlers parse it
 * with `JSON.parse` instead of carrying a YAML parser (about a tenth of a bundle, and of its start-up time).
 *
 * Only what `runtime/module/module-file.ts` calls is here: `parseAllDocuments`.
 */

/** What separates the documents of a module file rendered as JSON. */
export const JSON_DOCUMENT_SEPARATOR = '\n---\n';

interface JsonDocument {
  readonly errors: readonly { readonly message: string }[];
  readonly warnings: readonly { readonly message: string }[];
  toJS(): unknown;
}

/** The documents of a module file rendered as JSON documents (see {@link JSON_DOCUMENT_SEPARATOR}). */
export function parseAllDocuments(text: string): JsonDocument[] {
  return text.split(JSON_DOCUMENT_SEPARATOR).map((source): JsonDocument => {
    try {
      const value: unknown = JSON.parse(source);
      return { errors: [], warnings: [], toJS: () => value };
    } catch (error) {
      return { errors: [{ message: `not a JSON document: ${(error as Error).message}` }], warnings: [], toJS: () => null };
    }
  });
}
