/**
 * Group commit for request/response work: calls that arrive while a batch is being written
 * (or in the same tick) are handed together to `run`, which returns one result per input in
 * order. Under load many HTTP requests share one database transaction; idle, a call waits only
 * one turn of the event loop.
 */
export class Batcher<TInput, TResult> {
  private queue: Array<{
    input: TInput;
    resolve: (result: TResult) => void;
    reject: (error: unknown) => void;
  }> = [];
  private running = false;

  constructor(
    private readonly run: (inputs: TInput[]) => Promise<TResult[]>,
    private readonly maxBatch = 256,
  ) {}

  submit(input: TInput): Promise<TResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.run(batch.map((item) => item.input));
        batch.forEach((item, index) => item.resolve(results[index]!));
      } catch (error) {
        batch.forEach((item) => item.reject(error));
      }
    }
    this.running = false;
  }
}
