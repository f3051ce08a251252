/**
 * Hard limits and patterns of the `ServiceMetadata` spec: the one source of truth for the bounds
 * that `crds/servicemetadatas.mesh.datapunk.io.yaml` declares and the zod schema enforces. A unit
 * test reads the CRD and compares every bound and pattern with these constants.
 *
 * The patterns are strings, not `RegExp` objects, because the API server compiles them with Go's
 * RE2 and the operator with JavaScript. Each one uses only syntax that both engines read the same
 * way: anchors, ASCII character classes, groups and `{m,n}` bounds, with no `\s`, `\w`, lookaround
 * or back-reference.
 *
 * The configurable limits of `MetadataConfig` (maxTags, maxAttributes and the lengths) must stay
 * at or below these caps. The CRD admits objects up to a cap, and validation applies the lower
 * configured limit.
 */

/**
 * A DNS-1123 label: lowercase letters, digits and `-`, starting and ending with a letter or digit.
 */
export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** The maximum length of a DNS-1123 label, in characters. */
export const DNS1123_LABEL_MAX_LENGTH = 63;

/** The maximum length of a DNS-1123 subdomain, in characters. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

/**
 * A SemVer 2.0.0 version with an optional leading `v`: the regular expression published on
 * semver.org (numbered-group form), with `v?` after the start anchor.
 *
 * NOTE: the pattern admits a major, minor or patch number above 2^53 - 1, which node-semver cannot
 * read. The CRD therefore admits such a version, and validation rejects it as `InvalidValue`.
 */
export const VERSION_PATTERN =
  '^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)' +
  '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)' +
  '(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

/** The maximum length of `spec.version`, in characters. */
export const VERSION_MAX_LENGTH = 128;

/** The hard cap on the number of `spec.tags`; `MetadataConfig.maxTags` is at most this. */
export const TAGS_MAX_ITEMS = 256;

/** The hard cap on the length of one tag, in characters; `maxTagLength` is at most this. */
export const TAG_MAX_LENGTH = 63;

/** The minimum length of one tag, in characters. */
export const TAG_MIN_LENGTH = 1;

/**
 * A tag: ASCII letters, digits, `-`, `_`, `.`, `:` and `/`, starting and ending with a letter or
 * digit. Tags are case-sensitive.
 */
export const TAG_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9_.:/]*[A-Za-z0-9])?$';

/** The hard cap on the number of `spec.attributes`; `maxAttributes` is at most this. */
export const ATTRIBUTES_MAX_PROPERTIES = 64;

/** The hard cap on the length of one attribute value; `maxAttributeValueLength` is at most this. */
export const ATTRIBUTE_VALUE_MAX_LENGTH = 256;

/**
 * An attribute key, which follows the Kubernetes label-key rules. An optional prefix is a DNS-1123
 * subdomain followed by `/`. The name is 1 to 63 letters, digits, `-`, `_` and `.`, starting and
 * ending with a letter or digit. The pattern bounds the name's length but not the prefix's, so
 * `ATTRIBUTE_KEY_PREFIX_MAX_LENGTH` is checked apart.
 */
export const ATTRIBUTE_KEY_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?' +
  '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';

/** The maximum length of an attribute key's prefix (the part before `/`), in characters. */
export const ATTRIBUTE_KEY_PREFIX_MAX_LENGTH = DNS1123_SUBDOMAIN_MAX_LENGTH;

/**
 * The CEL rule on `spec.attributes` that checks every key, since a structural schema cannot
 * constrain map keys. `indexOf` comes from the CEL strings extension that the API server enables.
 */
export const ATTRIBUTE_KEYS_RULE =
  `self.all(k, k.matches('${ATTRIBUTE_KEY_PATTERN}') && ` +
  `(!k.contains('/') || k.indexOf('/') <= ${ATTRIBUTE_KEY_PREFIX_MAX_LENGTH}))`;

/** The maximum length of `spec.owner`, in characters. */
export const OWNER_MAX_LENGTH = 253;

/** The maximum length of `spec.description`, in characters. */
export const DESCRIPTION_MAX_LENGTH = 1024;

/** The hard cap on the number of `spec.endpoints`. */
export const ENDPOINTS_MAX_ITEMS = 32;

/** The maximum length of an endpoint URL, in characters. */
export const ENDPOINT_URL_MAX_LENGTH = 2048;

/**
 * An endpoint URL: a lowercase scheme, `://`, then one or more printable ASCII characters other
 * than space. Non-ASCII characters must be percent-encoded.
 */
export const ENDPOINT_URL_PATTERN = '^[a-z][a-z0-9+.-]*://[!-~]+$';

/** The hard cap on the number of `status.conditions`. */
export const CONDITIONS_MAX_ITEMS = 16;

/** The fields that every `spec` must set, in the order that the CRD lists them. */
export const SPEC_REQUIRED_FIELDS = ['service', 'version', 'environment', 'region'] as const;

/** The fields that every endpoint must set, in the order that the CRD lists them. */
export const ENDPOINT_REQUIRED_FIELDS = ['name', 'url'] as const;

/** The maximum length of a condition message, in characters, as in `metav1.Condition`. */
export const CONDITION_MESSAGE_MAX_LENGTH = 32768;
