// Internal console and timeline: live by /internal/ws (authenticated by the session cookie). On an
// `incident-changed` message that concerns this page, fetch the live region again and swap it in place;
// forms outside it keep what is being typed. Countdowns tick every second, relative times every 30 s.
// Every page works without this script.
(() => {
  const POLL_MS = 30_000;
  let retryMs = 1000;
  let fetching = false;
  let again = false;
  let timer = null;

  const scope = () => document.body.dataset.liveScope ?? '';

  function concerns(msg) {
    if (msg?.type !== 'incident-changed') return false;
    const s = scope();
    return s === 'console' || s === `incident:${msg.id}`;
  }

  async function refresh() {
    const live = document.getElementById('live');
    if (!live) return;
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      const res = await fetch(location.href, {
        headers: { Accept: 'text/html', 'X-Incidentd-Fragment': 'live' },
        cache: 'no-store',
        credentials: 'same-origin',
        redirect: 'manual',
      });
      if (!res.ok) return;
      const html = await res.text();
      const open = [...live.querySelectorAll('details[open]')].map((d) => d.id).filter(Boolean);
      const doc = new DOMParser().parseFromString(`<div id="next">${html}</div>`, 'text/html');
      const next = doc.getElementById('next');
      if (!next) return;
      live.replaceChildren(...next.childNodes);
      for (const id of open) document.getElementById(id)?.setAttribute('open', '');
      tick();
      relativeTimes();
    } catch {
      // Offline or restarting: the next message or poll tries again.
    } finally {
      fetching = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  // Bursts of changes (an alert storm) make one refresh, not hundreds.
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  function setStatus(state) {
    const el = document.getElementById('live-status');
    if (el) el.dataset.state = state;
  }

  function connect() {
    if (!('WebSocket' in window)) return;
    const ws = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/internal/ws`,
    );
    ws.addEventListener('open', () => {
      retryMs = 1000;
      setStatus('live');
      soon(); // catch up on anything missed while disconnected
    });
    ws.addEventListener('message', (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (concerns(msg)) soon();
    });
    ws.addEventListener('close', () => {
      setStatus('offline');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, POLL_MS);
    });
  }

  function duration(ms) {
    let rest = Math.round(Math.abs(ms) / 1000);
    const parts = [];
    for (const [unit, size] of [
      ['d', 86_400],
      ['h', 3_600],
      ['m', 60],
      ['s', 1],
    ]) {
      if (rest >= size) {
        parts.push(`${Math.floor(rest / size)}${unit}`);
        rest %= size;
      }
    }
    return parts.join('') || '0s';
  }

  // The next SLA clock, counting down: "4m12s left", then "overdue by 10s".
  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll('time[data-countdown]')) {
      const due = Date.parse(el.getAttribute('datetime'));
      if (Number.isNaN(due)) continue;
      const left = due - now;
      el.textContent = left >= 0 ? `${duration(left)} left` : `overdue by ${duration(left)}`;
      const clock = el.closest('.clock');
      if (left < 0 && clock) clock.className = clock.className.replace(/tone-\w+/, 'tone-breached');
    }
  }

  function relative(ms) {
    const abs = Math.abs(ms) / 1000;
    if (abs < 45) return ms <= 0 ? 'just now' : 'in a moment';
    for (const [label, size] of [
      ['d', 86_400],
      ['h', 3_600],
      ['min', 60],
    ]) {
      if (abs >= size || label === 'min') {
        const n = Math.max(1, Math.round(abs / size));
        return ms < 0 ? `${n} ${label} ago` : `in ${n} ${label}`;
      }
    }
    return '';
  }

  function relativeTimes() {
    const now = Date.now();
    for (const el of document.querySelectorAll('time[data-rel]')) {
      const at = Date.parse(el.getAttribute('datetime'));
      if (!Number.isNaN(at)) el.textContent = relative(at - now);
    }
  }

  function start() {
    tick();
    relativeTimes();
    setInterval(tick, 1000);
    setInterval(relativeTimes, 30_000);
    // Unrouted alerts, dead letters and targets change without an incident event: poll the console.
    if (scope() === 'console') setInterval(refresh, POLL_MS);
    connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
