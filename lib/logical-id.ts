import { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Gives a construct's CloudFormation resource a fixed, readable logical id.
 * The local emulator and the operators' redrive commands find resources by these ids, so they
 * must not change when a construct moves in the tree.
 */
export function setLogicalId(construct: IConstruct, logicalId: string): void {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to name ${logicalId}`);
  }
  resource.overrideLogicalId(logicalId);
}
