import type { StatusSnapshot } from './status-snapshot.ts';

/**
 * Atom 1.0 feed (RFC 4287) of public incident history: one entry per public incident update,
 * newest first. Built from the snapshot only, so it shows exactly what the page shows.
 */

const STATUS_LABELS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};

export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

export interface AtomFeedOptions {
  /** How many entries at most (newest kept). */
  limit?: number;
  /** Path of the feed itself, for the `self` link. */
  selfPath?: string;
}

export function atomFeed(s: StatusSnapshot, options: AtomFeedOptions = {}): string {
  const base = s.page.url;
  const limit = options.limit ?? 200;
  // Maintenance updates too; a recurring series' shared updates appear once (same update id on each occurrence).
  const seen = new Set<string>();
  const maintenanceEntries = s.maintenances.flatMap((m) =>
    m.updates
      .filter((u) => !seen.has(u.id) && seen.add(u.id))
      .map((u) => ({ i: m, u, link: m.shortlink, key: `${base}/maintenances/${encodeURIComponent(m.id)}` })),
  );
  const entries = [
    ...s.incidents.flatMap((i) =>
      i.updates.map((u) => {
        const link = `${base}/incidents/${encodeURIComponent(i.id)}`;
        return { i, u, link, key: link };
      }),
    ),
    ...maintenanceEntries,
  ]
    .sort((a, b) => b.u.at.getTime() - a.u.at.getTime()) // ties: snapshot order (ids are opaque)
    .slice(0, limit);
  const updated = entries[0]?.u.at ?? s.page.updatedAt;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
    `  <id>${xml(`${base}/history.atom`)}</id>`,
    `  <title>${xml(`${s.page.name} - Incident History`)}</title>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${xml(s.page.name)}</name></author>`,
    `  <link rel="alternate" type="text/html" href="${xml(`${base}/`)}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(base + (options.selfPath ?? '/history.atom'))}"/>`,
  ];
  for (const { i, u, link, key } of entries) {
    lines.push(
      '  <entry>',
      `    <id>${xml(`${key}#update-${encodeURIComponent(u.id)}`)}</id>`,
      `    <title>${xml(`${i.name}: ${STATUS_LABELS[u.status] ?? u.status}`)}</title>`,
      `    <updated>${u.at.toISOString()}</updated>`,
      `    <published>${u.at.toISOString()}</published>`,
      `    <link rel="alternate" type="text/html" href="${xml(link)}"/>`,
      `    <category term="${xml(u.status)}"/>`,
      `    <content type="text">${xml(u.body)}</content>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

/** Escape for XML text and attributes, dropping characters XML 1.0 forbids. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
