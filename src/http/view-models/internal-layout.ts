import type { InternalAuth } from '../middleware/internal-auth.ts';

/** What views/internal/layout.eta needs on every internal page. */
export interface InternalLayoutVM {
  documentTitle: string;
  pageName: string;
  /** Who is signed in (null for token callers, who get no sign-out button). */
  actor: string | null;
  /** Hidden field value for every form; '' for token callers (they need none). */
  csrf: string;
  /** `console` or `incident:<id>`: which WebSocket messages refresh this page (console.js). */
  liveScope: string;
}

export function internalLayout(
  auth: InternalAuth,
  documentTitle: string,
  pageName: string,
  liveScope: string,
): InternalLayoutVM {
  return {
    documentTitle,
    pageName,
    actor: auth.session?.actor ?? null,
    csrf: auth.csrf ?? '',
    liveScope,
  };
}
