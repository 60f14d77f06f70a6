import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CONTACTS_AGENT_ROUTES } from '#lambdas/contacts/api/contacts-api-contract';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { CONVERSATION_WORKSPACE_ROUTES } from '#lambdas/workspace/workspace-routes';
import { ROUTING_WORKSPACE_ROUTES } from '#lambdas/routing/api/routing-api-routes';
import { MEDIA_KEY_PREFIX } from '#lib/constructs/media-storage';
import { TableOperatorApi, type TableOperatorApiProps } from '#lib/constructs/operator-api';
import type { OperatorRoute } from '#lib/constructs/operator-routes';

export interface HumanAgentApiProps extends TableOperatorApiProps {
  /** Customers' stored attachments: the function signs short-lived links to read them. */
  readonly mediaBucket: s3.IBucket;
}

/** Each method and path once, in the order given. */
function uniqueRoutes(routes: readonly OperatorRoute[]): OperatorRoute[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The human agents' API on the pipeline's HTTP API: routes behind the operators' JWT authoriser
 * (scope `omnichannel/agent`), backed by one Lambda that checks every target against the caller's
 * business and roles (lambdas/identity/).
 */
export class HumanAgentApi extends TableOperatorApi {
  constructor(scope: Construct, id: string, props: HumanAgentApiProps) {
    super(scope, id, {
      ...props,
      function: {
        logicalId: 'HumanAgentApiFunction',
        handler: 'human-agent-api',
        description: 'Human agents: conversations, replies, macros, templates, notes, tags, media links, updates, close; supervisors: stats',
        serviceName: 'human-agent-api',
      },
      scope: OPERATOR_SCOPES.agent,
      routes: uniqueRoutes([
        ...Object.values(HUMAN_AGENT_ROUTES),
        ...CONVERSATION_WORKSPACE_ROUTES,
        ...ROUTING_WORKSPACE_ROUTES,
        ...Object.values(CONTACTS_AGENT_ROUTES),
      ]),
    });
    this.handler.function.addEnvironment(MEDIA_BUCKET_ENV, props.mediaBucket.bucketName);
    // Agents search contacts by name and phone (lambdas/contacts/api/).
    props.storage.grantContactSearch(this.handler.role);
    // Reads of stored attachments only (the presigned links are signed with this grant): no lists, writes or deletes.
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.mediaBucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`)] }),
    );
    Validations.of(this.handler.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<MediaBucket.Arn>/${MEDIA_KEY_PREFIX}*]`,
      reason: 'Media keys are per message and unknown in advance; the grant is GetObject only, under the media prefix of this one bucket.',
    });
  }
}
