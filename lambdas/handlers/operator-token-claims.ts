import { AdminGetUserCommand, CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type PreTokenGenerationEvent, tokenClaimsFor, tokenResponse } from '#lambdas/identity/token-claims';
import { OPERATOR_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/operator-token-claims';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const cognito = new CognitoIdentityProviderClient({});
const machineClients = env.OPERATOR_MACHINE_CLIENTS;
const clientNames = new Map<string, Promise<string | undefined>>();

/** Cognito's pre token generation trigger (version 3): the business and roles every access token carries. */
export async function handler(event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent> {
  const claims = await tokenClaimsFor(event, {
    machineClients,
    clientName: (userPoolId, clientId) => {
      const key = `${userPoolId}/${clientId}`;
      if (!clientNames.has(key)) {
        const read = cognito
          .send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))
          .then((out) => out.UserPoolClient?.ClientName);
        read.catch(() => clientNames.delete(key));
        clientNames.set(key, read);
      }
      return clientNames.get(key)!;
    },
    hasTotp: async (userPoolId, userName) => {
      const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userName }));
      return (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
    },
  });
  if (claims.withheld) {
    metrics.addMetric(OPERATOR_METRIC.rolesWithheld, MetricUnit.Count, 1);
    // Roles only: no user name or attribute.
    logger.warn('roles withheld until TOTP is set up', { roles: claims.withheld.roles, trigger: event.triggerSource });
  }
  if (!claims.businessId) metrics.addMetric(OPERATOR_METRIC.tokenWithoutBusiness, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  event.response = tokenResponse(event, claims);
  return event;
}
