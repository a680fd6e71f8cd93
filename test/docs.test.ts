import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The docs keep up with the code: every variable config.ts reads has a row in docs/configuration.md, and every
// relative link in README.md and docs/*.md points at a file that exists.
const ROOT = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * The variables src/config.ts reads: `env.X`, `env['X']`, and the names it passes as string literals to its
 * helpers (`intFrom(env, 'PORT', …)`, `durationFrom(env, 'INCIDENTD_…', …)`, lists looked up as `env[name]`).
 */
function variablesReadBy(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
  for (const m of source.matchAll(/\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(m[1]!);
  for (const m of source.matchAll(/['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)['"]/g)) names.add(m[1]!);
  return [...names].sort();
}

/** Relative link targets of a Markdown text, without their #anchor; external and same-page links left out. */
function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const m of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    targets.push(target.split('#')[0]!);
  }
  return targets;
}

describe('docs', () => {
  it('docs/configuration.md names every environment variable src/config.ts reads', () => {
    const variables = variablesReadBy(read('src/config.ts'));
    // The parser itself: a few that are read in each of its ways.
    expect(variables).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATABASE_URL',
        'INCIDENTD_HTTP_REQUEST_TIMEOUT',
        'OTEL_EXPORTER_OTLP_PROTOCOL',
      ]),
    );
    const doc = read('docs/configuration.md');
    const missing = variables.filter((v) => !doc.includes(`\`${v}\``));
    expect(missing, 'add a row `| `NAME` | meaning | default |` to docs/configuration.md').toEqual([]);
  });

  it('every link from README.md into docs/ resolves to a file', () => {
    const links = relativeLinks(read('README.md'));
    expect(links.filter((l) => l.startsWith('docs/')).length).toBeGreaterThan(5);
    const broken = links.filter((l) => !existsSync(join(ROOT, l)));
    expect(broken).toEqual([]);
  });

  it('every relative link in docs/*.md resolves to a file', () => {
    const broken: string[] = [];
    for (const file of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))) {
      for (const link of relativeLinks(read(`docs/${file}`))) {
        if (link && !existsSync(resolve(dirname(join(ROOT, 'docs', file)), link)))
          broken.push(`docs/${file}: ${link}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
