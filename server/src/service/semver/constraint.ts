/**
 * Chart version constraints as Flux evaluates them.
 *
 * Flux (source-controller) uses Masterminds/semver v3 for `.spec.chart.spec.version`,
 * `OCIRepository .spec.ref.semver` and `GitRepository .spec.ref.semver`. Its range syntax and
 * pre-release rules differ from npm's, so this module parses and checks constraints itself and
 * uses the npm `semver` package only to parse and compare single versions (`parse`, `compare`).
 * Never use npm's range functions (`satisfies`, `Range`, `validRange`) for Flux constraints.
 *
 * Masterminds behaviour reproduced here (v3.3/v3.4 `constraints.go`):
 * - `||` separates alternatives; inside one, comparators separated by spaces and/or a comma are ANDed.
 * - Operators `=`, `!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`, `~`, `~>`, `^`; none means `=`.
 *   Whitespace may follow the operator (`>= 1.2`).
 * - Versions may be partial (`1`, `1.2`), use `x`/`X`/`*` wildcards, a lowercase `v` prefix,
 *   a pre-release and build metadata. The first missing or wildcard part makes the comparator
 *   "dirty" at that level and the later parts are ignored.
 * - `A - B` (spaces required) means `>= A, <= B`.
 * - A pre-release version can satisfy an AND group only when some comparator of that group
 *   carries a pre-release; then pre-releases of any version pass through that group's checks.
 * - Build metadata never takes part in comparisons.
 */
import semver, { type SemVer } from 'semver';

export type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

/** What a comparator checks. `eq` with a wildcard behaves like `tilde`, as in Masterminds. */
export type ComparatorKind = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'tilde' | 'caret';

/** The first version part that was missing or a wildcard (`1.2` → `patch`, `1.x` → `minor`, `*` → `major`). */
export type Wildcard = 'none' | 'major' | 'minor' | 'patch';

export interface Comparator {
  /** The operator as written (`''` when there was none; hyphen-range bounds get `>=` / `<=`). */
  readonly operator: Operator;
  readonly kind: ComparatorKind;
  /** The version as written, e.g. `v1.2.x-rc.1`. */
  readonly versionText: string;
  /** The version with missing and wildcard parts set to 0 and build metadata dropped. */
  readonly version: SemVer;
  readonly wildcard: Wildcard;
  /** Offsets of the comparator within the constraint text. */
  readonly start: number;
  readonly end: number;
}

/** One `||` alternative: all of its comparators must hold. */
export interface ComparatorGroup {
  readonly comparators: readonly Comparator[];
  /** Some comparator has a pre-release, so pre-release versions are considered by this group. */
  readonly includesPrerelease: boolean;
  readonly start: number;
  readonly end: number;
}

export interface Constraint {
  readonly text: string;
  readonly groups: readonly ComparatorGroup[];
}

export type ConstraintResult =
  | { ok: true; constraint: Constraint }
  | { ok: false; message: string; start: number; end: number };

interface ParseError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

const KIND_OF: Readonly<Record<Operator, ComparatorKind>> = {
  '': 'eq',
  '=': 'eq',
  '!=': 'ne',
  '>': 'gt',
  '<': 'lt',
  '>=': 'ge',
  '=>': 'ge',
  '<=': 'le',
  '=<': 'le',
  '~': 'tilde',
  '~>': 'tilde',
  '^': 'caret',
};

const TWO_CHAR_OPERATORS: readonly Operator[] = ['!=', '>=', '=>', '<=', '=<', '~>'];
const ONE_CHAR_OPERATORS: readonly Operator[] = ['=', '>', '<', '~', '^'];
const OPERATOR_CHARS = '=!<>~^';
const OPERATOR_LIST = '=, !=, >, <, >=, <=, =>, =<, ~, ~> or ^';

/**
 * One comparator version: optional `v`, up to three parts of digits or wildcards, pre-release,
 * build metadata (Masterminds' `cvRegex`, without the stray `|` its character class allows).
 */
const VERSION_RE =
  /v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?/y;

/** Go's RE2 `\s`: space, tab, newline, carriage return, form feed. */
function isWs(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f';
}

function skipWs(text: string, pos: number, end: number): number {
  let p = pos;
  while (p < end && isWs(text[p])) p++;
  return p;
}

/** End of the whitespace/comma-delimited token starting at `pos`. */
function tokenEnd(text: string, pos: number, end: number): number {
  let p = pos;
  while (p < end && !isWs(text[p]) && text[p] !== ',') p++;
  return p;
}

function isWildcardPart(part: string): boolean {
  return part === 'x' || part === 'X' || part === '*';
}

function isParseError(value: object): value is ParseError {
  return 'message' in value;
}

/** Parses a Flux (Masterminds/semver v3) version constraint such as `>=1.2.0 <2.0.0 || ^3`. */
export function parseConstraint(text: string): ConstraintResult {
  if (skipWs(text, 0, text.length) === text.length) {
    return {
      ok: false,
      message:
        'The version constraint is empty. Flux treats an empty chart version as `*` (the latest stable version), but an empty constraint is not valid by itself; write `*` or leave the field out.',
      start: 0,
      end: text.length,
    };
  }
  const groups: ComparatorGroup[] = [];
  let segStart = 0;
  for (;;) {
    const bar = text.indexOf('||', segStart);
    const segEnd = bar === -1 ? text.length : bar;
    if (skipWs(text, segStart, segEnd) === segEnd) {
      // An empty alternative: point at the `||` next to it.
      const at = segStart >= 2 ? segStart - 2 : segEnd;
      return {
        ok: false,
        message: '`||` must have a constraint on both sides; this alternative is empty.',
        start: at,
        end: at + 2,
      };
    }
    const group = parseGroup(text, segStart, segEnd);
    if (isParseError(group)) return { ok: false, ...group };
    groups.push(group);
    if (bar === -1) break;
    segStart = bar + 2;
  }
  return { ok: true, constraint: { text, groups } };
}

/** Parses the comparators of one `||` alternative occupying `text[start, end)`. */
function parseGroup(text: string, start: number, end: number): ComparatorGroup | ParseError {
  const comparators: Comparator[] = [];
  let pos = skipWs(text, start, end);
  // How the current comparator was separated from the previous one.
  let separator: 'start' | 'space' | 'comma' = 'start';
  let previousWasRange = false;
  for (;;) {
    const first = parseComparator(text, pos, end);
    if (isParseError(first)) return first;
    let next = first.end;

    const dash = skipWs(text, next, end);
    if (dash > next && text[dash] === '-' && isWs(text[dash + 1]) && dash + 1 < end) {
      // Hyphen range `A - B` → `>= A, <= B`.
      const left = first;
      const rightStart = skipWs(text, dash + 1, end);
      const rangeEnd = tokenEnd(text, rightStart, end);
      const rangeText = text.slice(left.start, Math.max(rangeEnd, dash + 1));
      if (left.operator !== '') {
        return {
          message: `\`${rangeText}\` is not a valid hyphen range: both ends must be plain versions, e.g. \`1.2 - 1.4.5\`.`,
          start: left.start,
          end: Math.max(rangeEnd, dash + 1),
        };
      }
      if (separator === 'space' && !previousWasRange) {
        // Masterminds rewrites `A - B` together with the whitespace before it, which glues the
        // rewritten `>= A` onto the previous comparator; only a comma (or `||`) keeps them apart.
        return {
          message: `\`${rangeText}\`: Flux cannot parse a hyphen range that follows another comparator after only a space; separate them with a comma.`,
          start: left.start,
          end: Math.max(rangeEnd, dash + 1),
        };
      }
      if (rightStart >= end || text[rightStart] === ',') {
        return { message: 'Expected a version after `-` to end the hyphen range, e.g. `1.2 - 1.4.5`.', start: dash, end: dash + 1 };
      }
      const right = parseComparator(text, rightStart, end);
      if (isParseError(right)) return right;
      if (right.operator !== '') {
        return {
          message: `\`${rangeText}\` is not a valid hyphen range: both ends must be plain versions, e.g. \`1.2 - 1.4.5\`.`,
          start: left.start,
          end: right.end,
        };
      }
      comparators.push({ ...left, operator: '>=', kind: 'ge' }, { ...right, operator: '<=', kind: 'le' });
      next = right.end;
      previousWasRange = true;
    } else {
      comparators.push(first);
      previousWasRange = false;
    }

    let p = skipWs(text, next, end);
    if (p >= end) break;
    if (text[p] === ',') {
      const comma = p;
      p = skipWs(text, p + 1, end);
      if (p >= end) {
        return { message: 'A comma must be followed by another comparator.', start: comma, end: comma + 1 };
      }
      if (text[p] === ',') {
        return { message: 'Two commas in a row: remove one.', start: p, end: p + 1 };
      }
      separator = 'comma';
    } else if (p > next) {
      separator = 'space';
    } else {
      // parseComparator only stops at whitespace, a comma or the end; kept for safety.
      const e = tokenEnd(text, p, end);
      return { message: `Unexpected \`${text.slice(p, e)}\`.`, start: p, end: Math.max(e, p + 1) };
    }
    pos = p;
  }
  return {
    comparators,
    includesPrerelease: comparators.some((c) => c.version.prerelease.length > 0),
    start,
    end,
  };
}

function readOperator(text: string, pos: number): Operator {
  const two = text.slice(pos, pos + 2);
  for (const op of TWO_CHAR_OPERATORS) if (two === op) return op;
  const one = text.slice(pos, pos + 1);
  for (const op of ONE_CHAR_OPERATORS) if (one === op) return op;
  return '';
}

/** Parses one comparator (operator, optional whitespace, version) starting at a non-blank `pos`. */
function parseComparator(text: string, pos: number, end: number): Comparator | ParseError {
  const start = pos;
  const operator = readOperator(text, pos);
  const versionStart = skipWs(text, pos + operator.length, end);
  const invalid = (reason: string, to: number): ParseError => {
    const e = Math.max(to, start + 1);
    return { message: `\`${text.slice(start, e)}\` is not a valid comparator: ${reason}`, start, end: e };
  };

  if (operator === '' && text[pos] === ',') {
    return { message: 'A comma must come between two comparators.', start: pos, end: pos + 1 };
  }
  if (versionStart < end && OPERATOR_CHARS.includes(text[versionStart] ?? '')) {
    let q = pos;
    while (q < end && OPERATOR_CHARS.includes(text[q] ?? '')) q++;
    const run = text.slice(pos, q);
    const to = tokenEnd(text, versionStart, end);
    if (run.length > operator.length) {
      return invalid(`unknown operator \`${run}\`; the operators are ${OPERATOR_LIST}.`, to);
    }
    return invalid(`unexpected \`${text[versionStart] ?? ''}\` after the operator \`${operator}\`; the operators are ${OPERATOR_LIST}.`, to);
  }
  if (versionStart >= end || text[versionStart] === ',') {
    return invalid(`expected a version after \`${operator}\`, e.g. \`${operator}1.2.3\`.`, start + operator.length);
  }

  VERSION_RE.lastIndex = versionStart;
  const m = VERSION_RE.exec(text);
  if (m === null) {
    const to = tokenEnd(text, versionStart, end);
    const ch = text[versionStart];
    if (ch === 'V') return invalid('the `v` prefix must be lowercase.', to);
    if (ch === '-') {
      return invalid('a hyphen range needs spaces on both sides of `-`, e.g. `1.2 - 1.4.5`.', to);
    }
    const what = operator === '' ? 'expected an operator or a version' : `expected a version after \`${operator}\``;
    return invalid(`${what}, e.g. \`1.2.3\`, \`1.2.x\` or \`*\`.`, to);
  }
  const versionEnd = versionStart + m[0].length;
  const versionText = m[0];

  if (versionEnd < end && !isWs(text[versionEnd]) && text[versionEnd] !== ',') {
    const to = tokenEnd(text, versionEnd, end);
    const rest = text.slice(versionEnd, to);
    const head = rest[0] ?? '';
    const hasExtra = m[4] !== undefined || m[5] !== undefined;
    if (OPERATOR_CHARS.includes(head)) {
      return invalid(`missing space or comma before \`${rest}\`.`, to);
    }
    if (head === '.' && hasExtra) {
      return invalid('pre-release and build identifiers must not be empty.', to);
    }
    if (head === '.' && m[3] !== undefined && /^\.[0-9xX*]/.test(rest)) {
      return invalid('a version has at most three numbers (major.minor.patch).', to);
    }
    if (head === '.') return invalid('a version number must not be empty.', to);
    if (head === '-' && rest === '-' && m[4] === undefined) {
      const after = skipWs(text, to, end);
      if (after > to && after < end && /[0-9vxX*]/.test(text[after] ?? '')) {
        return invalid('a hyphen range needs spaces on both sides of `-`, e.g. `1.2 - 1.4.5`.', to);
      }
      return invalid('the pre-release after `-` must not be empty.', to);
    }
    if (head === '+' && rest === '+') return invalid('the build metadata after `+` must not be empty.', to);
    if (head === 'V' || head === 'v') return invalid(`unexpected \`${rest}\` after \`${versionText}\`.`, to);
    return invalid(
      `unexpected \`${rest}\` after \`${versionText}\`; pre-release and build identifiers may only contain letters, digits and \`-\`.`,
      to,
    );
  }

  // Numbers before the first wildcard or missing part; later parts are ignored (as Masterminds does).
  const parts = [m[1], m[2], m[3]];
  const names = ['major', 'minor', 'patch'] as const;
  const numbers = [0, 0, 0];
  let wildcard: Wildcard = 'none';
  for (let i = 0; i < 3; i++) {
    const part = parts[i];
    if (part === undefined || isWildcardPart(part)) {
      wildcard = names[i];
      break;
    }
    if (!/^[0-9]+$/.test(part)) {
      return invalid(`\`${part}\` is neither a number nor a wildcard (\`x\`, \`X\`, \`*\`).`, versionEnd);
    }
    const n = Number(part);
    if (!Number.isSafeInteger(n)) return invalid(`the number \`${part}\` is too large.`, versionEnd);
    numbers[i] = n;
  }
  const pre = m[4];
  if (pre !== undefined) {
    for (const id of pre.split('.')) {
      if (/^[0-9]+$/.test(id) && id.length > 1 && id.startsWith('0')) {
        return invalid(`the numeric pre-release identifier \`${id}\` must not have leading zeros.`, versionEnd);
      }
    }
  }
  const version = semver.parse(`${numbers.join('.')}${pre === undefined ? '' : `-${pre}`}`);
  if (version === null) return invalid('the version is not valid (too long?).', versionEnd);

  return {
    operator,
    kind: KIND_OF[operator],
    versionText,
    version,
    wildcard,
    start,
    end: versionEnd,
  };
}

// ---------------------------------------------------------------------------------------------
// Checking

function preString(v: SemVer): string {
  return v.prerelease.join('.');
}

function tildeCheck(c: Comparator, v: SemVer): boolean {
  const con = c.version;
  if (semver.compare(v, con) < 0) return false;
  // `~0.0.0`, `~*` and `*` accept everything at or above the bound.
  if (con.major === 0 && con.minor === 0 && con.patch === 0 && c.wildcard !== 'minor' && c.wildcard !== 'patch') {
    return true;
  }
  if (v.major !== con.major) return false;
  if (v.minor !== con.minor && c.wildcard !== 'minor') return false;
  return true;
}

function checkComparator(c: Comparator, v: SemVer, includePrerelease: boolean): boolean {
  if (v.prerelease.length > 0 && !includePrerelease) return false;
  const con = c.version;
  const cmp = semver.compare(v, con);
  switch (c.kind) {
    case 'eq':
      return c.wildcard === 'none' ? cmp === 0 : tildeCheck(c, v);
    case 'tilde':
      return tildeCheck(c, v);
    case 'lt':
      return cmp < 0;
    case 'ge':
      return cmp >= 0;
    case 'gt':
      if (c.wildcard === 'none') return cmp > 0;
      if (v.major > con.major) return true;
      if (v.major < con.major) return false;
      if (c.wildcard === 'minor') return false;
      if (c.wildcard === 'patch') return v.minor > con.minor;
      return cmp > 0;
    case 'le':
      if (c.wildcard === 'none') return cmp <= 0;
      if (v.major > con.major) return false;
      if (v.major === con.major && v.minor > con.minor && c.wildcard !== 'minor') return false;
      return true;
    case 'ne':
      if (c.wildcard !== 'none') {
        if (con.major !== v.major) return true;
        if (con.minor !== v.minor && c.wildcard !== 'minor') return true;
        if (c.wildcard === 'minor') return false;
        if (con.patch !== v.patch && c.wildcard !== 'patch') return true;
        if (c.wildcard === 'patch') return preString(v) !== preString(con);
      }
      return cmp !== 0;
    case 'caret':
      if (cmp < 0) return false;
      if (con.major > 0 || c.wildcard === 'minor') return v.major === con.major;
      if (v.major > 0) return false;
      if (con.minor > 0 || c.wildcard === 'patch') return v.minor === con.minor;
      if (v.minor > 0) return false;
      return v.patch === con.patch;
  }
}

/**
 * Whether `version` satisfies `constraint` the way Flux's `Constraints.Check` decides
 * (pre-releases only through AND groups that mention one; build metadata ignored).
 */
export function satisfies(constraint: Constraint, version: SemVer): boolean {
  return constraint.groups.some((g) => g.comparators.every((c) => checkComparator(c, version, g.includesPrerelease)));
}

// ---------------------------------------------------------------------------------------------
// Versions

const FLUX_VERSION_RE =
  /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function normaliseNumber(digits: string | undefined): string {
  if (digits === undefined) return '0';
  const trimmed = digits.replace(/^0+(?=[0-9])/, '');
  return trimmed;
}

/**
 * Flux `pkg/version.ParseVersion`: the text must split into three parts at dots, then parse
 * with Masterminds `NewVersion` (lowercase `v` prefix and leading zeros in the numbers allowed,
 * e.g. `v2025.02.03`). Returns an npm `SemVer` of the normalised version.
 */
export function parseFluxVersion(text: string): SemVer | undefined {
  // strings.SplitN(v, ".", 3) must give three parts, i.e. at least two dots.
  if (text.split('.').length < 3) return undefined;
  const m = FLUX_VERSION_RE.exec(text);
  if (m === null) return undefined;
  const core = [m[1], m[2], m[3]].map(normaliseNumber).join('.');
  const pre = m[4] === undefined ? '' : `-${m[4]}`;
  const build = m[5] === undefined ? '' : `+${m[5]}`;
  // npm rejects numeric pre-release identifiers with leading zeros, like Masterminds does.
  return semver.parse(`${core}${pre}${build}`) ?? undefined;
}

/** A strict semantic version (no `v` prefix, no leading zeros), as Helm requires for OCI tags. */
export function parseStrictVersion(text: string): SemVer | undefined {
  if (text.length === 0 || text.startsWith('v') || text.trim() !== text) return undefined;
  return semver.parse(text) ?? undefined;
}

/** The text is a plain version that Flux uses directly (exact index entry / OCI tag) before any range logic. */
export function isExactVersion(text: string): boolean {
  return parseFluxVersion(text) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Explaining

function show(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length > 0 ? `-${preString(v)}` : ''}`;
}

/** A bound derived from a major/minor change: with pre-releases allowed, `2.0.0-0` is the exact edge. */
function edge(major: number, minor: number, patch: number, includePrerelease: boolean): string {
  return `${major}.${minor}.${patch}${includePrerelease ? '-0' : ''}`;
}

function isZero(v: SemVer): boolean {
  return v.major === 0 && v.minor === 0 && v.patch === 0 && v.prerelease.length === 0;
}

function lowerBound(v: SemVer): string[] {
  return isZero(v) ? [] : [`≥ ${show(v)}`];
}

/** The comparator as conditions (ANDed); an empty list means "any version". */
function describe(c: Comparator, pre: boolean): string[] {
  const con = c.version;
  const { major, minor, patch } = con;
  switch (c.kind) {
    case 'eq':
      if (c.wildcard === 'none') return [`exactly ${show(con)}`];
      return describeTilde(c, pre);
    case 'tilde':
      return describeTilde(c, pre);
    case 'caret': {
      const lower = lowerBound(con);
      if (major > 0 || c.wildcard === 'minor') return [...lower, `< ${edge(major + 1, 0, 0, pre)}`];
      if (minor > 0 || c.wildcard === 'patch') return [...lower, `< ${edge(0, minor + 1, 0, pre)}`];
      return [...lower, `< ${edge(0, 0, patch + 1, pre)}`];
    }
    case 'gt':
      if (c.wildcard === 'minor') return [`≥ ${edge(major + 1, 0, 0, pre)}`];
      if (c.wildcard === 'patch') return [`≥ ${edge(major, minor + 1, 0, pre)}`];
      return [`> ${show(con)}`];
    case 'ge':
      return lowerBound(con);
    case 'lt':
      return [`< ${show(con)}`];
    case 'le':
      if (c.wildcard === 'none') return [`≤ ${show(con)}`];
      if (c.wildcard === 'minor') return [`< ${edge(major + 1, 0, 0, pre)}`];
      if (c.wildcard === 'patch') return [`< ${edge(major, minor + 1, 0, pre)}`];
      return [`< ${edge(0, 1, 0, pre)}`];
    case 'ne': {
      if (c.wildcard === 'minor') return [`not ${major}.x`];
      if (c.wildcard === 'patch') {
        if (con.prerelease.length > 0) return [`not ${major}.${minor}.x-${preString(con)}`];
        return [pre ? `not a ${major}.${minor}.x release` : `not ${major}.${minor}.x`];
      }
      return [`not ${show(con)}`];
    }
  }
}

function describeTilde(c: Comparator, pre: boolean): string[] {
  const con = c.version;
  const lower = lowerBound(con);
  if (con.major === 0 && con.minor === 0 && con.patch === 0 && c.wildcard !== 'minor' && c.wildcard !== 'patch') {
    return lower;
  }
  if (c.wildcard === 'minor') return [...lower, `< ${edge(con.major + 1, 0, 0, pre)}`];
  return [...lower, `< ${edge(con.major, con.minor + 1, 0, pre)}`];
}

function describeGroup(g: ComparatorGroup): string {
  const parts = g.comparators.flatMap((c) => describe(c, g.includesPrerelease));
  return parts.length === 0 ? 'any version' : parts.join(' and ');
}

function onlyExact(g: ComparatorGroup): boolean {
  return g.comparators.every((c) => c.kind === 'eq' && c.wildcard === 'none');
}

/**
 * The constraint in words, e.g. `^1.2.3` → "≥ 1.2.3 and < 2.0.0, pre-releases excluded".
 * Bounds follow Masterminds exactly (`<=1.1` → "< 1.2.0"); with pre-releases allowed, bounds
 * derived from a major/minor change read `-0` (`^1.0.0-0` → "< 2.0.0-0").
 */
export function explainConstraint(constraint: Constraint): string {
  const groups = constraint.groups;
  const suffix = (included: boolean): string => `pre-releases ${included ? 'included' : 'excluded'}`;
  const allExact = groups.every(onlyExact);
  if (groups.length === 1) {
    const g = groups[0];
    if (g === undefined) return '';
    const body = describeGroup(g);
    return allExact ? body : `${body}, ${suffix(g.includesPrerelease)}`;
  }
  const same = groups.every((g) => g.includesPrerelease === groups[0]?.includesPrerelease);
  if (same || allExact) {
    const body = `either ${groups.map(describeGroup).join(' or ')}`;
    return allExact ? body : `${body}, ${suffix(groups[0]?.includesPrerelease === true)}`;
  }
  return `either ${groups.map((g) => `${describeGroup(g)} (${suffix(g.includesPrerelease)})`).join(' or ')}`;
}

// ---------------------------------------------------------------------------------------------
// Selecting

/**
 * The chart version an HTTP HelmRepository would pick (source-controller `getChartVersion`):
 * an entry whose version string equals the request exactly; otherwise (empty or `*` meaning the
 * latest stable) the highest entry that parses with {@link parseFluxVersion} and satisfies the
 * constraint, versions equal apart from build metadata ordered by `created`, newest first.
 * Returns undefined when nothing matches or the constraint is invalid.
 */
export function selectVersion(
  constraintText: string,
  available: ReadonlyArray<{ version: string; created?: string }>,
): { version: string } | undefined {
  if (constraintText.length > 0) {
    const exact = available.find((a) => a.version === constraintText);
    if (exact !== undefined) return { version: exact.version };
  }
  const parsed = parseConstraint(constraintText === '' ? '*' : constraintText);
  if (!parsed.ok) return undefined;
  let best: { version: string; parsed: SemVer; created: number } | undefined;
  for (const entry of available) {
    const v = parseFluxVersion(entry.version);
    if (v === undefined || !satisfies(parsed.constraint, v)) continue;
    const time = entry.created === undefined ? Number.NaN : Date.parse(entry.created);
    const created = Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
    if (best === undefined) {
      best = { version: entry.version, parsed: v, created };
      continue;
    }
    const order = semver.compare(v, best.parsed);
    if (order > 0 || (order === 0 && created > best.created)) {
      best = { version: entry.version, parsed: v, created };
    }
  }
  return best === undefined ? undefined : { version: best.version };
}
