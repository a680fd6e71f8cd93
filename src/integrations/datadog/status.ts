import type { DatadogOperation, DatadogOutcome } from './api.ts';

export interface OperationStatus {
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
  lastOutcome: DatadogOutcome | null;
}

/**
 * The last success and error per operation, in memory (per replica), for the integration status route:
 * "are our keys still good, is Datadog answering?".
 */
export function createDatadogStatus() {
  const ops = new Map<DatadogOperation, OperationStatus>();
  const get = (op: DatadogOperation) => {
    let s = ops.get(op);
    if (!s) {
      s = { lastSuccessAt: null, lastErrorAt: null, lastError: null, lastOutcome: null };
      ops.set(op, s);
    }
    return s;
  };
  return {
    success(op: DatadogOperation, at: Date) {
      const s = get(op);
      s.lastSuccessAt = at;
      s.lastOutcome = 'success';
    },
    failure(op: DatadogOperation, outcome: DatadogOutcome, message: string, at: Date) {
      const s = get(op);
      s.lastErrorAt = at;
      s.lastError = message;
      s.lastOutcome = outcome;
    },
    snapshot(): Partial<Record<DatadogOperation, OperationStatus>> {
      return Object.fromEntries([...ops].map(([op, s]) => [op, { ...s }]));
    },
  };
}

export type DatadogStatus = ReturnType<typeof createDatadogStatus>;
