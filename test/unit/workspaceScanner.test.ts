import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { factsOfFile, scanWorkspace, type ScanOptions, type ScanResult } from '../../server/src/node/workspaceScanner';
import type { FileFacts } from '../../server/src/service/workspace/types';

/** The parsing threads run the bundled worker, as in the product (`npm test` builds it first). */
const INDEX_WORKER = { script: path.resolve(__dirname, '../../dist/indexWorker.js'), eval: false };

const temporary: string[] = [];
after(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scanner-test-'));
  temporary.push(dir);
  return dir;
}

function write(root: string, relative: string, text: string): string {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

interface Scan {
  result: ScanResult;
  /** Facts by file path, relative to `base` with `/`. */
  facts: Map<string, FileFacts>;
  /** Paths relative to `base`, sorted; a path reported twice appears twice. */
  paths: string[];
}

async function scan(base: string, options: Partial<ScanOptions> = {}): Promise<Scan> {
  const facts = new Map<string, FileFacts>();
  const paths: string[] = [];
  const result = await scanWorkspace({
    folders: [base],
    exclude: [],
    maxFileSize: 1_000_000,
    workers: 0,
    workerScript: INDEX_WORKER,
    ...options,
    onFile: (uri, filePath, fileFacts) => {
      assert.equal(uri, pathToFileURL(filePath).href);
      const relative = path.relative(base, filePath).split(path.sep).join('/');
      paths.push(relative);
      facts.set(relative, fileFacts);
      options.onFile?.(uri, filePath, fileFacts);
    },
  });
  return { result, facts, paths: paths.sort() };
}

const helmRepository = (name: string, namespace = 'flux-system') => `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  interval: 1h
  url: https://stefanprodan.github.io/podinfo
`;

const helmRelease = (name: string, source: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: ${source}
        namespace: flux-system
  valuesFrom:
    - kind: ConfigMap
      name: ${name}-values
      valuesKey: values.yaml
`;

const configMap = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  values.yaml: |
    replicaCount: 2
`;

describe('workspace scanner: what it finds', () => {
  test('finds .yaml, .yml, .json and Kustomization files in nested folders, and only those', async () => {
    const root = tempDir();
    write(root, 'top.yaml', helmRepository('podinfo'));
    write(root, 'a/b/c/deep.yml', configMap('deep'));
    write(root, 'a/b/Kustomization', 'resources:\n  - ../../top.yaml\nnamespace: apps\n');
    write(root, 'a/notes.txt', 'kind: HelmRepository\n');
    write(root, 'a/data.json', '{}');
    write(root, 'a/b/values.yaml.bak', 'x: 1\n');
    const { result, paths, facts } = await scan(root);
    assert.deepEqual(paths, ['a/b/Kustomization', 'a/b/c/deep.yml', 'a/data.json', 'top.yaml']);
    assert.equal(result.files, 4);
    assert.equal(result.skipped, 0);
    assert.deepEqual(result.problems, []);
    assert.equal(result.cancelled, false);
    assert.ok(result.durationMs >= 0);
    assert.deepEqual(facts.get('top.yaml')?.objects.map((o) => [o.kind, o.name, o.namespace]), [['HelmRepository', 'podinfo', 'flux-system']]);
    assert.equal(facts.get('a/b/Kustomization')?.kustomization?.namespace, 'apps');
    assert.deepEqual(facts.get('a/b/Kustomization')?.kustomization?.resources, [path.join(root, 'top.yaml')]);
  });

  test('skips node_modules, .git and the exclude globs', async () => {
    const root = tempDir();
    write(root, 'apps/keep.yaml', configMap('keep'));
    write(root, 'node_modules/pkg/x.yaml', configMap('x'));
    write(root, 'apps/node_modules/y.yaml', configMap('y'));
    write(root, '.git/config.yaml', configMap('z'));
    write(root, 'apps/charts/podinfo/templates/deployment.yaml', configMap('chart'));
    write(root, 'charts/top.yaml', configMap('chart-top'));
    write(root, 'apps/scratch.tmp.yaml', configMap('tmp'));
    write(root, 'vendor/v.yaml', configMap('vendor'));
    write(root, 'apps/vendor/kept.yaml', configMap('kept'));
    write(root, '.hidden/also.yaml', configMap('hidden'));
    const { result, paths } = await scan(root, { exclude: ['**/charts/**', '**/*.tmp.yaml', 'vendor/**', ''] });
    assert.deepEqual(paths, ['.hidden/also.yaml', 'apps/keep.yaml', 'apps/vendor/kept.yaml']);
    assert.deepEqual(result.problems, []);
  });

  test('a glob naming a directory excludes everything in it', async () => {
    const root = tempDir();
    write(root, 'a/generated/x.yaml', configMap('x'));
    write(root, 'a/y.yaml', configMap('y'));
    const { paths } = await scan(root, { exclude: ['**/generated'] });
    assert.deepEqual(paths, ['a/y.yaml']);
  });

  test('a symlink loop (a → ..) terminates and every file is reported once', async () => {
    const root = tempDir();
    write(root, 'one.yaml', configMap('one'));
    write(root, 'sub/two.yaml', configMap('two'));
    symlinkSync('..', path.join(root, 'sub', 'a'));
    symlinkSync('.', path.join(root, 'sub', 'self'));
    symlinkSync(root, path.join(root, 'sub', 'absolute'));
    const { result, paths } = await scan(root);
    assert.deepEqual(paths, ['one.yaml', 'sub/two.yaml']);
    assert.deepEqual(result.problems, []);
  });

  test('a symlinked directory outside the folder is followed once, under the link', async () => {
    const outside = tempDir();
    write(outside, 'shared.yaml', helmRepository('shared'));
    write(outside, 'nested/more.yaml', configMap('more'));
    symlinkSync(outside, path.join(outside, 'nested', 'back')); // a loop inside the linked directory
    const root = tempDir();
    write(root, 'local.yaml', configMap('local'));
    symlinkSync(outside, path.join(root, 'link1'));
    mkdirSync(path.join(root, 'z'));
    symlinkSync(outside, path.join(root, 'z', 'link2'));
    const { result, paths } = await scan(root);
    assert.deepEqual(paths, ['link1/nested/more.yaml', 'link1/shared.yaml', 'local.yaml']);
    assert.deepEqual(result.problems, []);
  });

  test('a symlinked file is reported under its link', async () => {
    const outside = tempDir();
    write(outside, 'real.yaml', configMap('real'));
    const root = tempDir();
    symlinkSync(path.join(outside, 'real.yaml'), path.join(root, 'linked.yaml'));
    const { paths, facts } = await scan(root);
    assert.deepEqual(paths, ['linked.yaml']);
    assert.equal(facts.get('linked.yaml')?.objects[0]?.uri, pathToFileURL(path.join(root, 'linked.yaml')).href);
  });

  test('several folders, a missing one and one nested in another', async () => {
    const a = tempDir();
    const b = tempDir();
    write(a, 'x.yaml', configMap('x'));
    write(a, 'inner/y.yaml', configMap('y'));
    write(b, 'z.yaml', configMap('z'));
    const found: string[] = [];
    const result = await scanWorkspace({
      folders: [a, path.join(a, 'inner'), b, path.join(b, 'does-not-exist')],
      exclude: [],
      maxFileSize: 1000,
      workers: 0,
      onFile: (_uri, filePath) => found.push(filePath),
    });
    assert.deepEqual(found.sort(), [path.join(a, 'inner/y.yaml'), path.join(a, 'x.yaml'), path.join(b, 'z.yaml')].sort());
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!, /does-not-exist: no such file or directory/);
  });

  test('shouldIndex false leaves a file out (an open document)', async () => {
    const root = tempDir();
    const open = write(root, 'open.yaml', configMap('open'));
    write(root, 'closed.yaml', configMap('closed'));
    const openUri = pathToFileURL(open).href;
    for (const workers of [0, 1]) {
      const { result, paths } = await scan(root, { workers, shouldIndex: (uri) => uri !== openUri });
      assert.deepEqual(paths, ['closed.yaml']);
      assert.equal(result.files, 1);
    }
  });
});

describe('workspace scanner: bad input', () => {
  test('a dangling symlink and a link to itself land in problems, without a throw', async () => {
    const root = tempDir();
    write(root, 'good.yaml', configMap('good'));
    symlinkSync(path.join(root, 'gone.yaml'), path.join(root, 'dangling.yaml'));
    symlinkSync('loop.yaml', path.join(root, 'loop.yaml'));
    symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling-dir'));
    for (const workers of [0, 2]) {
      const { result, paths } = await scan(root, { workers });
      assert.deepEqual(paths, ['good.yaml']);
      assert.equal(result.problems.length, 3, result.problems.join('\n'));
      assert.ok(result.problems.some((p) => p.startsWith(path.join(root, 'dangling.yaml')) && p.includes('no such file')));
      assert.ok(result.problems.some((p) => p.startsWith(path.join(root, 'loop.yaml')) && p.includes('symbolic links')));
    }
  });

  for (const workers of [0, 2]) {
    test(`files deleted while the scan runs are problems, not failures (workers: ${workers})`, async () => {
      const root = tempDir();
      const all: string[] = [];
      for (let i = 0; i < 600; i++) all.push(write(root, `f${i}.yaml`, configMap(`c${i}`)));
      const delivered = new Set<string>();
      const { result } = await scan(root, {
        workers,
        onFile: (_uri, filePath) => {
          if (delivered.size === 0) {
            // The first result deletes every other file: some were listed or sent to be parsed already.
            for (const f of all) if (f !== filePath) unlinkSync(f);
          }
          delivered.add(filePath);
        },
      });
      assert.equal(result.files, delivered.size);
      assert.ok(result.problems.length > 0, 'some deleted files were already listed');
      assert.ok(result.problems.every((p) => p.endsWith('no such file or directory')), result.problems.join('\n'));
      assert.ok(result.files + result.problems.length <= all.length);
      assert.equal(result.cancelled, false);
    });
  }

  test('files over maxFileSize are skipped and counted', async () => {
    const root = tempDir();
    write(root, 'small.yaml', configMap('small'));
    write(root, 'big.yaml', `${configMap('big')}# ${'x'.repeat(2000)}\n`);
    for (const workers of [0, 1]) {
      const { result, paths } = await scan(root, { workers, maxFileSize: 1000 });
      assert.deepEqual(paths, ['small.yaml']);
      assert.equal(result.skipped, 1);
      assert.deepEqual(result.problems, []);
    }
  });

  test('binary and invalid UTF-8 files give empty facts, not errors', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'binary.yaml'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0]));
    writeFileSync(path.join(root, 'latin1.yaml'), Buffer.concat([Buffer.from(configMap('caf')), Buffer.from([0xe9, 0x0a])]));
    const { result, facts } = await scan(root, { workers: 1 });
    assert.equal(result.files, 2);
    assert.deepEqual(facts.get('binary.yaml'), { objects: [], references: [] });
    assert.equal(facts.get('latin1.yaml')?.objects[0]?.name, 'caf');
  });
});

describe('workspace scanner: workers', () => {
  test('workers: 0 and workers: 2 give the same facts, the same as factsOfFile', async () => {
    const root = tempDir();
    for (let i = 0; i < 150; i++) {
      const app = `apps/app-${i}`;
      write(root, `${app}/namespace.yaml`, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app-${i}\n`);
      write(root, `${app}/source.yaml`, helmRepository(`repo-${i}`));
      write(root, `${app}/release.yaml`, `${helmRelease(`app-${i}`, `repo-${i}`)}---\n${configMap(`app-${i}-values`)}`);
      write(root, `${app}/kustomization.yaml`, 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: apps\nresources:\n  - namespace.yaml\n  - source.yaml\n  - release.yaml\n');
    }
    const inline = await scan(root, { workers: 0 });
    const threaded = await scan(root, { workers: 2 });
    assert.equal(inline.result.files, 600);
    assert.equal(threaded.result.files, 600);
    assert.deepEqual(threaded.result.problems, []);
    assert.deepEqual(threaded.paths, inline.paths);
    assert.deepEqual(new Map([...threaded.facts].sort()), new Map([...inline.facts].sort()));

    const release = inline.facts.get('apps/app-7/release.yaml')!;
    assert.deepEqual(release.references.map((r) => [r.field, r.name]), [
      ['sourceRef', 'repo-7'],
      ['valuesFrom', 'app-7-values'],
    ]);
    assert.deepEqual(release.objects.map((o) => [o.kind, o.name]), [
      ['HelmRelease', 'app-7'],
      ['ConfigMap', 'app-7-values'],
    ]);
    const file = path.join(root, 'apps/app-7/release.yaml');
    assert.deepEqual(factsOfFile(file, readFileSync(file), 1_000_000), release);
  });

  for (const workers of [0, 2]) {
    test(`an AbortSignal stops the scan early with cancelled: true (workers: ${workers})`, async () => {
      const root = tempDir();
      for (let d = 0; d < 10; d++) for (let i = 0; i < 300; i++) write(root, `d${d}/f${i}.yaml`, 'a: 1\n');
      const controller = new AbortController();
      let calls = 0;
      let afterAbort = 0;
      const { result } = await scan(root, {
        workers,
        signal: controller.signal,
        onFile: () => {
          if (controller.signal.aborted) afterAbort++;
          if (++calls === 10) controller.abort();
        },
      });
      assert.equal(result.cancelled, true);
      assert.equal(afterAbort, 0, 'no onFile after the abort');
      assert.ok(result.files < 3000 && result.files >= 10, String(result.files));
    });
  }

  test('an already aborted signal returns at once', async () => {
    const root = tempDir();
    write(root, 'x.yaml', 'a: 1\n');
    const { result, paths } = await scan(root, { workers: 2, signal: AbortSignal.abort() });
    assert.equal(result.cancelled, true);
    assert.deepEqual(paths, []);
  });
});

describe('workspace scanner: scale', () => {
  test('100,000 files scan without error and are all reported', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const started = Date.now();
    for (let d = 0; d < 100; d++) {
      const dir = path.join(root, `dir-${d}`);
      mkdirSync(dir);
      for (let i = 0; i < 1000; i++) {
        const text = i % 100 === 0 ? configMap(`cm-${d}-${i}`) : i % 3 === 0 ? `# ${i}\n` : `key: ${i}\n`;
        writeFileSync(path.join(dir, `f-${i}.yaml`), text);
      }
      writeFileSync(path.join(dir, 'README.md'), 'not yaml');
    }
    const generatedMs = Date.now() - started;
    let objects = 0;
    let count = 0;
    // The event loop must keep turning while the scan runs.
    let ticks = 0;
    let longestGap = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const heapBefore = process.memoryUsage().heapUsed;
    const result = await scanWorkspace({
      folders: [root],
      exclude: [],
      maxFileSize: 1_000_000,
      workerScript: INDEX_WORKER,
      onFile: (_uri, _path, facts) => {
        count++;
        objects += facts.objects.length;
      },
    });
    clearInterval(timer);
    const heapAfter = process.memoryUsage().heapUsed;
    assert.deepEqual(result.problems, []);
    assert.equal(result.files, 100_000);
    assert.equal(count, 100_000);
    assert.equal(objects, 1000);
    // The thread stayed free for other work during the scan (how long it took belongs in the bench).
    assert.ok(ticks > 0);
    // Nothing per file is kept by the scanner.
    assert.ok(heapAfter - heapBefore < 200 * 2 ** 20, `${(heapAfter - heapBefore) / 2 ** 20} MiB more heap`);
    console.log(`100,000 files: generated in ${generatedMs} ms, scanned in ${Math.round(result.durationMs)} ms, longest event-loop gap ${longestGap} ms`);
  });
});

describe('templates in the workspace', () => {
  test('.yaml.j2 files are not read, and Helm templates define nothing, so neither causes a false error', async () => {
    const root = tempDir();
    write(root, 'ansible/release.yaml.j2', 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {{ app_name }}\nspec:\n  chart: {{ chart | to_yaml }}\n');
    write(root, 'charts/app/templates/release.yaml', 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  interval: {{ .Values.interval }}\n');
    write(root, 'apps/repo.yaml', helmRepository('charts'));
    const { paths, facts, result } = await scan(root);
    assert.deepEqual(paths, ['apps/repo.yaml', 'charts/app/templates/release.yaml']);
    assert.deepEqual(facts.get('charts/app/templates/release.yaml'), { objects: [], references: [], checked: false }, 'nothing defined, and not checked in the background');
    assert.deepEqual(result.problems, []);
  });
});
