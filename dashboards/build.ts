/** `npx tsx dashboards/build.ts`: writes the Grafana dashboards' JSON next to this file. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboards, render } from './src/index.ts';

for (const [file, build] of Object.entries(dashboards)) {
  const path = join(import.meta.dirname, file);
  writeFileSync(path, render(build()));
  console.log(`wrote ${path}`);
}
