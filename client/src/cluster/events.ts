// Kubernetes Events about one Flux object (`kubectl events --for`), read on demand, never polled.
import type { KubeApi } from './connection';
import { pathSegment } from './types';

export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
}

/** The object the events are about (any kind; an ObjectRef will do). */
export interface InvolvedObject {
  kind: string;
  namespace: string;
  name: string;
}

/** `/api/v1/namespaces/<ns>/events?fieldSelector=involvedObject.name=<name>,involvedObject.kind=<kind>`, every part encoded. */
export function eventsPath(ref: InvolvedObject): string {
  const selector = `involvedObject.name=${ref.name},involvedObject.kind=${ref.kind}`;
  return `/api/v1/namespaces/${pathSegment(ref.namespace, 'namespace')}/events?fieldSelector=${encodeURIComponent(selector)}`;
}

/** The object's events, newest first. */
export async function listEvents(api: KubeApi, ref: InvolvedObject): Promise<KubeEvent[]> {
  const list = await api.request<{ items?: KubeEvent[] }>('GET', eventsPath(ref));
  const time = (event: KubeEvent): string => event.lastTimestamp ?? event.eventTime ?? '';
  return [...(list.items ?? [])].sort((a, b) => time(b).localeCompare(time(a)));
}
