/**
 * Which ONNX file(s) of a repo to download, with transformers.js v4's conventions: a dtype picks the file suffix,
 * optimum's merged decoder stands in when the repo has no plain model file, and use_external_data_format names the
 * weight files that go with it.
 *
 * Default dtype: unlike transformers.js (q8 on WASM, fp32 on WebGPU), fp32 comes first. Quantised files change the
 * attention itself (tiny-gpt2's q8 file differs from its fp32 one by up to 6e-2), and a default that depends on the
 * backend would show different attention for the same model and link on WebGPU and WASM. The repo's own
 * transformers.js_config dtype still comes first, and transformers.js's backend default follows fp32 for repos
 * without an fp32 file (or whose fp32 file is too large).
 */
import { EngineFailure } from './failure';
import type { Backend } from './protocol';

/** transformers.js's file-name suffix per dtype (DEFAULT_DTYPE_SUFFIX_MAPPING). */
const DTYPE_SUFFIX: Readonly<Record<string, string>> = {
	fp32: '',
	fp16: '_fp16',
	int8: '_int8',
	uint8: '_uint8',
	q8: '_quantized',
	q4: '_q4',
	q4f16: '_q4f16',
	bnb4: '_bnb4'
};

/** The dtypes a user can pick, in the order the UI offers them. */
export const USER_DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;

/** transformers.js's DEFAULT_DEVICE_DTYPE_MAPPING: q8 on WASM, fp32 elsewhere. */
const BACKEND_DEFAULT_DTYPE: Readonly<Record<Backend, string>> = { wasm: 'q8', webgpu: 'fp32' };

/** Base names a repo's decoder may use: the plain export first, then optimum's merged one (If on use_cache_branch). */
const MODEL_BASE_NAMES = ['model', 'decoder_model_merged'];

/** The repo's config.json section that transformers.js reads (dtype, use_external_data_format, device_config). */
export interface TransformersJsConfig {
	dtype?: unknown;
	use_external_data_format?: unknown;
}

export interface OnnxCandidate {
	/** Path inside the repo, e.g. onnx/model_q4.onnx. */
	file: string;
	dtype: string;
}

function suffixOf(dtype: string): string {
	const suffix = DTYPE_SUFFIX[dtype];
	if (suffix === undefined) {
		throw new EngineFailure('bad-file', `Unknown dtype "${dtype}" (known: ${Object.keys(DTYPE_SUFFIX).join(', ')}).`);
	}
	return suffix;
}

function configDtype(config: TransformersJsConfig | undefined): string | undefined {
	const dtype = config?.dtype;
	return typeof dtype === 'string' && dtype in DTYPE_SUFFIX ? dtype : undefined;
}

/** The files to try, best first. An explicit dtype is honoured or fails; without one, see the module comment. */
export function onnxCandidates(dtype: string | undefined, backend: Backend, config?: TransformersJsConfig): OnnxCandidate[] {
	const defaults = [configDtype(config), 'fp32', BACKEND_DEFAULT_DTYPE[backend]].filter((d): d is string => d !== undefined);
	const dtypes = dtype ? [dtype] : [...new Set(defaults)];
	return dtypes.flatMap((candidate) => {
		const suffix = suffixOf(candidate);
		return MODEL_BASE_NAMES.map((base) => ({ file: `onnx/${base}${suffix}.onnx`, dtype: candidate }));
	});
}

/** Float16 files need shader-f16 on WebGPU. */
export function isFloat16Dtype(dtype: string): boolean {
	return dtype === 'fp16' || dtype === 'q4f16';
}

/** The external weight files of `file` (model.onnx_data, model.onnx_data_1, …), as transformers.js names them. */
export function externalDataFiles(file: string, config: TransformersJsConfig | undefined): string[] {
	const setting = config?.use_external_data_format;
	const baseName = file.slice(file.lastIndexOf('/') + 1);
	const chunks = chunkCount(setting, baseName, baseName.replace(/\.onnx$/, ''));
	return Array.from({ length: chunks }, (_, i) => `${file}_data${i === 0 ? '' : `_${i}`}`);
}

/** resolveExternalDataFormat: true/false, a chunk count, or either per file name. */
function chunkCount(setting: unknown, fullName: string, stem: string): number {
	if (typeof setting === 'boolean') return setting ? 1 : 0;
	if (typeof setting === 'number' && Number.isInteger(setting) && setting >= 0) return setting;
	if (typeof setting === 'object' && setting !== null) {
		const perFile = new Map<string, unknown>(Object.entries(setting));
		return chunkCount(perFile.get(fullName) ?? perFile.get(stem), fullName, stem);
	}
	return 0;
}
