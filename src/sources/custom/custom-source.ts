import type { CustomSourceDef } from '../../core/custom-source-definition.ts';
import type { Source } from '../source.ts';
import { customSourceName, mapCustomBody } from './to-raw.ts';

/** A catalog `sources:` entry as a sender: stored as `custom/<name>`; JSON or form-encoded bodies. */
export function createCustomSource(def: CustomSourceDef): Source {
  return {
    name: customSourceName(def.name),
    parse: (body, receivedAt, limits) => mapCustomBody(def, body, receivedAt, limits),
    formBodies: true,
    wholeBody: true,
  };
}

const built = new WeakMap<readonly CustomSourceDef[], ReadonlyMap<string, Source>>();

/** `custom/<name>` → sender, built once per catalog. */
export function customSources(defs: readonly CustomSourceDef[]): ReadonlyMap<string, Source> {
  let map = built.get(defs);
  if (!map) {
    map = new Map(defs.map((def) => [customSourceName(def.name), createCustomSource(def)]));
    built.set(defs, map);
  }
  return map;
}
