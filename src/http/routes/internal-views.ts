import { Eta } from 'eta';
import { VIEWS_DIR } from '../render.ts';
import type { ConsoleVM } from '../view-models/internal-console.ts';
import type { TimelinePageVM } from '../view-models/internal-timeline.ts';

/** Eta for views/internal: same settings as the public pages (autoescape on, templates cached). */
const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

export interface LoginVM {
  documentTitle: string;
  pageName: string;
  next: string;
  nonce: string;
  name: string;
  error: string | null;
}

export const renderLogin = (vm: LoginVM) => eta.render('internal/login', vm);
export const renderConsole = (vm: ConsoleVM) => eta.render('internal/console', vm);
/** Only the live region, for console.js to swap in. */
export const renderConsoleLive = (vm: ConsoleVM) => eta.render('internal/partials/console-live', vm);
export const renderTimeline = (vm: TimelinePageVM) => eta.render('internal/incident', vm);
export const renderTimelineLive = (vm: TimelinePageVM) => eta.render('internal/partials/incident-live', vm);
