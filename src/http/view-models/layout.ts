import type { StatusSnapshot } from '../../publish/status-snapshot.ts';
import { formatTime, type TimeVM } from './format.ts';

/** What layout.eta needs on every public page. */
export interface LayoutVM {
  /** Document title. */
  documentTitle: string;
  pageName: string;
  /** Snapshot version; live.js compares it with `/ws` messages. */
  version: string;
  /** Prefix for links inside the page ('' for the public page; a customer view may live elsewhere). */
  basePath: string;
  homeHref: string;
  feedHref: string;
  apiHref: string;
  staticBase: string;
  /** When the shown content last changed (not when it was rendered: same version, same HTML). */
  updatedAt: TimeVM;
  /** Set in a customer's own view. */
  viewerNotice: string | null;
}

export interface LayoutOptions {
  basePath?: string;
  /** Where views/static is served; default `/static`. */
  staticBase?: string;
  /** Display name of the customer in their own view (the page never shows other customers). */
  viewerName?: string | null;
}

export function layoutView(s: StatusSnapshot, documentTitle: string, options: LayoutOptions = {}): LayoutVM {
  const basePath = options.basePath ?? '';
  return {
    documentTitle,
    pageName: s.page.name,
    version: s.version,
    basePath,
    homeHref: `${basePath}/`,
    feedHref: '/history.atom',
    apiHref: '/api/v2/summary.json',
    staticBase: options.staticBase ?? '/static',
    updatedAt: formatTime(s.page.updatedAt, s.page.timeZone),
    viewerNotice: s.viewer
      ? `You are viewing the status page for ${options.viewerName ?? 'your organisation'}, including incidents that affect only you.`
      : null,
  };
}
