/** Prepares one operation (untimed) and returns how many items it handles and the timed part. */
export type Op = () => { items: number; run: () => Promise<unknown> };

/**
 * Runs `a` and `b` in alternating slices until each has had `totalMs` of measured time, so slow drift
 * (table growth, GC, a noisy neighbour) hits both alike. Returns items per second of each.
 */
export async function measurePair(
  a: Op,
  b: Op,
  opts: { totalMs: number; slices?: number },
): Promise<[number, number]> {
  const slices = opts.slices ?? 3;
  const sliceMs = opts.totalMs / slices;
  const totals = [
    { items: 0, ms: 0 },
    { items: 0, ms: 0 },
  ];
  for (let s = 0; s < slices; s++) {
    for (const [i, op] of [a, b].entries()) {
      const t = totals[i]!;
      const until = t.ms + sliceMs;
      while (t.ms < until) {
        const { items, run } = op();
        const started = performance.now();
        await run();
        t.ms += performance.now() - started;
        t.items += items;
      }
    }
  }
  return [totals[0]!.items / (totals[0]!.ms / 1000), totals[1]!.items / (totals[1]!.ms / 1000)];
}

/** Plain text table with aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
