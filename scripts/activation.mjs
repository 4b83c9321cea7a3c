// Activation cost of the extension outside VS Code: the time to `require('dist/client.js')` and to
// call its `activate()` with a stub of the `vscode` module, each in a fresh Node process (as the
// extension host loads an extension once), repeated and summed up as medians. Also checks that the
// cluster bundle (dist/clusterUi.js) and the Kubernetes client are not loaded at activation.
//
//   node scripts/activation.mjs [--runs N] [--build] [--json]
//
// The figures inside the real VS Code come from the suite (test/vscode/suite/index.ts writes
// test-results/vscode-activation.json when `npm run test:vscode` runs).
// Budget: require + synchronous activate() ≤ 50 ms; exits 1 when over budget or when clusterUi.js loads.
import { spawnSync } from 'node:child_process';
import Module from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist') + path.sep;
const BUDGET_MS = 50;
const argv = process.argv.slice(2);

if (argv[0] === '--child') {
  // ---- one measurement, in a fresh process ----
  const loads = [];
  const anyCall = () => stub;
  // A `vscode` stub where every property is a callable, constructible stub (except `then`, so it is
  // not mistaken for a promise); enough for activate() to register views, commands and the client.
  const stub = new Proxy(function () {}, {
    get: (_t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : key === Symbol.iterator ? function* () {} : stub),
    apply: anyCall,
    construct: anyCall,
  });
  const vscode = new Proxy(
    {
      version: '1.100.0',
      workspace: new Proxy({ isTrusted: true, workspaceFolders: [], textDocuments: [] }, { get: (t, k) => (k in t ? t[k] : stub) }),
      EventEmitter: class {
        event = () => ({ dispose() {} });
        fire() {}
        dispose() {}
      },
    },
    { get: (t, k) => (k in t ? t[k] : stub) },
  );
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return vscode;
    const t = performance.now();
    const result = load.call(this, request, parent, isMain);
    let file;
    try {
      file = Module._resolveFilename(request, parent, isMain);
    } catch {
      /* builtin */
    }
    if (file?.startsWith(DIST) || /@kubernetes/.test(request)) loads.push({ file: file ? path.relative(ROOT, file) : request, ms: performance.now() - t });
    return result;
  };
  const context = {
    subscriptions: [],
    extensionPath: ROOT,
    extensionUri: { fsPath: ROOT },
    globalStorageUri: { fsPath: path.join(ROOT, '.activation-storage') },
    storageUri: undefined,
    asAbsolutePath: (p) => path.join(ROOT, p),
    globalState: { get: () => undefined, update: async () => undefined, keys: () => [] },
    workspaceState: { get: () => undefined, update: async () => undefined, keys: () => [] },
    extensionMode: 1,
  };
  const t0 = performance.now();
  const ext = Module.createRequire(import.meta.url)(path.join(ROOT, 'dist', 'client.js'));
  const requireMs = performance.now() - t0;
  const t1 = performance.now();
  let error;
  let pending;
  try {
    pending = ext.activate(context);
  } catch (err) {
    error = String(err);
  }
  const activateCallMs = performance.now() - t1;
  // The rest of activate() (starting the language server) runs asynchronously; VS Code does not
  // wait for it before going on. With the stub it does not finish; give it a moment, then report.
  const settled = await Promise.race([Promise.resolve(pending).then(() => 'resolved', (e) => `rejected: ${String(e).split('\n')[0]}`), new Promise((r) => setTimeout(() => r('pending'), 300))]);
  process.stdout.write(JSON.stringify({ requireMs, activateCallMs, settled, error, loads, subscriptions: context.subscriptions.length }) + '\n');
  process.exit(0);
}

// ---- the parent: N fresh processes, medians ----
if (argv.includes('--build')) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 15;
const samples = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KUBECONFIG: path.join(ROOT, '.no-kubeconfig') } });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line?.startsWith('{')) {
    console.error(`run ${i + 1} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    process.exit(1);
  }
  samples.push(JSON.parse(line));
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const req = median(samples.map((s) => s.requireMs));
const call = median(samples.map((s) => s.activateCallMs));
const loaded = [...new Set(samples.flatMap((s) => s.loads.map((l) => l.file)))];
const clusterLoaded = loaded.filter((f) => /clusterUi|@kubernetes/.test(f));
const summary = {
  runs,
  requireMs: req,
  activateCallMs: call,
  totalMs: req + call,
  budgetMs: BUDGET_MS,
  requireMinMax: [Math.min(...samples.map((s) => s.requireMs)), Math.max(...samples.map((s) => s.requireMs))],
  activate: samples[0].error ? `threw: ${samples[0].error}` : samples[0].settled,
  registered: samples[0].subscriptions,
  loadedAtActivation: loaded,
  clusterCodeLoaded: clusterLoaded,
};
if (argv.includes('--json')) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`activation (median of ${runs} fresh processes, vscode stubbed):`);
  console.log(`  require('dist/client.js')   ${ms(req)}  (min ${ms(summary.requireMinMax[0])}, max ${ms(summary.requireMinMax[1])})`);
  console.log(`  activate() synchronous part ${ms(call)}  (then: ${summary.activate}; ${summary.registered} disposables registered)`);
  console.log(`  total                       ${ms(req + call)}  (budget ${BUDGET_MS} ms)`);
  console.log(`  dist files loaded: ${loaded.join(', ')}`);
  console.log(`  cluster code at activation: ${clusterLoaded.length ? clusterLoaded.join(', ') : 'none'}`);
}
const ok = req + call <= BUDGET_MS && clusterLoaded.length === 0;
if (!ok) console.log(`activation: over budget or cluster code loaded`);
process.exit(ok ? 0 : 1);
