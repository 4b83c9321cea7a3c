/**
 * The language client and the language server packages share one LSP protocol and one JSON-RPC
 * library, so the extension ships one copy of each (a pair that disagrees installs a second copy
 * under one of them, and both end up in the bundles).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const lock = JSON.parse(readFileSync(path.resolve(__dirname, '../../package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; dependencies?: Record<string, string> }>;
};

/** Where each copy of a package the product depends on is installed, with its version (development-only copies left out). */
function productCopies(name: string): string[] {
  return Object.entries(lock.packages)
    .filter(([where, info]) => (where === `node_modules/${name}` || where.endsWith(`/node_modules/${name}`)) && !info.dev)
    .map(([where, info]) => `${where}@${info.version ?? '?'}`);
}

describe('LSP dependencies', () => {
  for (const name of ['vscode-languageserver-protocol', 'vscode-jsonrpc', 'vscode-languageserver-types']) {
    test(`one copy of ${name}`, () => {
      assert.equal(productCopies(name).length, 1, productCopies(name).join(', '));
    });
  }

  test('vscode-languageclient and vscode-languageserver have the same major version and ask for the same protocol', () => {
    const client = lock.packages['node_modules/vscode-languageclient']!;
    const server = lock.packages['node_modules/vscode-languageserver']!;
    assert.equal(client.version?.split('.')[0], server.version?.split('.')[0]);
    assert.equal(client.dependencies?.['vscode-languageserver-protocol'], server.dependencies?.['vscode-languageserver-protocol']);
  });
});
