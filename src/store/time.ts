/** The store's clock: UTC ISO 8601 to the second, so stored instants compare as strings. */
export function nowUtc(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
