// Bundles the extension client, the language server, the CLI and the benchmark with esbuild.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [
    {
      // The yaml parser reads a debugging switch from the environment on every token, about a
      // fifth of its parse time; our bundles never want that output.
      name: 'yaml-without-token-logging',
      setup(build) {
        build.onLoad({ filter: /[\\/]yaml[\\/]dist[\\/]parse[\\/]parser\.js$/ }, (args) => ({
          contents: readFileSync(args.path, 'utf8').replace('node_process.env.LOG_TOKENS', 'false'),
          loader: 'js',
        }));
      },
    },
  ],
};

/**
 * The extension's first bundle reads only strings and types from server/src/protocol.ts; its
 * request types (marked pure) are left out, and with them the protocol library they come from,
 * so that activation does not load it.
 */
const protocolTypesUnused = {
  name: 'protocol-types-unused',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageserver-protocol$/ }, (args) =>
      /[\\/]server[\\/]src[\\/]protocol\.ts$/.test(args.importer) ? { path: require.resolve('vscode-languageserver-protocol'), sideEffects: false } : undefined,
    );
  },
};

await Promise.all([
  build({ ...common, plugins: [...common.plugins, protocolTypesUnused], entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['client/src/clusterUi/index.ts'], outfile: 'dist/clusterUi.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['client/src/languageClient.ts'], outfile: 'dist/languageClient.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  build({ ...common, entryPoints: ['server/src/node/indexWorker.ts'], outfile: 'dist/indexWorker.js' }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js', external: ['yaml-language-server'] }),
]);
chmodSync('dist/cli.js', 0o755);
