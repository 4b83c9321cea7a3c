// A Git repository served over smart HTTP on loopback, for the real source-controller: Git's own
// `git http-backend` run as a CGI program per request (go-git, which Flux uses, speaks only the
// smart protocol, so static files would not do).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startServer, type TestServer } from '../remoteCharts/helpers';

export interface GitServer {
  /** The clone URL of the repository, e.g. http://127.0.0.1:PORT/fleet.git */
  url: string;
  /** Writes the files (path → content) into the work tree and commits them on `main`; returns the commit. */
  commit(files: Record<string, string>, message: string): string;
  close(): Promise<void>;
}

function git(cwd: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@example.com' } });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('git is missing: install the Debian package git');
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Serves `<root>/<name>.git` (a repository with a work tree, created empty on branch main). */
export async function startGitServer(root: string, name = 'fleet'): Promise<GitServer> {
  const work = path.join(root, name);
  mkdirSync(work, { recursive: true });
  git(work, ['init', '--quiet', '--initial-branch=main']);
  git(work, ['config', 'http.receivepack', 'false']);
  const server: TestServer = await startServer(
    (req, res) =>
      new Promise<void>((resolve) => {
        const url = new URL(req.url ?? '/', 'http://git');
        const prefix = `/${name}.git`;
        if (!url.pathname.startsWith(prefix)) {
          res.writeHead(404).end();
          return resolve();
        }
        const backend = spawn('git', ['http-backend'], {
          env: {
            ...process.env,
            GIT_PROJECT_ROOT: path.join(work, '.git'),
            GIT_HTTP_EXPORT_ALL: '1',
            PATH_INFO: url.pathname.slice(prefix.length) || '/',
            QUERY_STRING: url.search.slice(1),
            REQUEST_METHOD: req.method ?? 'GET',
            CONTENT_TYPE: req.headers['content-type'] ?? '',
            HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
            HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
            REMOTE_ADDR: '127.0.0.1',
          },
          stdio: ['pipe', 'pipe', 'ignore'],
        });
        req.pipe(backend.stdin);
        // CGI output: header lines, a blank line, then the body.
        let head = Buffer.alloc(0);
        let headersSent = false;
        backend.stdout.on('data', (chunk: Buffer) => {
          if (headersSent) {
            res.write(chunk);
            return;
          }
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          let status = 200;
          for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
            const colon = line.indexOf(':');
            const key = line.slice(0, colon).trim();
            const value = line.slice(colon + 1).trim();
            if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
            else res.setHeader(key, value);
          }
          res.writeHead(status);
          headersSent = true;
          res.write(head.subarray(end + 4));
        });
        backend.on('close', () => {
          if (!headersSent) res.writeHead(502);
          res.end();
          resolve();
        });
      }),
  );
  return {
    url: `${server.url}/${name}.git`,
    commit(files, message) {
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        writeFileSync(path.join(work, file), content);
      }
      git(work, ['add', '--all']);
      git(work, ['commit', '--quiet', '--allow-empty', '-m', message]);
      return git(work, ['rev-parse', 'HEAD']);
    },
    close: () => server.close(),
  };
}
