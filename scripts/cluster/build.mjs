// Builds the real cluster's programs from their Go modules, through the wrapper modules in
// cluster/modules/<component> (their go.mod and go.sum only), into a cache outside the repository:
//   ~/.cache/flux-helmrelease/cluster-bin/<component>-<version>/<component>
// A program already built at its version is reused. Go's own module and build caches are used.
//
//   node scripts/cluster/build.mjs [component ...]     (default: all)
//   node scripts/cluster/build.mjs --print-dir         the directory of each program, one per line
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'flux-helmrelease', 'cluster-bin');

/** What each program is built from: the module it requires and the package to build. */
export const COMPONENTS = [
  { name: 'etcd', module: 'go.etcd.io/etcd/server/v3', pkg: 'go.etcd.io/etcd/server/v3' },
  {
    name: 'kube-apiserver',
    module: 'k8s.io/kubernetes',
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    // Without these, /version says v0.0.0-master and Helm's kubeVersion checks fail.
    ldflags: (version) => {
      const [major, minor] = version.replace(/^v/, '').split('.');
      return `-X k8s.io/component-base/version.gitVersion=${version} -X k8s.io/component-base/version.gitMajor=${major} -X k8s.io/component-base/version.gitMinor=${minor}`;
    },
  },
  { name: 'source-controller', module: 'github.com/fluxcd/source-controller', pkg: 'github.com/fluxcd/source-controller' },
  { name: 'kustomize-controller', module: 'github.com/fluxcd/kustomize-controller', pkg: 'github.com/fluxcd/kustomize-controller' },
  { name: 'helm-controller', module: 'github.com/fluxcd/helm-controller', pkg: 'github.com/fluxcd/helm-controller' },
];

/** The version of a component's module that its wrapper requires. */
export function versionOf(component) {
  const goMod = readFileSync(path.join(ROOT, 'cluster/modules', component.name, 'go.mod'), 'utf8');
  const escaped = component.module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match) throw new Error(`cluster/modules/${component.name}/go.mod does not require ${component.module}`);
  return match[1];
}

/** Where a component's program is, built or not. */
export function programPath(component) {
  return path.join(CACHE, `${component.name}-${versionOf(component)}`, component.name);
}

function build(component) {
  const version = versionOf(component);
  const target = programPath(component);
  if (existsSync(target)) {
    console.log(`${component.name} ${version}: built already (${target})`);
    return true;
  }
  console.log(`${component.name} ${version}: building…`);
  const started = Date.now();
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const ldflags = ['-s', '-w', component.ldflags?.(version) ?? ''].join(' ').trim();
  const result = spawnSync('go', ['build', '-trimpath', '-tags', 'netgo,osusergo', '-ldflags', ldflags, '-o', partial, component.pkg], {
    cwd: path.join(ROOT, 'cluster/modules', component.name),
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: 'inherit',
  });
  if (result.error?.code === 'ENOENT') {
    console.error('go is not installed: the real cluster is built with Go (https://go.dev/dl/ or the golang Debian package).');
    return false;
  }
  if (result.status !== 0) {
    console.error(`${component.name} ${version}: the build failed (go build exited with ${result.status}).`);
    return false;
  }
  renameSync(partial, target);
  console.log(`${component.name} ${version}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--print-dir')) {
    for (const component of COMPONENTS) console.log(`${component.name}\t${programPath(component)}\t${existsSync(programPath(component)) ? 'built' : 'missing'}`);
    process.exit(0);
  }
  const wanted = args.length > 0 ? COMPONENTS.filter((c) => args.includes(c.name)) : COMPONENTS;
  const started = Date.now();
  let failed = 0;
  for (const component of wanted) if (!build(component)) failed++;
  console.log(`cluster programs: ${wanted.length - failed} of ${wanted.length} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(failed > 0 ? 1 : 0);
}
