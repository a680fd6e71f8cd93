// Live status page: re-fetch the page when /ws says the snapshot changed and swap <main> in place.
// Without WebSocket it polls every 60 s. Relative times ("5 min ago") from <time datetime>.
// The page works without this script: it only refreshes content and rewrites time labels.
(() => {
  const POLL_MS = 60_000;
  let pollTimer = null;
  let retryMs = 1000;
  let fetching = false;

  const currentVersion = () => document.querySelector('main')?.dataset.version ?? '';

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      const res = await fetch(location.href, { headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const next = doc.querySelector('main');
      const main = document.querySelector('main');
      if (!next || !main) return;
      if (next.dataset.version && next.dataset.version === main.dataset.version) return;
      const open = [...main.querySelectorAll('details[open]')].map((d) => d.id || d.className);
      main.innerHTML = next.innerHTML;
      main.dataset.version = next.dataset.version ?? '';
      for (const key of open)
        main.querySelector(`details.${CSS.escape(key)}, #${CSS.escape(key)}`)?.setAttribute('open', '');
      if (doc.title) document.title = doc.title;
      relativeTimes();
    } catch {
      // Offline or server restarting: the next message or poll tries again.
    } finally {
      fetching = false;
    }
  }

  function startPolling() {
    if (!pollTimer) pollTimer = setInterval(refresh, POLL_MS);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function connect() {
    if (!('WebSocket' in window)) return startPolling();
    let ws;
    try {
      ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    } catch {
      return startPolling();
    }
    ws.addEventListener('open', () => {
      retryMs = 1000;
      stopPolling();
      refresh(); // catch up on anything missed while disconnected
    });
    ws.addEventListener('message', (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!msg || typeof msg.type !== 'string' || !msg.type.startsWith('snapshot')) return;
      if (msg.version && msg.version === currentVersion()) return;
      refresh();
    });
    ws.addEventListener('close', () => {
      startPolling();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, POLL_MS);
    });
  }

  const UNITS = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];

  function relative(seconds) {
    const abs = Math.abs(seconds);
    if (abs < 45) return seconds <= 0 ? 'just now' : 'in a moment';
    for (const [unit, size] of UNITS) {
      if (abs >= size || unit === 'minute') {
        const n = Math.max(1, Math.round(abs / size));
        const label = unit === 'minute' ? 'min' : unit === 'hour' ? 'h' : `${unit}${n === 1 ? '' : 's'}`;
        const space = unit === 'hour' ? '' : ' ';
        return seconds < 0 ? `${n}${space}${label} ago` : `in ${n}${space}${label}`;
      }
    }
    return '';
  }

  function relativeTimes() {
    const now = Date.now();
    for (const el of document.querySelectorAll('time[datetime]')) {
      if (el.hasAttribute('data-absolute')) continue;
      const at = Date.parse(el.getAttribute('datetime'));
      if (Number.isNaN(at)) continue;
      if (!el.dataset.text) el.dataset.text = el.textContent;
      el.title = el.dataset.text;
      el.textContent = relative(Math.round((at - now) / 1000));
    }
  }

  function start() {
    relativeTimes();
    setInterval(relativeTimes, 30_000);
    connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
