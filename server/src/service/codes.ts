/** Every diagnostic code we emit. Codes are stable: settings, suppressions and quick fixes key on them. */
export const DiagnosticCodes = {
  yamlSyntax: 'yaml-syntax',
  duplicateKey: 'duplicate-key',
  unknownField: 'unknown-field',
  wrongType: 'wrong-type',
  invalidEnum: 'invalid-enum',
  invalidPattern: 'invalid-pattern',
  minLength: 'min-length',
  maxLength: 'max-length',
  outOfRange: 'out-of-range',
  itemCount: 'item-count',
  missingRequired: 'missing-required',
  invalidName: 'invalid-name',
  apiVersionRemoved: 'api-version-removed',
  unknownKind: 'unknown-kind',
  fileTooLarge: 'file-too-large',
  binaryFile: 'binary-file',
  invalidEncoding: 'invalid-encoding',
  tooComplex: 'too-complex',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

export const DIAGNOSTIC_SOURCE = 'helmrelease';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint';
