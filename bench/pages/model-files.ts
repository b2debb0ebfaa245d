/** What both bench workers need from a model folder: the ONNX bytes and how to build its input feeds. */
import { buildFeeds, type Feed, type GraphInput, type KeyValueShape } from '$lib/engine/feeds';
import { normaliseConfig } from '$lib/engine/model-config';
import { readGraphInputs } from '$lib/onnx';

export interface ModelFiles {
	bytes: Uint8Array;
	graphInputs: GraphInput[];
	keyValueShape: KeyValueShape;
}

async function download(url: string): Promise<Response> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
	return response;
}

export async function fetchModelFiles(modelUrl: string): Promise<ModelFiles> {
	const [config, onnx] = await Promise.all([download(`${modelUrl}config.json`), download(`${modelUrl}onnx/model.onnx`)]);
	const { kvHeads, headDim } = normaliseConfig(await config.json());
	const bytes = new Uint8Array(await onnx.arrayBuffer());
	return { bytes, graphInputs: readGraphInputs(bytes), keyValueShape: { kvHeads, headDim } };
}

/** The engine's feeds for these token ids (no past, full attention mask). */
export function feedsFor(files: ModelFiles, ids: readonly number[]): Feed[] {
	return buildFeeds(files.graphInputs, ids, files.keyValueShape);
}
