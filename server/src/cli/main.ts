import * as path from 'path';
import { stat } from 'fs/promises';
import { checkFiles, type FileResult } from './check';
import { collectFiles } from '../node/files';
import { findConfigFile, loadConfig } from './config';
import { defaultSettings, type Settings } from '../service/settings';

const USAGE = `Usage: helmrelease-check [--format text|json] [--config FILE] [--fix] [--hints] PATH...
       node dist/cli.js check [--format text|json] [--config FILE] [--fix] [--hints] PATH...

Checks the Flux manifests (HelmRelease, HelmRepository, OCIRepository, GitRepository,
HelmChart, Bucket, ExternalArtifact) in the given YAML files and directories, which are
searched recursively for *.yaml and *.yml files. Other YAML documents are left alone.

Options:
  --format text|json  text (default): one line per problem, path:line:col: severity code: message
                      json: one JSON array of { file, range, severity, code, message }
  --config FILE       settings file; by default the nearest .helmrelease.yaml upwards
                      from the current directory
  --hints             also list hints (deprecated or ignored fields that do no harm);
                      editors show them faintly, and they never fail the check
  --fix               apply the safe fixes in place (API version migrations, quoting of
                      YAML 1.1 booleans and octals), print what changed, then report
                      what is left
  -h, --help          show this help

Exit status: 0 no errors, 1 errors found, 2 bad usage or unreadable input.`;

const SEVERITY_NAMES = ['error', 'error', 'warning', 'information', 'hint'] as const;

interface Options {
  format: 'text' | 'json';
  fix: boolean;
  hints: boolean;
  config?: string;
  paths: string[];
}

class UsageError extends Error {}

export function parseArguments(argv: readonly string[]): Options | 'help' {
  const args = [...argv];
  if (args[0] === 'check') args.shift();
  const options: Options = { format: 'text', fix: false, hints: false, paths: [] };
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args.shift();
      if (value !== 'text' && value !== 'json') throw new UsageError(`--format must be text or json, not ${value === undefined ? 'nothing' : `'${value}'`}`);
      options.format = value;
    } else if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args.shift();
      if (!value) throw new UsageError('--config needs a file');
      options.config = value;
    } else if (arg === '--hints') {
      options.hints = true;
    } else if (arg === '--fix') {
      options.fix = true;
    } else if (arg === '--') {
      options.paths.push(...args.splice(0));
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      options.paths.push(arg);
    }
  }
  if (options.paths.length === 0) throw new UsageError('no files or directories given');
  return options;
}

function formatText(results: FileResult[], cwd: string): string[] {
  const lines: string[] = [];
  for (const { file, diagnostics } of results) {
    const shown = path.relative(cwd, file) || file;
    for (const d of diagnostics) {
      lines.push(`${shown}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${SEVERITY_NAMES[d.severity ?? 1]} ${d.code}: ${d.message}`);
    }
  }
  return lines;
}

function formatJson(results: FileResult[]): string {
  const items = results.flatMap(({ file, diagnostics }) =>
    diagnostics.map((d) => ({ file, range: d.range, severity: SEVERITY_NAMES[d.severity ?? 1], code: d.code, message: d.message })),
  );
  return JSON.stringify(items, null, 2);
}

export async function run(argv: readonly string[], out: (s: string) => void, err: (s: string) => void, cwd = process.cwd()): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`helmrelease-check: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    out(USAGE);
    return 0;
  }
  let settings: Settings = defaultSettings;
  try {
    const configFile = options.config ?? (await findConfigFile(cwd));
    if (configFile) settings = await loadConfig(path.resolve(cwd, configFile));
  } catch (error) {
    err(`helmrelease-check: cannot use the settings file: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const { files, problems: listProblems, directories: walked } = await collectFiles(options.paths.map((p) => path.resolve(cwd, p)), settings.exclude);
  // Directories are repositories: their files form one workspace with cross-file checks.
  const directories: string[] = [];
  for (const input of options.paths) {
    try {
      if ((await stat(path.resolve(cwd, input))).isDirectory()) directories.push(path.resolve(cwd, input));
    } catch {
      // reported by collectFiles
    }
  }
  // Every directory was walked (unless some could not be read): a Kustomization's spec.path naming none is missing.
  const workspace = directories.length > 0 ? { folders: directories, directories: { ...walked, complete: listProblems.length === 0 } } : undefined;
  const checked = await checkFiles(files, settings, options.fix, workspace);
  const { problems: readProblems } = checked;
  const results = options.hints ? checked.results : checked.results.map((r) => ({ ...r, diagnostics: r.diagnostics.filter((d) => d.severity !== 4) }));
  for (const { file, fixed } of results) {
    for (const change of fixed ?? []) err(`fixed ${path.relative(cwd, file) || file}: ${change}`);
  }
  const problems = [...listProblems, ...readProblems];
  if (options.format === 'json') out(formatJson(results));
  else {
    const lines = formatText(results, cwd);
    if (lines.length) out(lines.join('\n'));
  }
  for (const problem of problems) err(`helmrelease-check: cannot read ${problem}`);
  const counts = { error: 0, warning: 0, other: 0 };
  for (const r of results) for (const d of r.diagnostics) {
    if (d.severity === 1) counts.error++;
    else if (d.severity === 2) counts.warning++;
    else counts.other++;
  }
  if (options.format === 'text') {
    err(`${counts.error} error(s), ${counts.warning} warning(s), ${counts.other} other in ${files.length} file(s)`);
  }
  if (problems.length > 0) return 2;
  return counts.error > 0 ? 1 : 0;
}

if (require.main === module) {
  run(process.argv.slice(2), (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`helmrelease-check: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
