/**
 * Living beside Red Hat's YAML extension (redhat.vscode-yaml). With its Kubernetes schema on, it
 * validates Flux documents too, against schemas that know nothing of `${VAR}` substitution or of
 * the Flux kinds, so the same line gets a second, contradicting problem. Through its schema
 * contributor API we tell it that a file with Flux documents needs no schema from it: it gets an
 * empty schema of ours, which accepts everything. This module does not import vscode, so that it
 * can be tested against an object shaped like that extension's exports.
 */

export const RED_HAT_YAML = 'redhat.vscode-yaml';

/** The URI scheme of the schema we give the YAML extension. */
export const FLUX_SCHEMA_SCHEME = 'flux-helmrelease';
export const FLUX_SCHEMA_URI = `${FLUX_SCHEMA_SCHEME}://schema/flux-manifest`;

/** The schema contributor API of redhat.vscode-yaml's exports (`registerContributor`). */
export interface YamlSchemaContributorApi {
  registerContributor(schema: string, requestSchema: (resource: string) => string | undefined, requestSchemaContent: (uri: string) => string | undefined, label?: string): boolean;
}

const FLUX_API_VERSION = /^[ \t]*["']?apiVersion["']?[ \t]*:[ \t]*["']?[a-z0-9.-]*\.toolkit\.fluxcd\.io\//m;
const FLUX_JSON_API_VERSION = /"apiVersion"\s*:\s*"[a-z0-9.-]*\.toolkit\.fluxcd\.io\//;

/** Whether a file's text holds a Flux document (YAML or JSON), which this extension checks. */
export function hasFluxDocument(text: string): boolean {
  return FLUX_API_VERSION.test(text) || FLUX_JSON_API_VERSION.test(text);
}

/** The schema the YAML extension gets for a Flux file: it accepts any content and explains itself. */
export const FLUX_SCHEMA_CONTENT = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Flux manifest',
  description: 'Checked by the Flux HelmRelease extension (schemas of the Flux kinds, post-build substitution); the YAML extension leaves it alone.',
});

function isContributorApi(api: unknown): api is YamlSchemaContributorApi {
  return typeof api === 'object' && api !== null && typeof (api as { registerContributor?: unknown }).registerContributor === 'function';
}

/**
 * Registers with the YAML extension's exports. `textOf` gives the text of a resource the YAML
 * extension asks about (the open document's). Returns false when the exports have no such API.
 */
export function contributeToRedHatYaml(api: unknown, textOf: (resource: string) => string | undefined): boolean {
  if (!isContributorApi(api)) return false;
  return api.registerContributor(
    FLUX_SCHEMA_SCHEME,
    (resource) => {
      const text = textOf(resource);
      return text !== undefined && hasFluxDocument(text) ? FLUX_SCHEMA_URI : undefined;
    },
    (uri) => (uri === FLUX_SCHEMA_URI ? FLUX_SCHEMA_CONTENT : undefined),
    // No label: the YAML extension reads a label as a pattern of the document text.
  );
}
