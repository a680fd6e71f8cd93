/**
 * Cooperative time slicing for long synchronous loops over a request body: `await slice.pause()` gives the
 * event loop a turn once `budgetMs` has passed since the last one, so health checks and other requests are
 * answered while a big body is parsed. Returns undefined (no await needed) while within the budget.
 */
export interface TimeSlice {
  pause(): Promise<void> | undefined;
}

export function timeSlice(budgetMs = 20): TimeSlice {
  let since = performance.now();
  const resume = (resolve: () => void) =>
    setImmediate(() => {
      since = performance.now();
      resolve();
    });
  return {
    pause: () => (performance.now() - since < budgetMs ? undefined : new Promise<void>(resume)),
  };
}
