/** Work that continues after a Slack ack; shutdown waits for it so nothing is cut in half. */
export interface TaskTracker {
  run(work: () => Promise<unknown>): void;
  drain(timeoutMs: number): Promise<void>;
  readonly size: number;
}

export function createTaskTracker(onError: (error: unknown) => void): TaskTracker {
  const running = new Set<Promise<unknown>>();
  return {
    run(work) {
      const promise = Promise.resolve()
        .then(work)
        .catch(onError)
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async drain(timeoutMs) {
      const deadline = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      while (running.size > 0) {
        const settled = await Promise.race([
          Promise.allSettled([...running]).then(() => "done"),
          deadline.then(() => "timeout"),
        ]);
        if (settled === "timeout") return;
      }
    },
    get size() {
      return running.size;
    },
  };
}
