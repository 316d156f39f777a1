// A bounded set of the message keys stored most recently: enough to recognise a sender repeating a message whose
// acknowledgement it missed, without growing for ever. The host's store is the long-term guard (idempotency key).
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(readonly capacity = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    while (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value as string);
  }

  get size(): number {
    return this.keys.size;
  }
}
