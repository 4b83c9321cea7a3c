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
  duplicateListKey: 'duplicate-list-key',
  missingRequired: 'missing-required',
  invalidName: 'invalid-name',
  apiVersionRemoved: 'api-version-removed',
  unknownKind: 'unknown-kind',
  apiVersionDeprecated: 'api-version-deprecated',
  unknownApiVersion: 'unknown-api-version',
  // Rules the CRDs enforce with CEL.
  chartOrChartRef: 'chart-or-chartref',
  retryIntervalStrategy: 'retry-interval-strategy',
  kubeConfigRef: 'kubeconfig-ref',
  serviceAccountProvider: 'service-account-provider',
  verifySourceKind: 'verify-source-kind',
  bucketSts: 'bucket-sts',
  artifactName: 'artifact-name',
  commitStatusExpr: 'commit-status-expr',
  receiverAuth: 'receiver-auth',
  digestReflectionInterval: 'digest-reflection-interval',
  // What the API server accepts but image-automation-controller fails on.
  commitTemplateField: 'commit-template-field',
  // What the API server accepts but Flux's ArtifactGenerator cannot resolve.
  sourceAlias: 'source-alias',
  jsonPatchTarget: 'json-patch-target',
  componentPath: 'component-path',
  shortTimeout: 'short-timeout',
  // What the API server accepts but Flux rejects or ignores.
  ociUrlType: 'oci-url-type',
  ignoredField: 'ignored-field',
  deprecatedField: 'deprecated-field',
  selfDependency: 'self-dependency',
  releaseNameTooLong: 'release-name-too-long',
  literalWithoutTargetPath: 'literal-without-targetpath',
  chartLayerSelector: 'chart-layer-selector',
  // Chart version constraints.
  invalidConstraint: 'invalid-constraint',
  inexactVersion: 'inexact-version',
  // Post-build substitution and YAML 1.1.
  invalidSubstitution: 'invalid-substitution',
  undefinedVariable: 'undefined-variable',
  invalidSubstitutedValue: 'invalid-substituted-value',
  invalidVariableName: 'invalid-variable-name',
  yaml11Boolean: 'yaml11-boolean',
  yaml11Octal: 'yaml11-octal',
  // References across the workspace.
  missingReference: 'missing-reference',
  missingSecret: 'missing-secret',
  referenceWrongKind: 'reference-wrong-kind',
  referenceWrongNamespace: 'reference-wrong-namespace',
  dependencyCycle: 'dependency-cycle',
  missingSubstituteSource: 'missing-substitute-source',
  kustomizationPathMissing: 'kustomization-path-missing',
  duplicateObject: 'duplicate-object',
  missingValuesKey: 'missing-values-key',
  targetPathNotScalar: 'target-path-not-scalar',
  // Chart values.
  unknownValue: 'unknown-value',
  noMatchingVersion: 'no-matching-version',
  newerMajorVersion: 'newer-major-version',
  invalidValue: 'invalid-value',
  valuesKeyRemoved: 'values-key-removed',
  chartSchemaProblem: 'chart-schema-problem',
  fileTooLarge: 'file-too-large',
  binaryFile: 'binary-file',
  invalidEncoding: 'invalid-encoding',
  tooComplex: 'too-complex',
  excessiveAliasing: 'excessive-aliasing',
  patchNotApplied: 'patch-not-applied',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

export const DIAGNOSTIC_SOURCE = 'helmrelease';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint';
