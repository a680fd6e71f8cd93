/** `tsx bench/run.ts [NAME...]`: runs the named benchmarks, or all of them. */
const benches: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  ingest: () => import('./ingest.ts'),
  correlate: () => import('./correlate.ts'),
  'status-page': () => import('./status-page.ts'),
  memory: () => import('./memory.ts'),
  alertmanager: () => import('./alertmanager.ts'),
  journal: () => import('./journal.ts'),
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in benches));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const started = performance.now();
  console.log(`== ${name}`);
  await (await benches[name]!()).run();
  console.log(`== ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
