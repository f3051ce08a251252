/**
 * The audit policy of the test control plane and a reader for its log, from which tests count the
 * requests that a client really sent.
 */
import { readFile } from 'node:fs/promises';

/** One audit event, with the fields that tests read. */
export interface AuditEvent {
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: {
    resource?: string;
    namespace?: string;
    name?: string;
    subresource?: string;
    apiGroup?: string;
  };
  responseStatus?: { code?: number };
  /** When the response was complete, RFC 3339 with microseconds. */
  stageTimestamp?: string;
}

/**
 * Returns the audit policy: metadata level for every request except health probes and the
 * controller manager's own traffic, recorded once a response is complete.
 */
export function auditPolicy(): object {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/readyz*', '/livez*'] },
      { level: 'None', users: ['system:kube-controller-manager', 'system:apiserver'] },
      { level: 'Metadata' },
    ],
  };
}

/** Reads every audit event written so far whose stage is `ResponseComplete`. */
export async function readAuditEvents(path: string): Promise<AuditEvent[]> {
  const text = await readFile(path, 'utf8');
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    const event = JSON.parse(line) as AuditEvent;
    if (event.stage === 'ResponseComplete') {
      events.push(event);
    }
  }
  return events;
}

/** Returns the status writes (`update` or `patch` of the `status` subresource) that `user` sent. */
export function statusWrites(events: readonly AuditEvent[], user: string): AuditEvent[] {
  return events.filter(
    (event) =>
      event.user.username === user &&
      event.objectRef?.subresource === 'status' &&
      (event.verb === 'patch' || event.verb === 'update'),
  );
}
