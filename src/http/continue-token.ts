/**
 * The continue token of `GET /v1/services`: base64url of a JSON object that contains the index's
 * page key of the last item, the resourceVersion of the first page, and a fingerprint of the
 * normalized query and sort. Clients treat it as opaque. The fingerprint lets the endpoint reject
 * a token that is sent with a different query, whose page key would skip or repeat items.
 */
import { createHash } from 'node:crypto';

/** The contents of a continue token. */
export interface ContinueToken {
  /** The index's page key (`QueryResult.next`) of the last item returned. */
  readonly after: string;
  /** The resourceVersion that the first page of this walk reported. */
  readonly resourceVersion: string;
  /** The fingerprint (`queryFingerprint`) of the query and sort that the token belongs to. */
  readonly fingerprint: string;
}

const DECIMAL = /^[0-9]+$/;

/** Returns a short hash of a normalized query key, such as `serviceQueryCacheKey` returns. */
export function queryFingerprint(queryKey: string): string {
  return createHash('sha256').update(queryKey).digest('base64url').slice(0, 22);
}

/** Writes a continue token. */
export function encodeContinueToken(token: ContinueToken): string {
  const fields = { k: token.after, rv: token.resourceVersion, f: token.fingerprint };
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

/** Reads a continue token, or returns undefined when the text is not one `encodeContinueToken` wrote. */
export function decodeContinueToken(text: string): ContinueToken | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) {
    return undefined;
  }

  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    // Text that does not decode to JSON is not a token; the caller reports that.
    return undefined;
  }

  if (typeof fields !== 'object' || fields === null) {
    return undefined;
  }

  const { k, rv, f } = fields as Record<string, unknown>;
  if (typeof k !== 'string' || typeof rv !== 'string' || typeof f !== 'string') {
    return undefined;
  }

  if (!DECIMAL.test(rv)) {
    return undefined;
  }

  return { after: k, resourceVersion: rv, fingerprint: f };
}
