import type { Clock, Logger } from '../pipeline/ports.ts';

export interface Job {
  name: string;
  run(now: Date): Promise<unknown>;
}

/**
 * Runs jobs one after another every interval. Jobs claim their work with row locks (skip locked), so several
 * replicas can all run the scheduler and each piece of work still happens once.
 */
export function startScheduler(jobs: Job[], deps: { clock: Clock; log: Logger; intervalMs: number }) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = async () => {
    for (const job of jobs) {
      if (stopped) return;
      try {
        await job.run(deps.clock.now());
      } catch (err) {
        deps.log.warn(`job ${job.name} failed`, { error: err });
      }
    }
  };
  const loop = () => {
    running = tick().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(loop, deps.intervalMs);
    });
  };
  timer = setTimeout(loop, deps.intervalMs);
  return {
    /** Runs every job now (tests, and right after start). */
    runOnce: tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
