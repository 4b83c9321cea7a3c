import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';

export const TUTORIAL_FIXTURES = path.resolve(__dirname, 'fixtures/tutorial');

/**
 * The scenarios of the tutorial our users follow (a chart from an HTTP or OCI HelmRepository or a
 * Git path, values from ConfigMaps and Secrets, upgrade and rollback settings, an OCI source at a
 * removed API version, a source in another namespace, a complete application), as manifests of our
 * own in test/fixtures/tutorial, one file per scenario, in the tutorial's order.
 */
export function seedExamples(): Array<{ line: number; name: string; text: string }> {
  return readdirSync(TUTORIAL_FIXTURES)
    .filter((name) => name.endsWith('.yaml'))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
    .map((name, i) => ({ line: i + 1, name, text: readFileSync(path.join(TUTORIAL_FIXTURES, name), 'utf8') }));
}
