/**
 * Reading a bearer token from an `Authorization` header (RFC 6750, section 2.1). The scheme is
 * case-insensitive, and the token is the rest of the header after one or more spaces.
 */

/** The token of a well-formed header, or why the header is not a bearer credential. */
export type BearerToken = { readonly token: string } | { readonly reason: string };

/** Maximum length of an `Authorization` header that the operator sends to a TokenReview. */
export const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

/** The characters of RFC 6750's b64token: letters, digits and `-._~+/`, then optional `=`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

const SCHEME = /^Bearer +/i;

/**
 * Reads the token of an `Authorization: Bearer <token>` header. The reason of a rejection names
 * what is wrong but never repeats the header, which may contain a secret.
 */
export function parseBearerToken(header: string | undefined): BearerToken {
  if (header === undefined || header === '') {
    return { reason: 'missing Authorization header; send Authorization: Bearer <token>' };
  }

  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    return {
      reason:
        `Authorization header of ${header.length} characters is over the limit of ` +
        `${MAX_AUTHORIZATION_LENGTH}`,
    };
  }

  const scheme = SCHEME.exec(header);
  if (scheme === null) {
    return { reason: 'invalid Authorization header: the scheme must be Bearer' };
  }

  const token = header.slice(scheme[0].length);
  if (!B64TOKEN.test(token)) {
    return { reason: 'invalid Authorization header: the bearer token is empty or malformed' };
  }

  return { token };
}
