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

/**
 * What did not pass in node's TAP output, one line each. `# fail` alone is not enough: it counts
 * tests, not suites, so a suite whose body throws before declaring its tests (a fixture that cannot
 * be read, say) is a "not ok" that `# fail` leaves out. Every "not ok" counts here, except a suite
 * that failed only because a test inside it failed (that test counts). A skipped or todo test
 * did not run: it counts too.
 */
function tapProblems(tap) {
  const problems = [];
  let last;
  for (const line of tap.split('\n')) {
    const result = /^\s*(ok|not ok) \d+ - (.*?)(?: # (SKIP|TODO)\b(.*))?$/.exec(line);
    if (result) {
      last = result[1] === 'not ok' ? result[2] : undefined;
      if (result[3]) problems.push(`not run (${result[3].toLowerCase()}${result[4] ? `:${result[4]}` : ''}): ${result[2]}`);
      continue;
    }
    const failure = /^\s*failureType: '([^']+)'$/.exec(line);
    if (failure && last !== undefined) {
      if (failure[1] !== 'subtestsFailed') problems.push(`failed (${failure[1]}): ${last}`);
      last = undefined;
    }
  }
  return problems;
}

/**
 * The counts of a suite that prints "N passed, N failed" last. A suite that exits with an error but
 * names no failure (it crashed, or ran nothing) counts as one failure; so does one that passed nothing.
 */
function suiteCounts(name, run) {
  const all = [...run.output.matchAll(/^(?:vscode: )?(\d+) passed, (\d+) failed$/gm)];
  const summary = all[all.length - 1];
  const passed = Number(summary?.[1] ?? 0);
  let failed = Number(summary?.[2] ?? 0);
  if (failed === 0 && (run.code !== 0 || passed === 0)) {
    console.error(`${name}: ${summary ? `exited with ${run.code} after ${passed} passed` : `exited with ${run.code} and no summary`}; counted as one failure.`);
    failed = 1;
  }
  return { passed, failed };
}

const only = process.argv.slice(2);
runOrExit(process.execPath, ['scripts/build.mjs']);
runOrExit(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
// The linter, with the rules that keep the layers apart (eslint.config.mjs).
runOrExit(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
const files = only.length > 0 ? only : testFiles('test').sort();
const unit = await runCapturing(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=tap', ...files]);
let passed = Number(/^# pass (\d+)$/m.exec(unit.output)?.[1] ?? 0);
const notPassed = tapProblems(unit.output);
let failed = notPassed.length;
for (const problem of notPassed) console.error(`unit: ${problem}`);
if (unit.code !== 0 && failed === 0) {
  console.error(`unit: node --test exited with ${unit.code} without naming a failing test; counted as one failure.`);
  failed++;
}

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
    const counts = suiteCounts('vscode', vscode);
    passed += counts.passed;
    failed += counts.failed;
    // The packaged extension, installed from its .vsix, in Restricted Mode.
    const restricted = await runCapturing(process.execPath, ['--import', 'tsx', 'test/vscode/restrictedMode.ts']);
    const restrictedCounts = suiteCounts('restricted mode', restricted);
    passed += restrictedCounts.passed;
    failed += restrictedCounts.failed;
  }
}
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
