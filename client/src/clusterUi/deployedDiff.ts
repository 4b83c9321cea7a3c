// "Deployed versus desired" for a HelmRelease: the values Helm recorded for the last release
// (`config`, from its storage Secret) against the values the workspace gives, then the deployed
// manifest. Values from Secrets are masked on both sides unless the user asked to reveal them.
import { commands, window } from 'vscode';
import { stringify } from 'yaml';
import type { KubeApi } from '../cluster/connection';
import {
  fillMasked,
  maskManifest,
  maskValues,
  readDeployedRelease,
  secretKeyReader,
  secretStrings,
  secretValuePaths,
  userSuppliedValues,
  type DeployedRelease,
  type SecretValuePaths,
} from '../cluster/helmStorage';
import type { KubeObject } from '../cluster/types';
import type { ReadOnlyDocuments } from './documents';

// Keys sorted on both sides and anchors written out, so that the diff shows only what differs.
const comparable = (value: unknown) => stringify(value, { sortMapEntries: true, aliasDuplicateObjects: false });
const withHeader = (lines: string[], body: string) => `${lines.map((line) => `# ${line}`).join('\n')}\n${body}`;

function deployedSide(deployed: DeployedRelease, secrets: SecretValuePaths | undefined): string {
  if (deployed.source === 'history') {
    return withHeader([`Deployed: ${deployed.reason}`, 'status.history records a digest of the values (configDigest), not the values.'], comparable(deployed.entry));
  }
  const { record } = deployed;
  const header = [
    `Deployed: the user-supplied values (Helm's "config") of release ${record.namespace}/${record.name} revision ${record.version}, chart ${record.chart.metadata.name} ${record.chart.metadata.version}, status ${record.info.status}.`,
    `Read from Helm's storage Secret ${deployed.storageNamespace}/${deployed.secretName}. Chart defaults are not included.`,
  ];
  if (secrets) {
    header.push('Values from Secrets are masked.');
    for (const u of secrets.unidentified) header.push(`Values from Secret ${u.name} (key ${u.valuesKey}) could not be identified, so they are not masked: ${u.reason}`);
  }
  return withHeader(header, comparable(secrets ? maskValues(record.config, secrets.paths) : record.config));
}

function desiredSide(name: string, desired: { text: string } | { error: string }, secrets: SecretValuePaths | undefined): string {
  if ('error' in desired) return withHeader([`Desired values not available: ${desired.error}`], '');
  let values;
  try {
    values = userSuppliedValues(desired.text);
  } catch (error) {
    return withHeader([`Desired values not available: ${error instanceof Error ? error.message : String(error)}`], '');
  }
  const header = [
    `Desired: the values HelmRelease ${name} supplies in the workspace (valuesFrom and spec.values), without the chart defaults, as Helm records them.`,
    ...values.notes.map((note) => `Note: ${note}`),
  ];
  if (secrets) {
    // The workspace never reads Secrets: they are masked here as on the deployed side, and the
    // keys of whole values files from Secrets are filled in, masked, so that they do not show as removed.
    header.push('Values from Secrets are masked; they are taken from the cluster, which is not compared here.');
    return withHeader(header, comparable(fillMasked(maskValues(values.values, secrets.paths), secrets.paths)));
  }
  header.push('Values from Secrets are not read in the workspace: shown as *** (targetPath) or missing (whole values files).');
  return withHeader(header, comparable(values.values));
}

/**
 * Opens a diff of the deployed user-supplied values against the desired ones (`desired`: the
 * language server's effective values, or why there are none), then the deployed manifest.
 * Returns 'compared', or 'compared with status.history only: <reason>' when Helm's storage could not be read.
 */
export async function showDeployedVersusDesired(args: {
  api: KubeApi;
  helmRelease: KubeObject;
  desired: { text: string } | { error: string };
  documents: ReadOnlyDocuments;
  reveal: boolean;
}): Promise<string> {
  const { api, helmRelease, desired, documents, reveal } = args;
  const name = helmRelease.metadata.name;
  const [deployed, secrets] = await Promise.all([readDeployedRelease(api, helmRelease), reveal ? undefined : secretValuePaths(helmRelease, secretKeyReader(api))]);
  const left = documents.add(`${name}.deployed-values.yaml`, deployedSide(deployed, secrets));
  const right = documents.add(`${name}.desired-values.yaml`, desiredSide(name, desired, secrets));
  const revision = deployed.source === 'storage' ? deployed.record.version : deployed.entry.version;
  await commands.executeCommand('vscode.diff', left, right, `${name}: values deployed (revision ${revision}) ↔ in the workspace`);
  if (deployed.source === 'history') {
    void window.showWarningMessage(`${name}: ${deployed.reason}`);
    return `compared with status.history only: ${deployed.reason}`;
  }
  const { record } = deployed;
  // Secret objects' data and values from Secrets rendered into other objects are masked too.
  const manifest = secrets ? maskManifest(record.manifest, secretStrings(record.config, secrets.paths)) : record.manifest;
  const header = [`Deployed manifest of release ${record.namespace}/${record.name} revision ${record.version} (without hooks), from Helm's storage.`];
  if (secrets) header.push('Secret data and values from Secrets are masked.');
  await documents.show(`${name}.deployed-manifest.yaml`, withHeader(header, manifest), 'yaml');
  if (secrets && secrets.unidentified.length > 0) {
    void window.showWarningMessage(`${name}: values from ${secrets.unidentified.map((u) => `Secret ${u.name}`).join(', ')} could not be identified and are not masked.`);
  }
  return 'compared';
}
