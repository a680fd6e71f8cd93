/** What changed, announced after commit to in-process sinks (status snapshot, WebSocket hubs, gauges). */
export type ChangeEvent =
  | { type: 'incident.changed'; incidentId: string; kinds: string[]; public: boolean }
  | { type: 'maintenance.changed'; maintenanceId: string }
  | { type: 'component.changed'; componentId: string }
  /** A silence was created or expired: every replica reloads its active set (store/silence-cache.ts). */
  | { type: 'silence.changed'; silenceId: string };

export interface EventBus {
  emit(event: ChangeEvent): void;
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}

export function createEventBus(onError: (err: unknown) => void = () => {}): EventBus {
  const listeners = new Set<(event: ChangeEvent) => void>();
  return {
    emit(event) {
      for (const l of listeners) {
        try {
          l(event);
        } catch (err) {
          onError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
