import type { Catalog } from '../../catalog.ts';
import type { DisplayNames } from '../../core/timeline-text.ts';

/** Catalog display names for customer and component ids; an id outside the catalog shows as itself. */
export function catalogNames(catalog: Pick<Catalog, 'customers' | 'components'>): DisplayNames {
  const customers = new Map(catalog.customers.map((c) => [c.id, c.name]));
  const components = new Map(catalog.components.map((c) => [c.id, c.name]));
  return {
    customer: (id) => customers.get(id) ?? id,
    component: (id) => components.get(id) ?? id,
  };
}
