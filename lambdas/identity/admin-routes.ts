/** The admin API's routes, shared by its Lambda, the CDK construct and `npm run flows`. */
export const ADMIN_ROUTES = {
  getBotSettings: { method: 'GET', path: '/admin/bot-settings' },
  putBotSettings: { method: 'PUT', path: '/admin/bot-settings' },
  botSettingsVersions: { method: 'GET', path: '/admin/bot-settings/versions' },
  audit: { method: 'GET', path: '/admin/audit' },
} as const;
