import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  explainConstraint,
  isExactVersion,
  parseConstraint,
  parseFluxVersion,
  parseStrictVersion,
  satisfies,
  selectVersion,
} from '../../server/src/service/semver/constraint';

/**
 * [constraint, version, expected]. Expectations follow Masterminds/semver v3 as Flux uses it
 * (never `IncludePrerelease`): its documented rules and its own constraint test cases, plus the
 * table in flux-api-notes.md section g. Versions are written with three parts and parsed with
 * parseFluxVersion, so `v` prefixes and leading zeros in versions work like in Flux.
 */
type Row = readonly [constraint: string, version: string, expected: boolean];

const notesTable: readonly Row[] = [
  // Every row of the Masterminds-vs-npm table in the notes, section g.
  ['>1.1, <2', '1.2.1', true],
  ['>=1.1 <2 !=1.2.3', '1.2.3', false],
  ['>=1.1 <2 !=1.2.3', '1.2.4', true],
  ['=> 1.2', '1.2.0', true],
  ['=> 1.2', '1.1.9', false],
  ['=< 1.2', '1.2.9', true],
  ['=< 1.2', '1.3.0', false],
  ['~> 1.2', '1.2.9', true],
  ['~> 1.2', '1.3.0', false],
  ['>= 1.0.0 <= 2.0.0-beta', '1.0.1-beta', true],
  ['>= 1.0.0-0 <= 2.0.0', '1.0.1-beta', true],
  ['^1.1.2-alpha', '1.2.1-beta1', true],
  ['~1.1-alpha', '1.1.1-beta', true],
  ['*', '1.2.3-alpha.1', false],
  ['>=1.1', '4.1.0-beta', false],
  ['4.10.*', '4.10.0', true],
  ['4.10.*', '4.10.7', true],
  ['4.10.*', '4.11.0', false],
  ['4.10.*', '4.9.9', false],
  ['4.10.x', '4.10.3', true],
  ['4.10.x', '4.11.0', false],
  ['4.10', '4.10.0', true],
  ['4.10', '4.10.12', true],
  ['4.10', '4.11.0', false],
  ['~1.2.3', '1.2.9', true],
  ['~1.2.3', '1.3.0', false],
  ['~1.2.3', '1.2.2', false],
  ['~1', '1.9.9', true],
  ['~1', '2.0.0', false],
  ['~1.2', '1.2.0', true],
  ['~1.2', '1.3.0', false],
  ['^1.2.3', '1.9.9', true],
  ['^1.2.3', '2.0.0', false],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0', '0.9.9', true],
  ['^0', '1.0.0', false],
  ['<=1.1', '1.1.1', true],
  ['>1.1', '1.1.0', false],
  ['1.1 - 2', '1.1.0', true],
  ['1.1 - 2', '1.5.0', true],
  ['1.1 - 2', '2.9.9', true],
  ['1.1 - 2', '3.0.0', false],
  ['1.1 - 2', '1.0.9', false],
  ['1.1-3', '4.3.2', false],
  ['1.1-3', '1.1.0-3', true],
  ['v1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.3+x', true],
  ['>=1.0.0 || >=3.0.0', '1.0.0', true],
];

const masterminds: readonly Row[] = [
  // Plain and partial versions.
  ['=2.0.0', '1.2.3', false],
  ['=2.0.0', '2.0.0', true],
  ['=2.0', '2.0.1', true],
  ['= 2.0', '2.0.0', true],
  ['= 2.0', '1.2.3', false],
  ['4.1', '4.1.0', true],
  ['2', '2.1.1', true],
  ['2', '3.4.5', false],
  ['2', '1.0.0', false],
  ['2.1', '2.1.1', true],
  ['2.1', '2.2.1', false],
  ['0.x.x', '1.2.3', false],
  ['0.0.x', '1.2.3', false],
  ['0.0.0', '1.2.3', false],
  ['=0', '1.0.0', false],
  // Wildcards x, X, * in each position.
  ['*', '1.2.3', true],
  ['*', '0.0.0', true],
  ['x', '4.5.6', true],
  ['X', '9.9.9', true],
  ['x.x.x', '3.4.5', true],
  ['2.*', '2.1.1', true],
  ['2.*', '3.4.5', false],
  ['2.*', '1.0.0', false],
  ['1.x', '1.4.0', true],
  ['1.X', '2.0.0', false],
  ['1.x.x', '1.4.0', true],
  ['1.x.x', '2.0.0', false],
  ['2.1.*', '2.1.1', true],
  ['2.1.*', '2.2.1', false],
  ['4.1.x', '4.1.3', true],
  ['1.2.X', '1.2.0', true],
  ['1.2.X', '1.1.9', false],
  ['>=1.x', '1.0.0', true],
  ['>=1.x', '0.9.9', false],
  ['<1.x', '0.1.1', true],
  ['<1.x', '1.1.1', false],
  ['<1.x', '2.0.0', false],
  ['<1.1.x', '1.2.1', false],
  ['<1.1.x', '1.1.500', false],
  ['<1.1.x', '1.0.500', true],
  ['<1.2.x', '1.1.1', true],
  ['<=1.x', '1.1.0', true],
  ['<=2.x', '3.0.0', false],
  ['<=1.1.x', '1.2.500', false],
  ['<=1.1.x', '1.1.500', true],
  // Comparison operators with partial versions.
  ['<11', '0.1.0', true],
  ['<11', '11.1.0', false],
  ['<1.1', '0.1.0', true],
  ['<1.1', '1.1.0', false],
  ['<1.1', '1.1.1', false],
  ['<=11', '1.2.3', true],
  ['<=11', '11.2.3', true],
  ['<=11', '12.2.3', false],
  ['<=1.1', '1.2.3', false],
  ['<=1.1', '1.1.0', true],
  ['<=4.5', '3.7.0', true],
  ['<=4.5', '4.6.3', false],
  ['>1.1', '4.1.0', true],
  ['>0', '0.0.0', false],
  ['>0', '1.0.0', true],
  ['>11', '11.1.0', false],
  ['>11.1', '11.1.0', false],
  ['>11.1', '11.1.1', false],
  ['>11.1', '11.2.1', true],
  ['>=11', '11.1.2', true],
  ['>=11.1', '11.1.2', true],
  ['>=11.1', '11.0.2', false],
  ['>=1.1', '1.1.0', true],
  ['>=1.1', '0.0.9', false],
  ['>=0', '0.0.0', true],
  // Commas and spaces are AND; `||` is OR.
  ['>1.1, <2', '1.1.1', false],
  ['>1.1, <3', '4.3.2', false],
  ['>1.1,<2', '1.5.0', true],
  ['>1.1 <2', '1.2.1', true],
  ['>1.1 <2', '1.1.1', false],
  ['>1.1    <3', '4.3.2', false],
  ['> 1.1 < 2', '1.5.0', true],
  ['>   1.1, <2', '1.2.1', true],
  ['> 1.1 , < 2', '1.5.0', true],
  ['>=1.1, <2, !=1.2.3', '1.2.3', false],
  ['>=1.1    <2    !=1.2.3', '1.2.3', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
  ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
  ['>=1.1, <2, !=1.2.3 || >= 3', '3.0.0', true],
  ['>= 1.1 <2 != 1.2.3 || >= 3', '3.0.0', true],
  ['1.0||2.0', '2.0.3', true],
  ['1.0||2.0', '1.1.0', false],
  [' >= 1.2 ', '1.2.0', true],
  ['>=1.2\t<2', '1.5.0', true],
  // Tilde and ~>.
  ['~1.2.3', '1.2.4', true],
  ['~1.2.3', '1.3.4', false],
  ['~1.2', '1.2.4', true],
  ['~1', '1.2.4', true],
  ['~1', '2.3.4', false],
  ['~0.2.3', '0.2.5', true],
  ['~0.2.3', '0.3.5', false],
  ['~*', '2.1.1', true],
  ['~0.0.0', '1.2.3', true],
  ['~1.x', '1.3.5', true],
  ['~1.x', '2.1.1', false],
  ['~1.1', '1.2.3', false],
  ['~1.3', '2.4.5', false],
  ['~>1.2', '1.2.9', true],
  ['~>1.2.3', '1.3.0', false],
  ['~> 2', '2.9.0', true],
  ['~> 2', '3.0.0', false],
  // Caret, including major 0.
  ['^1.2.3', '1.8.9', true],
  ['^1.2.3', '2.8.9', false],
  ['^1.2.3', '1.2.1', false],
  ['^1.1.0', '2.1.0', false],
  ['^1.2', '1.8.9', true],
  ['^1.2', '2.8.9', false],
  ['^1', '1.8.9', true],
  ['^1', '2.8.9', false],
  ['^1.1', '1.1.1', true],
  ['^1.1', '4.3.2', false],
  ['^1.x', '1.1.1', true],
  ['^1.x', '2.1.1', false],
  ['^2.x', '1.1.1', false],
  ['^0.2.3', '0.2.5', true],
  ['^0.2.3', '0.5.6', false],
  ['^0.2', '0.2.5', true],
  ['^0.2', '0.5.6', false],
  ['^0.0', '0.0.3', true],
  ['^0.0', '0.1.4', false],
  ['^0.0', '1.0.4', false],
  ['^0', '0.2.3', true],
  ['^0', '1.1.4', false],
  ['^0.0.1', '0.0.1', true],
  ['^0.0.1', '0.3.1', false],
  ['^0.0.0', '1.2.3', false],
  ['^0.x', '0.9.0', true],
  ['^0.x', '1.0.0', false],
  ['^0.0.x', '0.0.7', true],
  ['^0.0.x', '0.1.0', false],
  ['^0.1.x', '0.1.9', true],
  ['^0.1.x', '0.2.0', false],
  // Not equal.
  ['!=4.1.0', '4.1.0', false],
  ['!=4.1.0', '4.1.1', true],
  ['!=4.1', '4.1.0', false],
  ['!=4.1', '4.1.1', false],
  ['!=4.1', '5.1.0', true],
  ['!=4.x', '5.1.0', true],
  ['!=4.x', '4.1.0', false],
  ['!=4.1.x', '4.2.0', true],
  ['!=4.2.x', '4.2.3', false],
  ['!=1.2.3', '1.2.3+build.1', false],
  // Hyphen ranges.
  ['1.5.0 - 4.5', '3.7.0', true],
  ['1.2 - 1.4.5', '1.2.0', true],
  ['1.2 - 1.4.5', '1.4.5', true],
  ['1.2 - 1.4.5', '1.4.6', false],
  ['1.2 - 1.4.5', '1.1.9', false],
  ['1.0.0 - 2.0.0 <=2.0.0', '1.5.0', true],
  ['1.0.0 - 2.0.0, <=2.0.0', '1.5.0', true],
  ['3 - 4 || => 3.0, < 4', '4.5.0', true],
  ['v1.2.3 - v1.4.0', '1.3.0', true],
  // The v prefix.
  ['>=v1.2', '1.3.0', true],
  ['^v1.2.3', '1.9.0', true],
  ['v2.3.5-20161202202307-sha.e8fc5e5', '2.3.5-20161202202307-sha.e8fc5e5', true],
  // Build metadata is ignored.
  ['1.2.3+build', '1.2.3', true],
  ['=1.2.3+abc', '1.2.3+def', true],
  ['>1.2.3', '1.2.3+zzz', false],
  ['<=1.2.3+x', '1.2.3+y', true],
  ['^2025.1', 'v2025.02.03', true],
  // Pre-release rules.
  ['*-0', '1.2.3-alpha.1', true],
  ['>=0.0.0-0', '1.2.3', true],
  ['>=0.0.0-0', '3.4.5-beta.1', true],
  ['>0', '0.0.1-alpha', false],
  ['>0.0', '0.0.1-alpha', false],
  ['>0-0', '0.0.1-alpha', false],
  ['>0.0.0-0', '0.0.0-alpha', true],
  ['>=0', '0.0.1-alpha', false],
  ['>=0-0', '0.0.1-alpha', true],
  ['>=0.0-0', '0.0.1-alpha', true],
  ['>=0-0', '0.0.0-alpha', true],
  ['<0', '0.0.0-alpha', false],
  ['<0-z', '0.0.0-alpha', true],
  ['>1.2.3-alpha.1', '1.2.3-alpha.2', true],
  ['>1.2.3-alpha.1', '1.3.3-alpha.2', true],
  ['<=1.1', '0.1.0-alpha', false],
  ['<=1.1-a', '0.1.0-alpha', true],
  ['>= 1.0.0 <= 2.0.0-beta', '1.0.1', true],
  ['>= 1.0.0 <= 2.0.0-beta', '3.0.0', false],
  ['>= 1.0.0 <= 2.0.0-beta || > 3', '1.0.1-beta', true],
  ['>= 1.0.0 <= 2.0.0-beta || > 3', '3.0.1-beta', false],
  ['>= 1.0.0 <= 2.0.0-beta != 1.0.1 || > 3', '1.0.1-beta', true],
  ['>= 1.0.0 <= 2.0.0-beta != 1.0.1-beta || > 3', '1.0.1-beta', false],
  ['!=4.1', '5.1.0-alpha.1', false],
  ['!=4.1-alpha', '4.1.0', true],
  ['!=4.1-alpha', '4.1.0-alpha', false],
  ['!=4.1-alpha', '4.1.1-alpha', false],
  ['~1.2.3-beta.2', '1.2.3-beta.4', true],
  ['~1.2.3-beta.2', '1.2.4-beta.2', true],
  ['~1.2.3-beta.2', '1.3.4-beta.2', false],
  ['~1.1', '1.1.1-alpha', false],
  ['~1.1.1-beta', '1.1.1-alpha', false],
  ['~1.1.1-beta', '1.1.1', true],
  ['~1', '1.3.5-beta', false],
  ['~1.x', '1.3.5-beta', false],
  ['~1.3.6-alpha', '1.3.5-beta', false],
  ['~1.3.5-alpha', '1.3.5-beta', true],
  ['~1.3.5-beta', '1.3.5-alpha', false],
  ['^1.2.0', '1.2.1-alpha.1', false],
  ['^1.2.0-alpha.0', '1.2.1-alpha.1', true],
  ['^1.2.0-alpha.0', '1.2.1-alpha.0', true],
  ['^1.2.0-alpha.2', '1.2.0-alpha.1', false],
  ['^1.x', '1.1.1-beta1', false],
  ['^1.2.x-alpha', '1.1.1-beta1', false],
  ['^1.1', '1.1.1-alpha', false],
  ['^1.1.1-alpha', '1.1.1-beta', true],
  ['^1.1.1-beta', '1.1.1-alpha', false],
  ['^0.2.3-beta.2', '0.2.3-beta.4', true],
  ['^0.2.3-beta.2', '0.2.4-beta.2', true],
  ['^0.2.3-beta.2', '0.3.4-beta.2', false],
  ['^0.2.3-beta.2', '0.2.3-beta.2', true],
  ['1.0.0-alpha - 1.0.0', '1.0.0-beta', true],
  // A pre-release in one OR alternative does not open the others.
  ['>=2.0.0-0 <3.0.0 || >=1.0.0 <2.0.0', '1.5.0-rc.1', false],
  ['>=2.0.0-0 <3.0.0 || >=1.0.0 <2.0.0', '2.1.0-rc.1', true],
  ['>=2.0.0-0 <3.0.0 || >=1.0.0 <2.0.0', '1.5.0', true],
];

const allRows: readonly Row[] = [...notesTable, ...masterminds];

describe('Masterminds constraint checks', () => {
  test('the table has at least 150 rows', () => {
    assert.ok(allRows.length >= 150, `only ${allRows.length} rows`);
  });

  for (const [constraint, version, expected] of allRows) {
    test(`${JSON.stringify(constraint)} ${expected ? 'matches' : 'does not match'} ${version}`, () => {
      const parsed = parseConstraint(constraint);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      const v = parseFluxVersion(version);
      assert.ok(v !== undefined, `test version ${version} does not parse`);
      assert.equal(satisfies(parsed.constraint, v), expected);
    });
  }
});

describe('constraint structure', () => {
  test('|| makes groups, commas and spaces make comparators', () => {
    const shape = (text: string): number[] => {
      const r = parseConstraint(text);
      assert.ok(r.ok, r.ok ? '' : r.message);
      return r.constraint.groups.map((g) => g.comparators.length);
    };
    assert.deepEqual(shape('>= 1.1'), [1]);
    assert.deepEqual(shape('>40.50.60, < 50.70'), [2]);
    assert.deepEqual(shape('>= 1.2.3 < 2.0 || => 3.0 < 4'), [2, 2]);
    assert.deepEqual(shape('3 - 4 || => 3.0, < 4'), [2, 2]);
    assert.deepEqual(shape('1.0.0 - 2.0.0, <=2.0.0'), [3]);
    assert.deepEqual(shape('12.3.34 ~1.2.3'), [2]);
    assert.deepEqual(shape('2 - 3 4.0.0 - 5.1'), [4]);
  });

  test('comparator offsets point into the text', () => {
    const r = parseConstraint(' >= 1.2,  <2 || ^3');
    assert.ok(r.ok);
    const spans = r.constraint.groups.flatMap((g) => g.comparators.map((c) => r.constraint.text.slice(c.start, c.end)));
    assert.deepEqual(spans, ['>= 1.2', '<2', '^3']);
  });
});

/** [text, start, end, words the message must contain]. */
const invalid: ReadonlyArray<readonly [string, number, number, string]> = [
  ['', 0, 0, '`*`'],
  ['   ', 0, 3, 'empty'],
  ['>==1.0', 0, 6, '`>==1.0` is not a valid comparator'],
  ['==1.0', 0, 5, 'unknown operator `==`'],
  ['!1.0', 0, 4, 'unknown operator `!`'],
  ['foo', 0, 3, 'is not a valid comparator'],
  ['BAR >= 1.2.3', 0, 3, 'is not a valid comparator'],
  ['>= bar', 0, 6, 'expected a version'],
  ['>=', 0, 2, 'expected a version after `>=`'],
  ['~>', 0, 2, 'expected a version'],
  ['12.3.4.1234', 0, 11, 'at most three numbers'],
  ['12.23.4.1234', 0, 12, 'at most three numbers'],
  ['12.3.34~ 1.2.3', 0, 8, 'missing space or comma'],
  ['>1.0<2.0', 0, 8, 'missing space or comma'],
  ['1.0 ||', 4, 6, '`||`'],
  ['|| 1.0', 0, 2, '`||`'],
  ['1.0 || || 2.0', 4, 6, '`||`'],
  ['1.0,', 3, 4, 'comma'],
  ['1.0,,2.0', 4, 5, 'comma'],
  [', 1.0', 0, 1, 'comma'],
  ['>1.0 - 2.0', 0, 10, 'hyphen range'],
  ['1.0 - >2.0', 0, 10, 'hyphen range'],
  ['1.0 -2.0', 4, 8, 'spaces on both sides'],
  ['1.0- 2.0', 0, 4, 'spaces on both sides'],
  ['V1.2.3', 0, 6, 'lowercase'],
  ['1.2.3-01', 0, 8, 'leading zeros'],
  ['1.2.3-', 0, 6, 'pre-release'],
  ['1.2.3+', 0, 6, 'build metadata'],
  ['1.2.3-beta..1', 0, 13, 'must not be empty'],
  ['1.2.3-beta_1', 0, 12, 'unexpected `_1`'],
  ['1.x2', 0, 4, '`x2` is neither a number nor a wildcard'],
  ['x1', 0, 2, '`x1` is neither a number nor a wildcard'],
  ['1 ||| 2', 4, 5, 'expected an operator or a version'],
];

describe('invalid constraints', () => {
  for (const [text, start, end, words] of invalid) {
    test(JSON.stringify(text), () => {
      const r = parseConstraint(text);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.ok(r.message.includes(words), `message: ${r.message}`);
      assert.deepEqual([r.start, r.end], [start, end], `message: ${r.message}`);
    });
  }

  test('the empty constraint message says Flux treats empty as the latest stable version', () => {
    const r = parseConstraint('');
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /Flux treats an empty .* as `\*`/);
  });

  // Derived from reading Masterminds' rewriteRange (not from its test suite): the range regex
  // swallows the whitespace in front of `A - B`, gluing `>= A` to the previous comparator.
  test('a hyphen range after a space-separated comparator is rejected, after a comma it is fine', () => {
    const r = parseConstraint('<=2.0.0 1.0.0 - 2.0.0');
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.start, r.end], [8, 21]);
    assert.equal(parseConstraint('<=2.0.0, 1.0.0 - 2.0.0').ok, true);
    assert.equal(parseConstraint('<=2.0.0 || 1.0.0 - 2.0.0').ok, true);
  });
});

describe('parseFluxVersion (pkg/version.ParseVersion)', () => {
  const accepted: ReadonlyArray<readonly [string, string]> = [
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['01.02.03', '1.2.3'],
    ['v2025.02.03', '2025.2.3'],
    ['v2025.02.03-rc.1', '2025.2.3-rc.1'],
    ['0.0.0', '0.0.0'],
    ['1.2.3-rc.1', '1.2.3-rc.1'],
    ['1.2.3+build.5', '1.2.3'],
    ['1.2.3-alpha.1+meta-data', '1.2.3-alpha.1'],
    ['10.20.30', '10.20.30'],
  ];
  for (const [text, version] of accepted) {
    test(`accepts ${text}`, () => {
      const v = parseFluxVersion(text);
      assert.ok(v !== undefined);
      assert.equal(v.version, version);
    });
  }
  test('keeps build metadata on the parsed version', () => {
    assert.deepEqual(parseFluxVersion('1.2.3+build.5')?.build, ['build', '5']);
  });

  const rejected = ['1.2', '1', 'v1', '1.2.3.4', '', 'v', 'V1.2.3', '1.2.x', '*', ' 1.2.3', '1.2.3 ', '=1.2.3', '1.2.3-01', '1.2.3-', 'a.b.c'];
  for (const text of rejected) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseFluxVersion(text), undefined);
    });
  }
});

describe('parseStrictVersion and isExactVersion', () => {
  test('strict semver only', () => {
    assert.equal(parseStrictVersion('1.2.3')?.version, '1.2.3');
    assert.equal(parseStrictVersion('1.2.3-rc.1+build.7')?.version, '1.2.3-rc.1');
    for (const text of ['v1.2.3', '01.2.3', '1.2', '1.2.3.4', ' 1.2.3', '', '1.2.x']) {
      assert.equal(parseStrictVersion(text), undefined, text);
    }
  });

  test('plain versions are exact, ranges and partial versions are not', () => {
    for (const text of ['1.2.3', 'v1.2.3', '1.2.3-rc.1', 'v2025.02.03']) assert.equal(isExactVersion(text), true, text);
    for (const text of ['1.2', '^1.2.3', '>=1.2.3', '1.2.x', '*', '', '1.2.3 - 1.4.0', '=1.2.3']) {
      assert.equal(isExactVersion(text), false, text);
    }
  });
});

describe('explainConstraint', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['>=1.0.0 <2.0.0', '≥ 1.0.0 and < 2.0.0, pre-releases excluded'],
    ['^1.2.3', '≥ 1.2.3 and < 2.0.0, pre-releases excluded'],
    ['*', 'any version, pre-releases excluded'],
    ['~1.2', '≥ 1.2.0 and < 1.3.0, pre-releases excluded'],
    ['^0.2.3', '≥ 0.2.3 and < 0.3.0, pre-releases excluded'],
    ['^0', '< 1.0.0, pre-releases excluded'],
    ['1.x', '≥ 1.0.0 and < 2.0.0, pre-releases excluded'],
    ['<=1.1', '< 1.2.0, pre-releases excluded'],
    ['>1.1', '≥ 1.2.0, pre-releases excluded'],
    ['1.2 - 1.4.5', '≥ 1.2.0 and ≤ 1.4.5, pre-releases excluded'],
    ['>=1.1 <2 !=1.2.3', '≥ 1.1.0 and < 2.0.0 and not 1.2.3, pre-releases excluded'],
    ['1.2.3', 'exactly 1.2.3'],
    ['>=1.0.0-0 <2.0.0', '≥ 1.0.0-0 and < 2.0.0, pre-releases included'],
    ['^1.2.3-beta', '≥ 1.2.3-beta and < 2.0.0-0, pre-releases included'],
    ['^1 || ^2', 'either ≥ 1.0.0 and < 2.0.0 or ≥ 2.0.0 and < 3.0.0, pre-releases excluded'],
    [
      '^1.0.0-0 || ^2',
      'either ≥ 1.0.0-0 and < 2.0.0-0 (pre-releases included) or ≥ 2.0.0 and < 3.0.0 (pre-releases excluded)',
    ],
  ];
  for (const [text, words] of cases) {
    test(text, () => {
      const r = parseConstraint(text);
      assert.ok(r.ok);
      assert.equal(explainConstraint(r.constraint), words);
    });
  }
});

describe('selectVersion (HTTP HelmRepository)', () => {
  test('an exact string match wins before any range logic', () => {
    // `1.0` is not a Flux version (two parts), yet the index entry is taken as written.
    assert.deepEqual(selectVersion('1.0', [{ version: '1.0.5' }, { version: '1.0' }]), { version: '1.0' });
    assert.deepEqual(selectVersion('v1.2.3', [{ version: '1.2.3' }, { version: 'v1.2.3' }]), { version: 'v1.2.3' });
  });

  test('the highest satisfying version wins, compared numerically', () => {
    const index = [{ version: '1.9.0' }, { version: '2.0.0' }, { version: '1.10.0' }, { version: '0.9.0' }];
    assert.deepEqual(selectVersion('^1', index), { version: '1.10.0' });
    assert.deepEqual(selectVersion('<1.0.0 || >=2.0.0', index), { version: '2.0.0' });
  });

  test('* and an empty version mean the latest stable version', () => {
    const index = [{ version: '1.0.0' }, { version: '2.0.0-rc.1' }, { version: '0.5.0' }];
    assert.deepEqual(selectVersion('*', index), { version: '1.0.0' });
    assert.deepEqual(selectVersion('', index), { version: '1.0.0' });
    assert.deepEqual(selectVersion('>=1.0.0-0', index), { version: '2.0.0-rc.1' });
  });

  test('versions equal but for build metadata are ordered by created, newest first', () => {
    const index = [
      { version: '1.2.3+b', created: '2024-06-01T00:00:00Z' },
      { version: '1.2.3+a', created: '2024-01-01T00:00:00Z' },
      { version: '1.2.3+c', created: '2024-03-01T00:00:00Z' },
    ];
    assert.deepEqual(selectVersion('*', index), { version: '1.2.3+b' });
    assert.deepEqual(selectVersion('~1.2', [...index].reverse()), { version: '1.2.3+b' });
    assert.deepEqual(selectVersion('1.2.3', index), { version: '1.2.3+b' });
  });

  test('entries Flux cannot parse are skipped; v prefixes and leading zeros are parsed', () => {
    const index = [{ version: '1.5' }, { version: '1.2.3.4' }, { version: 'v1.1.0' }, { version: '01.03.00' }];
    assert.deepEqual(selectVersion('^1', index), { version: '01.03.00' });
    assert.deepEqual(selectVersion('<1.2', index), { version: 'v1.1.0' });
  });

  test('no match or an invalid constraint gives undefined', () => {
    assert.equal(selectVersion('>=3', [{ version: '1.0.0' }]), undefined);
    assert.equal(selectVersion('>==1', [{ version: '1.0.0' }]), undefined);
    assert.equal(selectVersion('*', []), undefined);
  });
});
