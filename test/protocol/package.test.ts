/**
 * `npm run package` builds a .vsix that VS Code, the Marketplace and Open VSX accept, holding what
 * the extension runs and nothing of its sources, tests or development dependencies.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '../..');

/** The entries of a zip archive, by name, from its central directory. */
function zipEntries(archive: Buffer): Map<string, () => Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'a zip archive');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries = new Map<string, () => Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(archive.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30);
    const comment = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, () => {
      const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
      const data = archive.subarray(start, start + compressed);
      return method === 8 ? inflateRawSync(data) : data;
    });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

describe('npm run package', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'hr-vsix-'));
  const vsix = path.join(out, 'flux-helmrelease.vsix');
  after(() => rmSync(out, { recursive: true, force: true }));

  test('builds a .vsix with the bundles, the schemas, the icon, README, CHANGELOG and LICENSE, and nothing else', () => {
    const run = spawnSync('npm', ['run', '-s', 'package', '--', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const entries = zipEntries(readFileSync(vsix));
    const files = [...entries.keys()].filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
    for (const expected of ['package.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'resources/icon.png', 'dist/client.js', 'dist/languageClient.js', 'dist/clusterUi.js', 'dist/server.js', 'dist/indexWorker.js', 'dist/cli.js', 'schemas/helmrelease.json']) {
      assert.ok(files.some((f) => f.toLowerCase() === expected.toLowerCase()), `${expected} in ${files.join(', ')}`);
    }
    // Nothing else: no sources, source maps, tests, bench, scripts or dependencies (the bundles hold what they use).
    const shipped = /^(package\.json|readme\.md|changelog\.md|LICENSE\.txt|dist\/\w+\.js|schemas\/\w+\.json|resources\/[\w-]+\.(png|svg))$/;
    for (const file of files) assert.match(file, shipped, `${file} does not belong in the package`);
    // The Marketplace wants an icon of at least 128×128 pixels, as a PNG.
    const icon = entries.get('extension/resources/icon.png')!();
    assert.equal(icon.toString('latin1', 1, 4), 'PNG');
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, `icon ${icon.readUInt32BE(16)}×${icon.readUInt32BE(20)}`);
    const manifest = JSON.parse(entries.get('extension/package.json')!().toString('utf8')) as { icon: string; repository: { url: string }; capabilities: { untrustedWorkspaces: { supported: string } } };
    assert.equal(manifest.icon, 'resources/icon.png');
    assert.match(manifest.repository.url, /^https:\/\//);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    // The README's images point at the repository, so that the Marketplace and Open VSX show them.
    const readme = entries.get('extension/readme.md')!().toString('utf8');
    assert.doesNotMatch(readme, /\]\(docs\//, 'no relative image links left');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]!);
    assert.ok(images.length > 0, 'the README shows the Flux view');
    for (const image of images) {
      const url = new URL(image); // throws on a relative link
      assert.equal(url.protocol, 'https:', image);
      assert.ok(image.startsWith(`${manifest.repository.url.replace(/\.git$/, '')}/raw/HEAD/`), `${image} points at the repository`);
      // The file it names is in the repository, so the link resolves once it is pushed.
      const file = image.slice(image.indexOf('/raw/HEAD/') + '/raw/HEAD/'.length);
      assert.equal(spawnSync('git', ['ls-files', '--error-unmatch', file], { cwd: ROOT }).status, 0, `${file} is committed`);
    }
  });
});
