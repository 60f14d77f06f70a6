/** The admin API's channel-account routes, shared by its Lambda, the CDK construct and the console. */
export const ACCOUNTS_ADMIN_ROUTES = {
  /** The business's channel accounts from the registry, with their health; `?limit=&cursor=`; `platform` names `businessId`. */
  list: { method: 'GET', path: '/admin/accounts' },
} as const;
