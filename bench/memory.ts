/**
 * Memory per open incident and per active alert: in a fresh child process per database
 * (`node --expose-gc`, bench/memory-child.ts), RSS and V8 heap after global.gc() before any alert, after
 * 1,000 incidents were opened through the Alertmanager webhook (100 alerts per webhook, a new region each),
 * and after 100,000 firing alerts joined them (1,000 per webhook, 100 per incident), with the snapshot service running (every
 * incident is published, so the snapshot holds up to its bound of 2,000). With PGlite the embedded database
 * lives in the process (WASM memory counts in RSS, not in the heap): `pglite` keeps its files in a data
 * directory on disk, as `npm start` does, `pglite-memory` in memory (DATA_DIR=memory://, the files are RAM
 * too); with PostgreSQL the database is another process, so the figure is incidentd's own. Baseline: the same process before ingest (the delta is the figure).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { MemoryResult } from './memory-child.ts';
import { formatTable } from './support/measure.ts';

const ROOT = resolve(import.meta.dirname, '..');

function runChild(kind: string): Promise<MemoryResult | null> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory-child.ts', kind], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    proc.stderr.on('data', (c: Buffer) => {
      err += c;
    });
    proc.on('exit', (code) => {
      if (code === 0) return done(JSON.parse(out.trim().split('\n').at(-1)!) as MemoryResult);
      if (/unreachable/.test(err)) return done(null);
      fail(new Error(`memory-child ${kind} exited ${code}:\n${err.slice(-2000)}`));
    });
  });
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);

export async function run(): Promise<void> {
  const rows: string[][] = [];
  const notes: string[] = [];
  // Both children at once: nothing here is a timing, and it halves the wall time.
  // pglite-memory (DATA_DIR=memory://) on request: a third concurrent child costs ~1 min of the 10-minute budget.
  const kinds = (process.env.BENCH_MEMORY_KINDS ?? 'pglite,postgres').split(',');
  const results = await Promise.all(kinds.map((kind) => runChild(kind)));
  for (const [i, kind] of kinds.entries()) {
    const r = results[i];
    if (!r) {
      rows.push([kind, 'skipped (unreachable)', '', '', '', '', '', '']);
      continue;
    }
    const incidents = r.openIncidents;
    const joined = r.firingAlerts - incidents;
    const perIncident = (k: 'rss' | 'heapUsed') => (r.incidents[k] - r.before[k]) / incidents;
    const perAlert = (k: 'rss' | 'heapUsed') => (r.alerts[k] - r.incidents[k]) / joined;
    rows.push([
      kind,
      mb(r.before.rss),
      mb(r.alerts.rss),
      mb(r.alerts.heapUsed),
      perIncident('rss').toFixed(0),
      perIncident('heapUsed').toFixed(0),
      perAlert('rss').toFixed(0),
      perAlert('heapUsed').toFixed(0),
    ]);
    notes.push(
      `${kind}: ${r.firingAlerts.toLocaleString('en-US')} firing alerts in ${incidents.toLocaleString('en-US')} open incidents, ` +
        `ingested in ${r.ingestSeconds.toFixed(1)} s (${(r.firingAlerts / r.ingestSeconds).toFixed(0)} alerts/s); ` +
        `heap ${mb(r.before.heapUsed)} → ${mb(r.incidents.heapUsed)} → ${mb(r.alerts.heapUsed)} MB; ` +
        `alerts+incidents tables ${mb(r.tableBytes)} MB (${(r.tableBytes / r.firingAlerts).toFixed(0)} B/alert)`,
    );
  }
  console.log(
    '\nmemory: one process per database, after global.gc(); per incident = Δ(open 1,000 incidents) ÷ 1,000,',
  );
  console.log(
    'per alert = Δ(99,000 more alerts joining them) ÷ 99,000; PGlite RSS includes the embedded database (pglite: files',
  );
  console.log(
    'on disk; BENCH_MEMORY_KINDS=pglite,pglite-memory,postgres adds DATA_DIR=memory://); children run at once, so',
  );
  console.log('their ingest rates are not comparable\n');
  console.log(
    formatTable(
      [
        'database',
        'RSS before MB',
        'RSS after MB',
        'heap after MB',
        'B/incident RSS',
        'B/incident heap',
        'B/alert RSS',
        'B/alert heap',
      ],
      rows,
    ),
  );
  for (const n of notes) console.log(n);
}
