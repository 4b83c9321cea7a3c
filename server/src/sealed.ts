import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';

/**
 * Registry credentials travel from the extension to the language server inside LSP messages, and
 * a verbose LSP trace logs every message. So they are sealed (AES-256-GCM) with a key the
 * extension hands to the server process in its environment, which no trace or log shows.
 */
export const SEAL_KEY_ENV = 'HELMRELEASE_SEAL_KEY';

export function newSealKey(): string {
  return randomBytes(32).toString('base64');
}

export function seal(key: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
}

/** The sealed value, or undefined when it was not sealed with this key (or was altered). */
export function unseal(key: string, sealed: string): unknown {
  try {
    const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
    if (!iv || !tag || !body) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
}
