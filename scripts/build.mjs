// Bundles the extension client, the language server, the CLI and the benchmark with esbuild.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // The yaml parser reads this debugging switch from the environment on every token.
  define: { 'process.env.LOG_TOKENS': 'undefined' },
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js', external: ['yaml-language-server'] }),
]);
chmodSync('dist/cli.js', 0o755);
