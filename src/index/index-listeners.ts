import type { IndexChange, IndexListener } from './reader.ts';

/**
 * ListenerRegistry holds the listeners of an index and calls them synchronously, in the order in
 * which they subscribed. Each `subscribe` call is one registration, so a listener subscribed twice
 * is called twice. A listener that subscribes or unsubscribes during a notification takes effect
 * from the next notification on.
 *
 * A listener that throws does not stop the others: every listener is called, and then the error
 * is thrown to the writer (an `AggregateError` when several threw). The change itself is already
 * applied by then.
 */
export class ListenerRegistry {
  readonly #registrations = new Set<{ readonly listener: IndexListener }>();

  /** Number of active registrations. */
  get size(): number {
    return this.#registrations.size;
  }

  /** Registers a listener; returns the function that removes this registration. */
  subscribe(listener: IndexListener): () => void {
    const registration = { listener };
    this.#registrations.add(registration);
    return () => {
      this.#registrations.delete(registration);
    };
  }

  /** Calls `onChange` of every listener that has one. */
  notifyChange(change: IndexChange): void {
    this.#notify((listener) => listener.onChange?.(change));
  }

  /** Calls `onWatermark` of every listener that has one. */
  notifyWatermark(watermark: string): void {
    this.#notify((listener) => listener.onWatermark?.(watermark));
  }

  #notify(call: (listener: IndexListener) => void): void {
    if (this.#registrations.size === 0) {
      return;
    }

    const errors: unknown[] = [];
    for (const { listener } of [...this.#registrations]) {
      try {
        call(listener);
      } catch (error) {
        errors.push(error);
      }
    }

    if (errors.length === 1) {
      throw errors[0];
    }

    if (errors.length > 1) {
      throw new AggregateError(errors, `${errors.length} index listeners failed`);
    }
  }
}
