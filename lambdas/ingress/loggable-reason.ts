/**
 * A quarantine reason as it may appear in a log line. Some reasons quote the provider's data
 * (`unknown_object:<whatever the body said>`), and a hostile or mistaken body can put a name or a
 * phone number there; logs carry ids only, so such suffixes are dropped. The stored quarantine item
 * keeps the full reason.
 */
export function loggableReason(reason: string | undefined): string {
  if (!reason) return 'unknown';
  const [category = 'unknown'] = reason.split(':', 1);
  if (category === 'unknown_object') return category;
  // Our own suffixes are error names, channels, kinds and schema paths.
  return /^[a-z_]+(:[A-Za-z0-9_.]+)*$/.test(reason) ? reason : category;
}
