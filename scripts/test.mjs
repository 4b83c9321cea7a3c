// `npm test`: builds the bundles, type-checks, runs every unit, protocol and CLI test with node's
// test runner, then the suite inside a real VS Code (code-server in Chromium). Ends with one line
// that sums up both: "total: N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function runOrExit(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Runs a command, echoing its output, and returns its exit code and output. */
function runCapturing(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'vscode' ? [] : testFiles(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const only = process.argv.slice(2);
runOrExit(process.execPath, ['scripts/build.mjs']);
runOrExit(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
// The linter, with the rules that keep the layers apart (eslint.config.mjs).
runOrExit(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
const files = only.length > 0 ? only : testFiles('test').sort();
const unit = await runCapturing(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=tap', ...files]);
const count = (text, pattern) => Number(pattern.exec(text)?.[1] ?? 0);
let passed = count(unit.output, /^# pass (\d+)$/m);
let failed = count(unit.output, /^# fail (\d+)$/m) + (unit.code !== 0 && !/^# fail [1-9]/m.test(unit.output) ? 1 : 0);

if (only.length === 0 && process.env.SKIP_VSCODE_TESTS === '1') {
  // Never a silent drop: a run without the real-VS-Code suite is not a passing run.
  console.error('vscode: SKIP_VSCODE_TESTS=1, so the real-VS-Code suite did not run; counted as one failure.');
  failed++;
} else if (only.length === 0) {
  // The real-VS-Code suite: code-server is installed once into a cache folder (needs the Debian
  // packages that .ci/run installs; the install script names any that are missing).
  const install = spawnSync('bash', ['scripts/vscode/install-code-server.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (install.status !== 0) {
    console.error('vscode: code-server could not be installed (see above); the real-VS-Code suite did not run.');
    failed++;
  } else {
    const vscode = await runCapturing(process.execPath, ['--import', 'tsx', 'test/vscode/run.ts'], { ...process.env, VSCODE_TEST_NO_BUILD: '1' });
    const summary = /(\d+) passed, (\d+) failed/.exec(vscode.output);
    passed += Number(summary?.[1] ?? 0);
    failed += Number(summary?.[2] ?? 0) + (vscode.code !== 0 && !summary ? 1 : 0);
    // The packaged extension, installed from its .vsix, in Restricted Mode.
    const restricted = await runCapturing(process.execPath, ['--import', 'tsx', 'test/vscode/restrictedMode.ts']);
    const restrictedSummary = /(\d+) passed, (\d+) failed/.exec(restricted.output);
    passed += Number(restrictedSummary?.[1] ?? 0);
    failed += Number(restrictedSummary?.[2] ?? 0) + (restricted.code !== 0 && !restrictedSummary ? 1 : 0);
  }
}
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
