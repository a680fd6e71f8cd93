import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { STATIC_DIR } from './render.ts';

/** Runs views/static/live.js against tiny stubs of the browser APIs it uses. */
function setup(options: { webSocket: boolean; html?: string }) {
  const source = readFileSync(path.join(STATIC_DIR, 'live.js'), 'utf8');
  const main = {
    dataset: { version: 'v1' } as Record<string, string>,
    innerHTML: 'old',
    querySelectorAll: () => [],
  };
  const time = {
    attrs: { datetime: new Date(Date.now() - 5 * 60_000).toISOString() } as Record<string, string>,
    dataset: {} as Record<string, string>,
    textContent: 'Apr 10, 2026, 12:00',
    title: '',
    hasAttribute: (n: string) => n in time.attrs,
    getAttribute: (n: string) => time.attrs[n] ?? null,
  };
  const sockets: { url: string; listeners: Record<string, (e: unknown) => void> }[] = [];
  const fetches: string[] = [];
  const intervals: number[] = [];
  const nextMain = { dataset: { version: 'v2' }, innerHTML: 'new content' };
  const context: Record<string, unknown> = {
    location: { href: 'http://host/', host: 'host', protocol: 'http:' },
    document: {
      readyState: 'complete',
      title: 'old title',
      querySelector: (sel: string) => (sel === 'main' ? main : null),
      querySelectorAll: (sel: string) => (sel === 'time[datetime]' ? [time] : []),
    },
    fetch: async (url: string) => {
      fetches.push(url);
      return { ok: true, text: async () => options.html ?? '<main data-version="v2">new content</main>' };
    },
    DOMParser: class {
      parseFromString() {
        return { title: 'new title', querySelector: () => nextMain };
      }
    },
    CSS: { escape: (s: string) => s },
    setInterval: (_fn: () => void, ms: number) => intervals.push(ms),
    clearInterval: () => {},
    setTimeout: () => 0,
    JSON,
    Date,
    Number,
    Math,
  };
  if (options.webSocket) {
    context.WebSocket = class {
      listeners: Record<string, (e: unknown) => void> = {};
      constructor(public url: string) {
        sockets.push(this);
      }
      addEventListener(type: string, fn: (e: unknown) => void) {
        this.listeners[type] = fn;
      }
    };
  }
  context.window = context;
  vm.runInNewContext(source, context);
  return { main, time, sockets, fetches, intervals, context };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('live.js', () => {
  it('connects to /ws and swaps <main> when the snapshot version changes', async () => {
    const t = setup({ webSocket: true });
    expect(t.sockets.map((s) => s.url)).toEqual(['ws://host/ws']);
    const ws = t.sockets[0]!;
    ws.listeners.message!({ data: JSON.stringify({ type: 'snapshot-changed', version: 'v1' }) });
    await tick();
    expect(t.fetches).toEqual([]);
    ws.listeners.message!({ data: 'not json' });
    ws.listeners.message!({ data: JSON.stringify({ type: 'snapshot-changed', version: 'v2' }) });
    await tick();
    await tick();
    expect(t.fetches).toEqual(['http://host/']);
    expect(t.main.innerHTML).toBe('new content');
    expect(t.main.dataset.version).toBe('v2');
    expect((t.context.document as { title: string }).title).toBe('new title');
  });

  it('falls back to polling every 60 s when the socket closes or is missing', () => {
    const a = setup({ webSocket: true });
    a.sockets[0]!.listeners.close!({});
    expect(a.intervals).toContain(60_000);
    const b = setup({ webSocket: false });
    expect(b.intervals).toContain(60_000);
  });

  it('renders relative times and keeps the absolute one as a tooltip', () => {
    const t = setup({ webSocket: false });
    expect(t.time.textContent).toBe('5 min ago');
    expect(t.time.title).toBe('Apr 10, 2026, 12:00');
  });
});
