import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { dynamoInstagramTokenStore } from '#lambdas/instagram-login/instagram-token-store';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { dynamoProgressStore } from '#lambdas/onboarding/onboarding-store';

/** What onboarding reads and writes in the table. */
export type OnboardingStores = Pick<OnboardingDeps, 'progress' | 'registry' | 'instagramTokens'>;

/** Onboarding's DynamoDB stores on one table: for the wiring (the handler, tests). */
export function dynamoOnboardingStores(db: DocumentClient, tableName: string): OnboardingStores {
  return {
    progress: dynamoProgressStore(db, tableName),
    registry: dynamoAccountRegistry(db, tableName),
    instagramTokens: dynamoInstagramTokenStore(db, tableName),
  };
}
