// Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for.
import type { JsonRecord } from './json';
import { columnValue, type ResourceType } from './resources';
import type { KubeObject } from './store';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** k8s.io/apimachinery `duration.HumanDuration`, as kubectl prints ages. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

function cell(value: unknown, type: string, now: number): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'date') {
    const time = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isNaN(time) ? '<unknown>' : humanDuration(now - time);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

function columnDefinitions(type: ResourceType): JsonRecord[] {
  return [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
      priority: 0,
    },
    ...type.columns.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'date' : c.type,
      format: '',
      description: c.description ?? c.jsonPath ?? c.name,
      priority: 0,
    })),
  ];
}

function rowObject(object: KubeObject, include: IncludeObject): JsonRecord | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  metadata: JsonRecord,
  include: IncludeObject,
  withColumns = true,
): JsonRecord {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: withColumns ? columnDefinitions(type) : null,
    rows: objects.map((object) => {
      const row: JsonRecord = {
        cells: [object.metadata.name, ...type.columns.map((c) => cell(columnValue(c, object), c.type, now))],
      };
      const embedded = rowObject(object, include);
      if (embedded) row.object = embedded;
      return row;
    }),
  };
}

/** `application/json;as=Table;v=v1;g=meta.k8s.io` (or v1beta1) among the accepted types. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io');
  });
}
