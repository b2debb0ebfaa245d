import { POOLINGS, type HeadChoice, type Pooling } from '$lib/analysis/aggregate';
import type { BackendPreference } from '$lib/engine/protocol';
import { BUNDLED_MODEL, SAMPLE_TEXT } from '$lib/models';

export const VIEWS = ['head', 'model', 'heatmap', 'rollout'] as const;
export type ViewName = (typeof VIEWS)[number];

/** The heatmap's head: one head by index, or the mean or max over all heads of the layer. */
export type HeatmapHead = HeadChoice;

/** How a model-view thumbnail shrinks many tokens into few pixels. */
export type ThumbnailPooling = Pooling;
export { POOLINGS };

/** Which column of the head view a selected token is pinned in: its outgoing (query) or incoming (key) lines. */
export const TOKEN_SIDES = ['query', 'key'] as const;
export type TokenSide = (typeof TOKEN_SIDES)[number];

export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'wasm'] as const satisfies readonly BackendPreference[];

/** Everything a permalink restores. Indices are checked against the model only once it is loaded. */
export interface UrlState {
	text: string;
	/** Hub id (`owner/name[@revision]`), absolute URL, or a path on this site. */
	model: string;
	backend: BackendPreference;
	view: ViewName;
	layer: number;
	/** Heads drawn in the head view. */
	heads: number[] | 'all';
	heatmapHead: HeatmapHead;
	/** Selected token (query row); null lets each view pick its natural default. */
	token: number | null;
	/** The head view's side for the selected token; the other views use the token alone. */
	tokenSide: TokenSide;
	/** First layer multiplied into the rollout. */
	rolloutStart: number;
	pooling: ThumbnailPooling;
}

export const DEFAULT_STATE: Readonly<UrlState> = Object.freeze({
	text: SAMPLE_TEXT,
	model: BUNDLED_MODEL,
	backend: 'auto',
	view: 'head',
	layer: 0,
	heads: 'all',
	heatmapHead: 'mean',
	token: null,
	tokenSide: 'query',
	rolloutStart: 0,
	pooling: 'max'
});

export function defaultState(): UrlState {
	return { ...DEFAULT_STATE };
}

/** A plain, independent copy (also of a Svelte $state proxy), e.g. to encode a state as it was at one moment. */
export function copyState(state: UrlState): UrlState {
	return { ...state, heads: state.heads === 'all' ? 'all' : [...state.heads] };
}
