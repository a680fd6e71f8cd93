/** Component ids of the sample catalog, for rule tests that load rules without a catalog. */
export const sampleComponentIds = (): Set<string> =>
  new Set([
    'api',
    'dashboard',
    'auth',
    'webhooks-out',
    'database',
    'object-storage',
    'search',
    'email',
    'billing',
  ]);
