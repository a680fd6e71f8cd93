import type { AlertStatus } from '../../core/alert.ts';

/** `$ALERT_TRANSITION`, compared without case, spaces or dashes (`Re-No Data` → `renodata`). */
const TRANSITION_STATUS: Record<string, AlertStatus> = {
  triggered: 'firing',
  retriggered: 'firing',
  warn: 'firing',
  rewarn: 'firing',
  nodata: 'firing',
  renodata: 'firing',
  renotify: 'firing',
  recovered: 'resolved',
};

const ALERT_TYPE_STATUS: Record<string, AlertStatus> = {
  error: 'firing',
  warning: 'firing',
  success: 'resolved',
};

function squash(value: string): string {
  return value.toLowerCase().replace(/[^a-z]/g, '');
}

export function statusFromTransition(transition: string | undefined): AlertStatus | undefined {
  return transition === undefined ? undefined : TRANSITION_STATUS[squash(transition)];
}

export function statusFromAlertType(alertType: string | undefined): AlertStatus | undefined {
  return alertType === undefined ? undefined : ALERT_TYPE_STATUS[squash(alertType)];
}

/** What the leading `[...]` groups of a title say: `[P2] [Warn] x`, `[Triggered on {host:a}] x`, `[TEST] …`. */
export interface TitlePrefix {
  status?: AlertStatus;
  priority?: string;
  /** The group from `on {…}`, e.g. `host:a`. */
  scope?: string;
  test: boolean;
  /** The title without the recognised prefix groups. */
  rest: string;
}

const LEADING_GROUP = /^\s*\[([^\]]*)\]/;

export function parseTitlePrefix(title: string): TitlePrefix {
  const prefix: TitlePrefix = { test: false, rest: title.trim() };
  for (;;) {
    const match = LEADING_GROUP.exec(prefix.rest);
    if (!match) break;
    const token = (match[1] ?? '').trim();
    const on = /^(.*?)\s+on\s+\{(.*)\}$/s.exec(token);
    const word = on ? (on[1] ?? '') : token;
    const status = TRANSITION_STATUS[squash(word)];
    if (status) {
      prefix.status ??= status;
      if (on) prefix.scope ??= on[2];
    } else if (/^p[1-5]$/i.test(word)) prefix.priority ??= word.toUpperCase();
    else if (/^test$/i.test(word)) prefix.test = true;
    else break; // an unrecognised `[...]` is part of the user's title
    prefix.rest = prefix.rest.slice(match[0].length).trim();
  }
  return prefix;
}
