import type { CustomSourceDef } from '../core/custom-source-definition.ts';
import { customSources } from './custom/custom-source.ts';
import { customSourceName } from './custom/to-raw.ts';
import { sources } from './registry.ts';
import type { Source } from './source.ts';

/** A sender by its stored name: a registry source (`datadog`) or a catalog one (`custom/my-monitor`). */
export function findSource(name: string, custom: readonly CustomSourceDef[]): Source | undefined {
  if (name.startsWith('custom/')) return customSources(custom).get(name);
  return Object.hasOwn(sources, name) ? sources[name] : undefined;
}

/** Every stored source name: the registry's and `custom/<name>` of each catalog source. */
export function sourceNames(custom: readonly CustomSourceDef[]): string[] {
  return [...Object.keys(sources), ...custom.map((def) => customSourceName(def.name))];
}

/** The 404 answer for a name no sender has, listing the known ones (catalog sources for `custom/…`). */
export function unknownSource(name: string, custom: readonly CustomSourceDef[]) {
  const message = name.startsWith('custom/')
    ? `unknown custom source "${name.slice('custom/'.length)}"; known: ${custom.map((s) => s.name).join(', ') || 'none (add them under sources: in the catalog)'}`
    : `unknown source "${name}"; known: ${Object.keys(sources).join(', ')}, custom/<name>`;
  return { error: 'not_found', message };
}
