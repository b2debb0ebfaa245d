import type { PooledHeads } from '$lib/analysis/aggregate';
import type { AttentionShape, AttentionTensor } from '$lib/attention';

/** Which onnxruntime-web execution provider ran the model. */
export type Backend = 'webgpu' | 'wasm';
/** What the user asked for: `auto` tries WebGPU and falls back to WASM. */
export type BackendPreference = 'auto' | Backend;

/** Where a model comes from. Every kind ends up in transformers.js's hub loading code. */
export type ModelSource =
	| { kind: 'url'; url: string }
	| { kind: 'hub'; id: string; revision?: string }
	| { kind: 'files'; files: LocalFile[] };

/** A file of a model folder on the user's disk; `path` is relative to the folder (config.json, onnx/model.onnx). */
export interface LocalFile {
	path: string;
	file: Blob;
}

export interface LoadOptions {
	backend: BackendPreference;
	/** Weight flavour (fp32, fp16, q8, q4, q4f16); undefined lets the engine choose per backend. */
	dtype?: string;
}

export interface ModelInfo {
	/** The id or URL the user gave; shown in the UI and written into exports and permalinks. */
	name: string;
	modelType: string;
	isDecoder: boolean;
	layers: number;
	heads: number;
	/** Largest number of tokens one forward accepts (special tokens included). */
	maxTokens: number;
	backend: Backend;
	/** Things the user should know (fell back to WASM, fp16 unsupported, …). */
	notices: string[];
}

export interface Token {
	/** Readable form: byte-level/sentencepiece/wordpiece markers rendered as spaces or joined. */
	text: string;
	id: number;
	special: boolean;
}

/**
 * What an analysis answers. The attention itself stays in the worker until the next result replaces it: the page
 * reads the layer it shows and the analyses that need every layer ('read'), so it never holds the whole tensor.
 */
export interface AnalysisResult {
	tokens: Token[];
	shape: AttentionShape;
	backend: Backend;
	/** Token count before truncation to the model's context, when the text was truncated. */
	truncatedFrom?: number;
	timings: { tokenizeMs: number; forwardMs: number };
	/** Things that changed since the model was loaded (e.g. the WebGPU device was lost and WASM took over). */
	notices: string[];
}

export type ErrorCode =
	| 'not-found'
	| 'network'
	| 'no-onnx'
	| 'not-text-model'
	| 'no-attention'
	| 'too-large'
	| 'bad-file'
	| 'empty-text'
	| 'cancelled'
	| 'backend'
	/** The worker died; it was restarted and the last model reloaded, but this request was lost. */
	| 'crashed'
	| 'internal';

/** Where the worker finds what it needs; sent once, before any other request. */
export interface EngineSettings {
	/** Absolute URL of the folder serving onnxruntime-web's .wasm files (the app's own /ort/, never a CDN). */
	ortWasmUrl: string;
	/** Host that Hub ids resolve against, e.g. https://huggingface.co/ (tests point it at a loopback server). */
	hubHost: string;
}

/** What the page reads of the attention the worker keeps. */
export type AttentionRead =
	/** One layer, exact: a one-layer tensor. */
	| { kind: 'layer'; layer: number }
	/** Every head pooled to at most size × size (the model view's thumbnails). */
	| { kind: 'pooled'; size: number }
	/** Attention rollout from startLayer to the last layer: queries × queries. */
	| { kind: 'rollout'; startLayer: number };

export type ReadAnswer =
	| { kind: 'layer'; attention: AttentionTensor }
	| { kind: 'pooled'; pooled: PooledHeads }
	| { kind: 'rollout'; matrix: Float32Array };

/** Page → worker. */
export type EngineRequest =
	| { type: 'configure'; settings: EngineSettings }
	| { type: 'load'; requestId: number; source: ModelSource; options: LoadOptions }
	| { type: 'analyse'; requestId: number; text: string }
	/** Answered at once (not queued behind loads and analyses); 'cancelled' once a newer result replaced `resultId`'s. */
	| { type: 'read'; requestId: number; resultId: number; read: AttentionRead }
	| { type: 'cancel'; requestId: number };

export interface FileProgress {
	file: string;
	loaded: number;
	/** 0 when the server did not say. */
	total: number;
	done: boolean;
}

/** All files of one load together. */
export interface OverallProgress {
	loaded: number;
	/** 0 while any file's size is unknown. */
	total: number;
	files: number;
}

/** Worker → page. */
export type EngineResponse =
	| { type: 'progress'; requestId: number; progress: FileProgress; overall: OverallProgress }
	| { type: 'ready'; requestId: number; model: ModelInfo }
	| { type: 'result'; requestId: number; result: AnalysisResult }
	| { type: 'read'; requestId: number; answer: ReadAnswer }
	| { type: 'error'; requestId: number; code: ErrorCode; message: string };
