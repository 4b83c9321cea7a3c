import type { SeverityName } from './codes';

export type SeverityOverride = SeverityName | 'off';

/** What users can set, in VS Code (`helmRelease.*`) or in `.helmrelease.yaml` for the CLI. */
export interface Settings {
  validate: boolean;
  completion: boolean;
  hover: boolean;
  /** Severity per diagnostic code. */
  severity: Record<string, SeverityOverride>;
  /** Files larger than this (bytes) are not analysed. */
  maxFileSize: number;
  /** The Flux release the user runs ("2.9"); decides which API versions are served. */
  fluxVersion: string;
  /** Globs of files the workspace index leaves out. */
  exclude: string[];
  /** Which files get diagnostics: every Flux file of the workspace, or only those open in editors. */
  diagnosticsScope: 'workspace' | 'openFiles';
}

export const defaultSettings: Settings = {
  validate: true,
  completion: true,
  hover: true,
  severity: {},
  maxFileSize: 10 * 1024 * 1024,
  fluxVersion: '2.9',
  exclude: [],
  diagnosticsScope: 'workspace',
};

const SEVERITIES: readonly string[] = ['error', 'warning', 'information', 'hint', 'off'];

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/**
 * Turns whatever a client or config file sent into valid settings. Accepts both the VS Code shape
 * (`{ validate: { enable } }`) and the flat shape of the config file (`{ validate: false }`).
 */
export function normalizeSettings(raw: unknown): Settings {
  if (!raw || typeof raw !== 'object') return { ...defaultSettings, severity: {} };
  const r = raw as Record<string, unknown>;
  const flag = (name: 'validate' | 'completion' | 'hover') => {
    const value = r[name];
    if (value && typeof value === 'object') return bool((value as Record<string, unknown>).enable, defaultSettings[name]);
    return bool(value, defaultSettings[name]);
  };
  const severity: Record<string, SeverityOverride> = {};
  if (r.severity && typeof r.severity === 'object') {
    for (const [code, value] of Object.entries(r.severity as Record<string, unknown>)) {
      if (typeof value === 'string' && SEVERITIES.includes(value)) severity[code] = value as SeverityOverride;
    }
  }
  const maxFileSize = typeof r.maxFileSize === 'number' && r.maxFileSize >= 0 ? r.maxFileSize : defaultSettings.maxFileSize;
  const fluxVersion = typeof r.fluxVersion === 'string' && /^2\.\d+$/.test(r.fluxVersion.replace(/^v/, '').split('.').slice(0, 2).join('.'))
    ? r.fluxVersion.replace(/^v/, '').split('.').slice(0, 2).join('.')
    : defaultSettings.fluxVersion;
  const exclude = Array.isArray(r.exclude) ? r.exclude.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : [];
  const scope = (r.diagnostics as { scope?: unknown } | undefined)?.scope ?? r.diagnosticsScope;
  const diagnosticsScope = scope === 'openFiles' ? 'openFiles' : 'workspace';
  return { validate: flag('validate'), completion: flag('completion'), hover: flag('hover'), severity, maxFileSize, fluxVersion, exclude, diagnosticsScope };
}
