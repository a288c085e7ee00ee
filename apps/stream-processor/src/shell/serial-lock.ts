/**
 * Runs tasks one at a time, in call order: one partition's batches, idle flushes and shutdown
 * checkpoint never interleave, so its state and its pending outputs have one owner at a time.
 */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private running = 0;

  get busy(): boolean {
    return this.running > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    const result = this.tail.then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.tail = settled;
    void settled.then(() => this.running--);
    return result;
  }
}
