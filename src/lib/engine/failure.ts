/** Failures that know their ErrorCode; thrown by the worker's modules and sent to the page as typed errors. */
import type { ErrorCode } from './protocol';

export class EngineFailure extends Error {
	override name = 'EngineFailure';
	readonly code: ErrorCode;

	constructor(code: ErrorCode, message: string) {
		super(message);
		this.code = code;
	}
}

/** An HTTP response that was not 2xx. */
export class HttpStatusError extends Error {
	override name = 'HttpStatusError';
	readonly status: number;
	readonly url: string;

	constructor(status: number, url: string) {
		super(`${url} answered HTTP ${status}`);
		this.status = status;
		this.url = url;
	}
}
