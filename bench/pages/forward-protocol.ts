/** Messages between the forward bench page (forward.ts) and its worker (forward-worker.ts). */
import type { Backend } from '$lib/engine/protocol';

export interface LengthInput {
	tokens: number;
	ids: number[];
	/** Timed runs of each session at this length. */
	runs: number;
	/** One untimed run of each session first (shader compilation, memory arena growth). */
	warmUp: boolean;
}

export interface CompareRequest {
	kind: 'compare';
	/** Folder in Hub layout (config.json, onnx/model.onnx), ending in '/'. */
	modelUrl: string;
	backend: Backend;
	/** Also run the unpatched model (false: only the engine's forward, to save time where a forward is slow). */
	withPlain: boolean;
	inputs: LengthInput[];
	/** Where onnxruntime-web's .wasm files are served. */
	ortWasmUrl: string;
}

/** A bare onnxruntime-web session on the unpatched file: create it and run it once. */
export interface BareRequest {
	kind: 'bare';
	modelUrl: string;
	backend: Backend;
	ids: number[];
	ortWasmUrl: string;
	/** The page's performance.timeOrigin, so the worker reports times on the page's clock. */
	pageTimeOrigin: number;
}

export interface LengthTimings {
	tokens: number;
	/** session.run on the unpatched model. */
	plainMs: number[];
	/** session.run on the patched model plus packing its outputs into one tensor, as the engine does. */
	attentionMs: number[];
	/** Size of the packed float32 attention tensor. */
	attentionBytes: number;
	/** Why this length could not run (the lengths after it are skipped). */
	failed?: string;
}

export interface CompareResult {
	kind: 'compare';
	timings: LengthTimings[];
}

/** Milliseconds since the page's navigation start (its performance.now()). */
export interface BareResult {
	kind: 'bare';
	workerStarted: number;
	downloaded: number;
	sessionCreated: number;
	ran: number;
}

export type WorkerResponse<Result> = Result | { kind: 'progress'; message: string } | { kind: 'error'; message: string };
