/** Human wording for the patterns Flux CRDs use, so that a violation says what to write. */

const cache = new Map<string, RegExp | null>();

export function compilePattern(pattern: string): RegExp | null {
  if (!cache.has(pattern)) {
    let compiled: RegExp | null;
    try {
      compiled = new RegExp(pattern);
    } catch {
      compiled = null;
    }
    cache.set(pattern, compiled);
  }
  return cache.get(pattern)!;
}

export function describePattern(pattern: string, value: string): string {
  if (pattern.includes('(ms|s|m|h)')) {
    return `\`${value}\` is not a duration. Write a number and a unit (ms, s, m or h), e.g. \`30s\`, \`5m\`, \`1h30m\`.`;
  }
  if (pattern.includes('(ms|s|m))')) {
    return `\`${value}\` is not a valid timeout. Write a number and a unit (ms, s or m; hours are not allowed here), e.g. \`60s\` or \`2m\`.`;
  }
  const schemes = /^\^\(?([a-z|]+)\)?:\/\//.exec(pattern);
  if (schemes) {
    const list = schemes[1]!.split('|').map((s) => `${s}://`);
    return `\`${value}\` is not a valid URL here: it must start with ${joinOr(list.map((s) => `\`${s}\``))}.`;
  }
  if (pattern.includes('\\[[0-9]{1,5}\\]')) {
    return `\`${value}\` is not a valid values path. Use keys separated by dots and list indexes in brackets, e.g. \`ingress.hosts[0].name\` (escape a dot inside a key as \`\\.\`).`;
  }
  if (pattern === '^[\\-._a-zA-Z0-9]+$') {
    return `\`${value}\` is not a valid data key: use letters, digits, \`-\`, \`_\` and \`.\` only.`;
  }
  if (pattern.startsWith('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.')) {
    return `\`${value}\` is not a valid Kubernetes name: use lower-case letters, digits, \`-\` and \`.\`, starting and ending with a letter or digit.`;
  }
  if (pattern === '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') {
    return `\`${value}\` is not a valid namespace name: use lower-case letters, digits and \`-\`, starting and ending with a letter or digit.`;
  }
  return `\`${value}\` does not match the required pattern \`${pattern}\`.`;
}

export function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
