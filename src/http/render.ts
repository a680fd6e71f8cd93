import path from 'node:path';
import { Eta } from 'eta';
import type { IncidentPageVM } from './view-models/incident-page.ts';
import type { ConsoleVM } from './view-models/internal-console.ts';
import type { TimelinePageVM } from './view-models/internal-timeline.ts';
import type { SlaReportPageVM } from './view-models/sla-report.ts';
import type { StatusPageVM } from './view-models/status-page.ts';

const VIEWS_DIR = path.resolve(import.meta.dirname, '../../views');
/** Served at `/static/` (CSS, live.js). */
export const STATIC_DIR = path.join(VIEWS_DIR, 'static');

/** The one Eta over `views/` at the repo root, public and internal pages: autoescape on (every `<%= %>` is
 * HTML-escaped), templates cached. */
const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

export function renderStatusPage(vm: StatusPageVM): string {
  return eta.render('status', vm);
}

export function renderIncidentPage(vm: IncidentPageVM): string {
  return eta.render('incident', vm);
}

export interface LoginVM {
  documentTitle: string;
  pageName: string;
  next: string;
  nonce: string;
  name: string;
  error: string | null;
}

/** console.js asks for only the live region with this header. */
export const FRAGMENT_HEADER = 'x-incidentd-fragment';

export const renderLogin = (vm: LoginVM) => eta.render('internal/login', vm);
export const renderConsole = (vm: ConsoleVM) => eta.render('internal/console', vm);
/** Only the live region, for console.js to swap in. */
export const renderConsoleLive = (vm: ConsoleVM) => eta.render('internal/partials/console-live', vm);
export const renderTimeline = (vm: TimelinePageVM) => eta.render('internal/incident', vm);
export const renderTimelineLive = (vm: TimelinePageVM) => eta.render('internal/partials/incident-live', vm);
export const renderReportPage = (vm: SlaReportPageVM) => eta.render('internal/reports', vm);
