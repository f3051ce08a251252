/** A decimal integer of any length, the form of a Kubernetes resourceVersion that is compared. */
const DECIMAL = /^[0-9]+$/;

/**
 * Watermark is the highest resourceVersion seen, compared as an integer of any length (BigInt),
 * so `"99999999999999999999"` is above `"100"`. It starts at `"0"`.
 */
export class Watermark {
  #value = 0n;
  #text = '0';

  /** The watermark as a decimal string without leading zeros. */
  get text(): string {
    return this.#text;
  }

  /**
   * Raises the watermark to `resourceVersion` when it is higher. Returns true when it moved.
   *
   * @throws TypeError when `resourceVersion` is not a decimal integer. Kubernetes documents
   *   resourceVersion as opaque, but etcd-backed API servers use decimal revisions.
   */
  advance(resourceVersion: string): boolean {
    if (!DECIMAL.test(resourceVersion)) {
      const rule = 'must be a decimal integer';
      throw new TypeError(`invalid resourceVersion ${JSON.stringify(resourceVersion)}: ${rule}`);
    }

    const value = BigInt(resourceVersion);
    if (value <= this.#value) {
      return false;
    }

    this.#value = value;
    this.#text = value.toString();
    return true;
  }
}
