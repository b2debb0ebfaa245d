/**
 * Every failure inside the worker ends up as one ErrorCode plus a message a user can act on.
 * Modules that know what went wrong throw EngineFailure; classifyError sorts out everything else.
 */
import { ModelFileNotFoundError } from '@huggingface/transformers';
import { NoAttentionError, OnnxFormatError } from '$lib/onnx';
import type { ErrorCode } from './protocol';
import { EngineFailure, HttpStatusError } from './failure';
import { ConfigError } from './model-config';
import { FeedError } from './feeds';

export interface ClassifiedError {
	code: ErrorCode;
	message: string;
}

function isAbort(error: unknown): boolean {
	return error instanceof DOMException && error.name === 'AbortError';
}

export function classifyError(error: unknown): ClassifiedError {
	if (error instanceof EngineFailure) return { code: error.code, message: error.message };
	if (isAbort(error)) return { code: 'cancelled', message: 'Cancelled.' };
	if (error instanceof NoAttentionError) return { code: 'no-attention', message: error.message };
	if (error instanceof OnnxFormatError || error instanceof ConfigError || error instanceof FeedError) {
		return { code: 'bad-file', message: error.message };
	}
	if (error instanceof ModelFileNotFoundError || (error instanceof HttpStatusError && error.status === 404)) {
		return { code: 'not-found', message: error.message };
	}
	if (error instanceof HttpStatusError) return { code: 'network', message: error.message };
	if (error instanceof SyntaxError) {
		return { code: 'bad-file', message: `A model file is not valid JSON (did the server send a web page?): ${error.message}` };
	}
	// fetch rejects with a bare TypeError when the connection fails or CORS forbids the response.
	if (error instanceof TypeError && /fetch|network/i.test(error.message)) {
		return { code: 'network', message: `Download failed: ${error.message}` };
	}
	return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
