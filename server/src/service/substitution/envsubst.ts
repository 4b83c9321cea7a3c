/**
 * Flux post-build substitution as kustomize-controller runs it (fluxcd/pkg envsubst, a fork of
 * drone/envsubst): the parser with offsets for every `${…}` form, and the evaluation with Flux's
 * semantics (defaults used when the value is empty, strict mode for undefined variables).
 */

/** A piece of text after parsing: literal text (`$$` already turned into `$`), or an expression. */
export type Piece = { kind: 'text'; text: string } | { kind: 'expr'; expr: Expression };

/** The operators of `${name<op>…}`; `length` is `${#name}`. */
export type Operator =
  | 'value'
  | 'length'
  | '^'
  | '^^'
  | ','
  | ',,'
  | 'substring'
  | '#'
  | '##'
  | '%'
  | '%%'
  | '/'
  | '//'
  | '/#'
  | '/%'
  | '-'
  | ':-'
  | '='
  | ':='
  | '+'
  | ':+'
  | '?'
  | ':?';

const DEFAULT_OPERATORS = new Set<Operator>(['-', ':-', '=', ':=', '+', ':+', '?', ':?']);

export interface Expression {
  /** Offsets in the parsed text: `start` at `$`, `end` after the closing `}`. */
  start: number;
  end: number;
  name: string;
  nameStart: number;
  nameEnd: number;
  operator: Operator;
  /** Arguments: the default (which may hold expressions), a pattern and replacement, or offset and length. */
  args: Piece[][];
}

export interface ParseError {
  start: number;
  end: number;
  message: string;
}

export type Parsed = { ok: true; pieces: Piece[]; expressions: Expression[] } | { ok: false; error: ParseError };

/** Whether an operator falls back to its argument instead of failing on an undefined variable. */
export function isDefaultForm(operator: Operator): boolean {
  return DEFAULT_OPERATORS.has(operator);
}

/** The variable names Flux accepts in `substitute` and `substituteFrom` (an ASCII regex, validated on every key). */
export const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
export const VARIABLE_NAME_PATTERN = '^[_[:alpha:]][_[:alpha:][:digit:]]*$';

export function isValidVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** Whether text may hold a substitution at all (cheap pre-check). */
export function mayHaveSubstitution(text: string): boolean {
  return text.includes('${');
}

const NAME_CHAR = /[\p{L}\p{N}_]/u;

/** Parses text the way envsubst does. Fails on the first malformed expression, as Flux does. */
export function parseTemplate(text: string): Parsed {
  const expressions: Expression[] = [];
  const state = { text, at: 0, expressions };
  try {
    const pieces = parsePieces(state, false);
    return { ok: true, pieces, expressions };
  } catch (error) {
    if (error instanceof SubstitutionSyntaxError) return { ok: false, error: error.problem };
    throw error;
  }
}

class SubstitutionSyntaxError extends Error {
  constructor(readonly problem: ParseError) {
    super(problem.message);
  }
}

interface State {
  text: string;
  at: number;
  expressions: Expression[];
}

/** Text and expressions up to the end, or (inside an argument) up to a `}` or one of `stops`. */
function parsePieces(state: State, inArgument: boolean, stops = ''): Piece[] {
  const { text } = state;
  const pieces: Piece[] = [];
  let literal = '';
  const flush = () => {
    if (literal) pieces.push({ kind: 'text', text: literal });
    literal = '';
  };
  while (state.at < text.length) {
    const c = text[state.at]!;
    if (inArgument && (c === '}' || stops.includes(c))) break;
    if (c === '$' && text[state.at + 1] === '$') {
      literal += '$';
      state.at += 2;
      continue;
    }
    if (c === '$' && text[state.at + 1] === '{') {
      flush();
      pieces.push({ kind: 'expr', expr: parseExpression(state) });
      continue;
    }
    literal += c;
    state.at++;
  }
  flush();
  return pieces;
}

function fail(start: number, end: number, message: string): never {
  throw new SubstitutionSyntaxError({ start, end, message });
}

function parseExpression(state: State): Expression {
  const { text } = state;
  const start = state.at;
  state.at += 2;
  let operator: Operator = 'value';
  if (text[state.at] === '#' && NAME_CHAR.test(text[state.at + 1] ?? '')) {
    operator = 'length';
    state.at++;
  }
  const nameStart = state.at;
  while (state.at < text.length && NAME_CHAR.test(text[state.at]!)) state.at++;
  const nameEnd = state.at;
  const name = text.slice(nameStart, nameEnd);
  if (state.at >= text.length) fail(start, text.length, `\`${excerpt(text, start)}\` opens a substitution that is never closed with \`}\`.`);
  if (name === '') {
    const close = text.indexOf('}', start);
    if (text[state.at] === '}') fail(start, state.at + 1, '`${}` is an empty substitution: name a variable, e.g. `${cluster_name}`.');
    fail(start, close < 0 ? text.length : close + 1, `\`${excerpt(text, start)}\` does not start with a variable name (letters, digits and \`_\`): Flux fails with "unable to parse variable name".`);
  }
  const args: Piece[][] = [];
  const expression = (): Expression => {
    if (text[state.at] !== '}') fail(start, Math.min(state.at + 1, text.length), `\`${excerpt(text, start)}\` is missing its closing \`}\`.`);
    state.at++;
    const expr: Expression = { start, end: state.at, name, nameStart, nameEnd, operator, args };
    state.expressions.push(expr);
    return expr;
  };
  if (operator === 'length' || text[state.at] === '}') return expression();
  const two = text.slice(state.at, state.at + 2);
  const one = text[state.at]!;
  if (one === ':') {
    const next = text[state.at + 1];
    if (next === '-' || next === '=' || next === '+' || next === '?') {
      operator = `:${next}` as Operator;
      state.at += 2;
      args.push(parsePieces(state, true));
      return expression();
    }
    operator = 'substring';
    state.at++;
    args.push(parsePieces(state, true, ':'));
    if (text[state.at] === ':') {
      state.at++;
      args.push(parsePieces(state, true));
    }
    return expression();
  }
  if (one === '-' || one === '=' || one === '+' || one === '?') {
    operator = one;
    state.at++;
    args.push(parsePieces(state, true));
    return expression();
  }
  if (two === '^^' || two === ',,') {
    operator = two;
    state.at += 2;
    return expression();
  }
  if (one === '^' || one === ',') {
    operator = one;
    state.at++;
    return expression();
  }
  if (one === '#' || one === '%') {
    operator = (two === '##' || two === '%%' ? two : one) as Operator;
    state.at += operator.length;
    args.push(parsePieces(state, true));
    return expression();
  }
  if (one === '/') {
    operator = two === '//' || two === '/#' || two === '/%' ? (two as Operator) : '/';
    state.at += operator.length;
    args.push(parsePieces(state, true, '/'));
    if (text[state.at] === '/') {
      state.at++;
      args.push(parsePieces(state, true));
    }
    return expression();
  }
  const close = text.indexOf('}', state.at);
  return fail(start, close < 0 ? text.length : close + 1, `\`${excerpt(text, start, close)}\` is not a substitution Flux knows ("bad substitution"): after the name comes \`}\`, a default (\`:=\`, \`:-\`) or an operator.`);
}

function excerpt(text: string, start: number, close?: number): string {
  const end = close !== undefined && close >= 0 && close - start < 40 ? close + 1 : Math.min(text.length, start + 20);
  return text.slice(start, end).replace(/\n/g, ' ');
}

/** A variable's value and whether it is known: Secret values are never read, only their keys. */
export type Lookup = (name: string) => { value: string | undefined } | undefined;

export type Evaluation =
  | { status: 'value'; value: string }
  /** A variable without a default that the variables do not define: strict mode fails the build. */
  | { status: 'undefined'; expression: Expression }
  /** The result depends on a value that cannot be known (a Secret's). */
  | { status: 'unknown' };

/** Substitutes the parsed pieces with Flux's semantics; strict mode reports the first undefined variable. */
export function evaluate(pieces: Piece[], lookup: Lookup, strict = true): Evaluation {
  let out = '';
  for (const piece of pieces) {
    if (piece.kind === 'text') {
      out += piece.text;
      continue;
    }
    const result = evaluateExpression(piece.expr, lookup, strict);
    if (result.status !== 'value') return result;
    out += result.value;
  }
  return { status: 'value', value: out };
}

function evaluateExpression(expr: Expression, lookup: Lookup, strict: boolean): Evaluation {
  const found = lookup(expr.name);
  if (isDefaultForm(expr.operator)) {
    if (found && found.value === undefined) return { status: 'unknown' };
    // Flux uses the default when the value is empty: unset and empty are the same, and `=` does not assign.
    if (found?.value) return { status: 'value', value: found.value };
    return evaluate(expr.args[0] ?? [], lookup, strict);
  }
  if (!found) {
    if (strict) return { status: 'undefined', expression: expr };
  } else if (found.value === undefined) return { status: 'unknown' };
  const value = found?.value ?? '';
  const args: string[] = [];
  for (const arg of expr.args) {
    const result = evaluate(arg, lookup, strict);
    if (result.status !== 'value') return result;
    args.push(result.value);
  }
  return { status: 'value', value: apply(expr.operator, value, args) };
}

function apply(operator: Operator, value: string, args: string[]): string {
  const chars = [...value];
  switch (operator) {
    case 'length':
      return String(chars.length);
    case '^':
      return chars.length ? chars[0]!.toUpperCase() + chars.slice(1).join('') : '';
    case '^^':
      return value.toUpperCase();
    case ',':
      return chars.length ? chars[0]!.toLowerCase() + chars.slice(1).join('') : '';
    case ',,':
      return value.toLowerCase();
    case 'substring': {
      const offset = Number.parseInt(args[0] ?? '0', 10) || 0;
      const from = offset < 0 ? Math.max(0, chars.length + offset) : Math.min(offset, chars.length);
      if (args.length < 2) return chars.slice(from).join('');
      const length = Number.parseInt(args[1] ?? '0', 10) || 0;
      return chars.slice(from, Math.max(from, from + length)).join('');
    }
    case '#':
    case '##':
      return trimPrefix(value, args[0] ?? '', operator === '##');
    case '%':
    case '%%':
      return trimSuffix(value, args[0] ?? '', operator === '%%');
    case '/':
      return args[0] ? value.replace(args[0], args[1] ?? '') : value;
    case '//':
      return args[0] ? value.split(args[0]).join(args[1] ?? '') : value;
    case '/#':
      return args[0] && value.startsWith(args[0]) ? (args[1] ?? '') + value.slice(args[0].length) : value;
    case '/%':
      return args[0] && value.endsWith(args[0]) ? value.slice(0, value.length - args[0].length) + (args[1] ?? '') : value;
    default:
      return value;
  }
}

/** A shell glob (`*`, `?`, `[...]`) as an anchored regular expression. */
function globRegex(pattern: string): RegExp {
  let source = '';
  for (const c of pattern) source += c === '*' ? '.*' : c === '?' ? '.' : /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c;
  return new RegExp(`^(?:${source})$`, 's');
}

function trimPrefix(value: string, pattern: string, longest: boolean): string {
  const regex = globRegex(pattern);
  if (longest) {
    for (let i = value.length; i >= 0; i--) if (regex.test(value.slice(0, i))) return value.slice(i);
  } else {
    for (let i = 0; i <= value.length; i++) if (regex.test(value.slice(0, i))) return value.slice(i);
  }
  return value;
}

function trimSuffix(value: string, pattern: string, longest: boolean): string {
  const regex = globRegex(pattern);
  if (longest) {
    for (let i = 0; i <= value.length; i++) if (regex.test(value.slice(i))) return value.slice(0, i);
  } else {
    for (let i = value.length; i >= 0; i--) if (regex.test(value.slice(i))) return value.slice(0, i);
  }
  return value;
}
