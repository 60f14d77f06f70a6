/** The templates API's routes and settings, shared by its Lambda, the CDK construct and the CLI. */
export const TEMPLATES_API_ROUTES = {
  send: { method: 'POST', path: '/templates/send' },
  sync: { method: 'POST', path: '/templates/sync' },
  list: { method: 'GET', path: '/templates' },
} as const;

/** Retention of outbound messages written by the API, in days (as the other writers of messages). */
export const RETENTION_DAYS_ENV = 'RETENTION_DAYS';
