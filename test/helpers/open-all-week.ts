import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { WEEKDAYS } from '#lambdas/agent/flows/business-flows-schema';
import { defaultLocalTenants, type LocalTenant } from '#lib/local-cloud/local-tenants';
import { LOCAL_DEFAULTS } from '#lib/local-cloud/start-local-cloud';

/** The demo business's settings, open around the clock every day. */
export function openAllWeek(settings: BusinessFlows = demoBotSettings()): BusinessFlows {
  return { ...settings, hours: Object.fromEntries(WEEKDAYS.map((day) => [day, [{ from: '00:00', to: '24:00' }]])) };
}

/** The local cloud's own business, its bot open all week, for tests whose outcome must not depend on the hour. */
export function openAllWeekLocalTenants(): LocalTenant[] {
  return defaultLocalTenants(LOCAL_DEFAULTS.accessToken).map((tenant) => ({ ...tenant, botSettings: openAllWeek() }));
}
