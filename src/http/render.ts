import path from 'node:path';
import { Eta } from 'eta';
import type { IncidentPageVM } from './view-models/incident-page.ts';
import type { StatusPageVM } from './view-models/status-page.ts';

/** Eta over `views/` at the repo root: autoescape on (every `<%= %>` is HTML-escaped), templates cached. */

export const VIEWS_DIR = path.resolve(import.meta.dirname, '../../views');
/** Served at `/static/` (CSS, live.js). */
export const STATIC_DIR = path.join(VIEWS_DIR, 'static');

const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

export function renderStatusPage(vm: StatusPageVM): string {
  return eta.render('status', vm);
}

export function renderIncidentPage(vm: IncidentPageVM): string {
  return eta.render('incident', vm);
}
