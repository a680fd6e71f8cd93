/**
 * Fan-out of messages to connected clients of one channel (public now, internal later). Transport-agnostic:
 * a client is anything that can send text, report its unsent bytes and be closed. A client that stops
 * reading is dropped once its send buffer passes `maxBufferedBytes`, so one slow reader never grows memory.
 */

export interface HubClient {
  send(text: string): void;
  /** Bytes queued but not yet written to the network. */
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

export interface WebSocketHub {
  readonly channel: string;
  /** Registers a client; false (and the client is closed) when the hub is full or stopped. */
  add(client: HubClient): boolean;
  remove(client: HubClient): void;
  /** Sends one message (serialized once) to every client; returns how many it reached. */
  broadcast(message: unknown): number;
  size(): number;
  /** Closes every client (shutdown). */
  closeAll(): void;
}

/** Close codes: 1001 going away (shutdown), 1008 policy (too slow), 1013 try again later (full). */
const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TOO_SLOW = 1008;
const CLOSE_FULL = 1013;

export function createWebSocketHub(opts: {
  channel: string;
  maxClients?: number;
  maxBufferedBytes?: number;
  onCount?: (count: number) => void;
}): WebSocketHub {
  const maxClients = opts.maxClients ?? 50_000;
  const maxBuffered = opts.maxBufferedBytes ?? 256 * 1024;
  const clients = new Set<HubClient>();
  let closed = false;
  const counted = () => opts.onCount?.(clients.size);

  const drop = (client: HubClient, code: number, reason: string) => {
    if (!clients.delete(client)) return;
    try {
      client.close(code, reason);
    } catch {}
    counted();
  };

  return {
    channel: opts.channel,
    add(client) {
      if (closed || clients.size >= maxClients) {
        try {
          client.close(closed ? CLOSE_GOING_AWAY : CLOSE_FULL, closed ? 'shutting down' : 'too many clients');
        } catch {}
        return false;
      }
      clients.add(client);
      counted();
      return true;
    },
    remove(client) {
      if (clients.delete(client)) counted();
    },
    broadcast(message) {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      let reached = 0;
      for (const client of clients) {
        if (client.bufferedAmount() > maxBuffered) {
          drop(client, CLOSE_TOO_SLOW, 'not reading');
          continue;
        }
        try {
          client.send(text);
          reached++;
        } catch {
          drop(client, CLOSE_GOING_AWAY, 'send failed');
        }
      }
      return reached;
    },
    size: () => clients.size,
    closeAll() {
      closed = true;
      for (const client of [...clients]) drop(client, CLOSE_GOING_AWAY, 'shutting down');
    },
  };
}
