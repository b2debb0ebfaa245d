/**
 * The second validation step: indices that a link (or a model switch) carries are checked once the model's size, and
 * then the token count, are known. Out-of-range values fall back to defaults with a notice.
 */
import { DEFAULT_STATE, type UrlState } from './state';

export interface ModelShape {
	layers: number;
	heads: number;
}

export interface Validated {
	state: UrlState;
	notices: string[];
}

export function validateAgainstModel(state: UrlState, model: ModelShape): Validated {
	const next: UrlState = { ...state };
	const notices: string[] = [];
	const layerLimit = `the model has ${model.layers} ${model.layers === 1 ? 'layer' : 'layers'}`;
	const headLimit = `the model has ${model.heads} ${model.heads === 1 ? 'head' : 'heads'} per layer`;

	if (state.layer >= model.layers) {
		notices.push(`Layer ${state.layer} does not exist (${layerLimit}, numbered from 0); showing layer 0.`);
		next.layer = DEFAULT_STATE.layer;
	}
	if (state.rolloutStart >= model.layers) {
		notices.push(`Rollout start layer ${state.rolloutStart} does not exist (${layerLimit}); starting at layer 0.`);
		next.rolloutStart = DEFAULT_STATE.rolloutStart;
	}
	if (state.heads !== 'all') {
		const missing = state.heads.filter((head) => head >= model.heads);
		if (missing.length > 0) {
			notices.push(`Head ${missing.join(', ')} does not exist (${headLimit}); showing all heads.`);
			next.heads = 'all';
		} else if (state.heads.length === model.heads) {
			// Every head listed is the same selection as "all"; keep one spelling so links compare equal.
			next.heads = 'all';
		}
	}
	if (typeof state.heatmapHead === 'number' && state.heatmapHead >= model.heads) {
		notices.push(`Heatmap head ${state.heatmapHead} does not exist (${headLimit}); showing the mean of heads.`);
		next.heatmapHead = DEFAULT_STATE.heatmapHead;
	}
	return { state: next, notices };
}

export function validateAgainstTokens(state: UrlState, tokenCount: number): Validated {
	if (state.token === null || state.token < tokenCount) return { state, notices: [] };
	return {
		state: { ...state, token: null },
		notices: [`Token ${state.token} does not exist (the text has ${tokenCount} tokens); selected the default token.`]
	};
}
