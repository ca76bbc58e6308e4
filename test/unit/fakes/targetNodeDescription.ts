/** The description of a target node a spec defines around the shared pipeline: one input, one or two outputs. */
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

export function targetNodeDescription(displayName: string, description: string, outputs = 1): INodeTypeDescription {
	return {
		displayName,
		name: displayName.replace(/\s+(\w)/g, (_, letter: string) => letter.toUpperCase()).replace(/^\w/, (letter) => letter.toLowerCase()),
		group: ['output'],
		version: 1,
		description,
		defaults: { name: displayName },
		inputs: [NodeConnectionTypes.Main],
		outputs: Array.from({ length: outputs }, () => NodeConnectionTypes.Main),
		properties: [],
	};
}
