/** Test-only: the error `fn` throws, so its fields can be checked (expect().toThrow only sees the message). */
export function thrownBy(fn: () => unknown): unknown {
	try {
		fn();
	} catch (error) {
		return error;
	}
	throw new Error('expected an error, none was thrown');
}
