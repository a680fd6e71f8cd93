/** A broken rule of the domain, with a stable code that http/errors.ts maps to a status. */
export class DomainError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
