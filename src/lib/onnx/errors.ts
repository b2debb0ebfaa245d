/** The bytes are not an ONNX model (or are damaged). The message says what they look like instead. */
export class OnnxFormatError extends Error {
	override name = 'OnnxFormatError';
}

/** A valid ONNX model in which no attention probabilities can be fetched. */
export class NoAttentionError extends Error {
	override name = 'NoAttentionError';
	/** The attention-like ops that were seen, each with why it could not be used. */
	readonly foundOps: string[];

	constructor(message: string, foundOps: string[]) {
		super(message);
		this.foundOps = foundOps;
	}
}
