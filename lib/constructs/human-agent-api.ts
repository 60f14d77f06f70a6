import type { Construct } from 'constructs';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { TableOperatorApi, type TableOperatorApiProps } from '#lib/constructs/operator-api';

/**
 * The human agents' API on the pipeline's HTTP API: routes behind the operators' JWT authoriser
 * (scope `omnichannel/agent`), backed by one Lambda that checks every target against the caller's
 * business and roles (lambdas/identity/).
 */
export class HumanAgentApi extends TableOperatorApi {
  constructor(scope: Construct, id: string, props: TableOperatorApiProps) {
    super(scope, id, {
      ...props,
      function: {
        logicalId: 'HumanAgentApiFunction',
        handler: 'human-agent-api',
        description: 'Human agents: list waiting conversations, read, reply, hand back to the bot, close with CSAT',
        serviceName: 'human-agent-api',
      },
      scope: OPERATOR_SCOPES.agent,
      routes: Object.values(HUMAN_AGENT_ROUTES),
    });
  }
}
