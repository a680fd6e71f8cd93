import { Hono } from 'hono';
import type { AppDeps } from '../app.ts';

/** Public status page. Placeholder until the snapshot-based page lands: lists the catalog's components. */
export function publicRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const { catalog } = deps.config;
    const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
    const items = catalog.components.map((comp) => `<li>${esc(comp.name)}: operational</li>`).join('');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(catalog.status_page.title)}</title></head><body><main><h1>${esc(catalog.status_page.title)}</h1><ul>${items}</ul></main></body></html>`,
    );
  });
  return app;
}
