import { businessToolsSecretName, businessToolsSecretPrefix, type BusinessToolsConfig } from '#lambdas/agent/assistant/business-tools-config';

/**
 * The tools secrets of the local businesses (`<stack>/business-tools/<businessId>`): each one's
 * order look-up goes to the sample order API with its key. The sample API answers only the orders
 * of the business and customer asking.
 */
export function localBusinessToolsSecrets(
  stackName: string,
  businessIds: readonly string[],
  orderApi: { url: string; apiKey: string },
): Array<{ name: string; value: BusinessToolsConfig }> {
  const prefix = businessToolsSecretPrefix(stackName);
  return [...new Set(businessIds)].flatMap((businessId) => {
    const name = businessToolsSecretName(prefix, businessId);
    return name ? [{ name, value: { orderApi: { url: orderApi.url, apiKey: orderApi.apiKey } } }] : [];
  });
}
