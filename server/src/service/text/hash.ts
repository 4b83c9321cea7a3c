/** A short, fast hash of a text (djb2 with its length), for cache keys; not for security. */
export function textHash(text: string): string {
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = ((hash << 5) + hash + text.charCodeAt(i)) | 0;
  return `${text.length}-${hash >>> 0}`;
}
