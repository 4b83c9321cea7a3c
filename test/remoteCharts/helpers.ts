import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';

type HeaderArgument = Partial<Header> & Pick<Header, 'name'>;

export interface TarEntry {
  name: string;
  content?: string | Uint8Array;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

/** A gzipped tar archive of the entries, in order. */
export async function buildTgz(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (chunk: unknown) => {
      chunks.push(Buffer.from(chunk as Uint8Array));
    });
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  for (const e of entries) {
    const header: HeaderArgument = { name: e.name, type: e.type ?? 'file', mode: e.type === 'directory' ? 0o755 : 0o644 };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    await new Promise<void>((resolve, reject) => {
      const content = e.type === undefined || e.type === 'file' ? Buffer.from(e.content ?? '') : undefined;
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content !== undefined) p.entry(header, content, done);
      else p.entry(header, done);
    });
  }
  p.finalize();
  return gzipSync(await collected);
}

/**
 * A chart archive whose template `templates/big.yaml` holds `bytes` zero bytes: a small .tgz that
 * unpacks to a large tar. Written as a stream, so the test does not hold the tar in memory.
 */
export async function buildLargeChart(name: string, bytes: number): Promise<Buffer> {
  const p = pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(gzip, 'end');
  p.on('data', (chunk: unknown) => {
    if (!gzip.write(Buffer.from(chunk as Uint8Array))) p.pause();
  });
  gzip.on('drain', () => p.resume());
  p.on('end', () => gzip.end());
  await new Promise<void>((resolve, reject) => p.entry({ name: `${name}/Chart.yaml` }, `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`, (e) => (e ? reject(e) : resolve())));
  await new Promise<void>((resolve, reject) => p.entry({ name: `${name}/values.yaml` }, 'replicaCount: 1\n', (e) => (e ? reject(e) : resolve())));
  const written = new Promise<void>((resolve, reject) => {
    const entry = p.entry({ name: `${name}/templates/big.yaml`, size: bytes }, (e) => (e ? reject(e) : resolve()));
    const zeros = Buffer.alloc(1024 * 1024);
    const write = () => {
      let left = bytes;
      const next = () => {
        while (left > 0) {
          const chunk = left >= zeros.length ? zeros : zeros.subarray(0, left);
          left -= chunk.length;
          if (!entry.write(chunk)) {
            entry.once('drain', next);
            return;
          }
        }
        entry.end(undefined);
      };
      next();
    };
    write();
  });
  await written;
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** A chart archive `<name>/Chart.yaml`, `values.yaml`, its templates, optional schema and extra entries. */
export async function buildChart(
  name: string,
  version: string,
  options: { values?: string; schema?: object; extra?: TarEntry[]; dependencies?: Array<{ name: string; alias?: string }>; templates?: Record<string, string> } = {},
): Promise<Buffer> {
  const deps = options.dependencies?.length
    ? `dependencies:\n${options.dependencies.map((d) => `  - name: ${d.name}\n    version: "*"${d.alias ? `\n    alias: ${d.alias}` : ''}`).join('\n')}\n`
    : '';
  const entries: TarEntry[] = [
    { name: `${name}/Chart.yaml`, content: `apiVersion: v2\nname: ${name}\nversion: ${version}\n${deps}` },
    { name: `${name}/values.yaml`, content: options.values ?? 'replicaCount: 1\n' },
  ];
  // Without templates of its own, a placeholder that only the language server reads (Helm could not install it).
  for (const [file, content] of Object.entries(options.templates ?? { 'deployment.yaml': 'kind: Deployment\n' })) entries.push({ name: `${name}/templates/${file}`, content });
  if (options.schema) entries.push({ name: `${name}/values.schema.json`, content: JSON.stringify(options.schema) });
  entries.push(...(options.extra ?? []));
  return buildTgz(entries);
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  server: Server;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port; counts requests per path. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    hits.set(p, (hits.get(p) ?? 0) + 1);
    Promise.resolve(handler(req, res)).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
