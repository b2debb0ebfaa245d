/**
 * Attention rollout (rollout.ts's definition) in WebGPU compute shaders: per layer one kernel takes the head mean,
 * adds the identity and renormalises the rows (Â), and a tiled matmul multiplies Â onto the running product.
 * Where WebGPU has no adapter, or the device is lost, rollout.ts computes it on the CPU instead.
 */
import type { AttentionTensor } from '$lib/attention';
import { attentionRollout } from './rollout';

export type RolloutBackend = 'webgpu' | 'cpu';

/** Threads per workgroup of the residual kernel; it reduces one row's sum across them. */
const ROW_THREADS = 256;
/** The matmul computes BLOCK × BLOCK outputs per workgroup, 4 × 4 per thread, stepping STEP keys at a time. */
const THREADS_PER_SIDE = 16;
const BLOCK = 4 * THREADS_PER_SIDE;
/** Keys per tile: one row of the right tile per row of threads, so each thread loads one vec4 of it. */
const STEP = THREADS_PER_SIDE;

/** Â = 0.5·mean_heads(A) + 0.5·I, rows renormalised: one workgroup per query row. */
const RESIDUAL_SHADER = /* wgsl */ `
struct Dims { size: u32, heads: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> attention: array<f32>;
@group(0) @binding(2) var<storage, read_write> residual: array<f32>;

const THREADS = ${ROW_THREADS}u;
var<workgroup> partial: array<f32, THREADS>;

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) lane: u32) {
	let size = dims.size;
	let plane = size * size;
	let row = group.x * size;
	var sum = 0.0;
	for (var k = lane; k < size; k += THREADS) {
		var total = 0.0;
		for (var head = 0u; head < dims.heads; head++) {
			total += attention[head * plane + row + k];
		}
		var value = 0.5 * total / f32(dims.heads);
		if (k == group.x) {
			value += 0.5;
		}
		residual[row + k] = value;
		sum += value;
	}
	partial[lane] = sum;
	workgroupBarrier();
	for (var stride = THREADS / 2u; stride > 0u; stride /= 2u) {
		if (lane < stride) {
			partial[lane] += partial[lane + stride];
		}
		workgroupBarrier();
	}
	let rowSum = partial[0];
	for (var k = lane; k < size; k += THREADS) {
		residual[row + k] /= rowSum;
	}
}`;

/**
 * product = left × right for size × size matrices, through workgroup tiles of both. Each thread keeps a 4 × 4 block
 * of the product in four vec4 registers (named, not an array, so software rasterisers such as SwiftShader keep them
 * in registers too).
 */
const MATMUL_SHADER = /* wgsl */ `
struct Dims { size: u32, heads: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> left: array<f32>;
@group(0) @binding(2) var<storage, read> right: array<f32>;
@group(0) @binding(3) var<storage, read_write> product: array<f32>;

const BLOCK = ${BLOCK}u;
const STEP = ${STEP}u;
const SIDE = ${THREADS_PER_SIDE}u;
const THREADS = SIDE * SIDE;
// BLOCK rows × STEP keys of left; STEP keys × BLOCK columns of right, four columns per vec4.
var<workgroup> leftTile: array<f32, BLOCK * STEP>;
var<workgroup> rightTile: array<vec4<f32>, STEP * SIDE>;

// Outside the matrix reads as 0, so sizes need not be multiples of the block.
fn leftAt(row: u32, col: u32) -> f32 {
	if (row < dims.size && col < dims.size) {
		return left[row * dims.size + col];
	}
	return 0.0;
}

fn rightAt(row: u32, col: u32) -> f32 {
	if (row < dims.size && col < dims.size) {
		return right[row * dims.size + col];
	}
	return 0.0;
}

@compute @workgroup_size(SIDE, SIDE)
fn main(
	@builtin(workgroup_id) group: vec3u,
	@builtin(local_invocation_id) local: vec3u,
	@builtin(local_invocation_index) lane: u32
) {
	let size = dims.size;
	let row = group.y * BLOCK + local.y * 4u;
	let col = group.x * BLOCK + local.x * 4u;
	var acc0 = vec4<f32>();
	var acc1 = vec4<f32>();
	var acc2 = vec4<f32>();
	var acc3 = vec4<f32>();
	for (var k0 = 0u; k0 < size; k0 += STEP) {
		for (var i = lane; i < BLOCK * STEP; i += THREADS) {
			leftTile[i] = leftAt(group.y * BLOCK + i / STEP, k0 + i % STEP);
		}
		// One vec4 per thread: key k0 + lane / SIDE, columns col' … col' + 3 of the block.
		let key = k0 + lane / SIDE;
		let first = group.x * BLOCK + (lane % SIDE) * 4u;
		rightTile[lane] = vec4<f32>(rightAt(key, first), rightAt(key, first + 1u), rightAt(key, first + 2u), rightAt(key, first + 3u));
		workgroupBarrier();
		for (var k = 0u; k < STEP; k++) {
			let b = rightTile[k * SIDE + local.x];
			let base = local.y * 4u * STEP + k;
			acc0 += leftTile[base] * b;
			acc1 += leftTile[base + STEP] * b;
			acc2 += leftTile[base + 2u * STEP] * b;
			acc3 += leftTile[base + 3u * STEP] * b;
		}
		workgroupBarrier();
	}
	let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
	for (var i = 0u; i < 4u; i++) {
		for (var j = 0u; j < 4u; j++) {
			if (row + i < size && col + j < size) {
				product[(row + i) * size + col + j] = rows[i][j];
			}
		}
	}
}`;

/** The GPU could not finish (out of memory, device lost): not a fault of the input or the shaders. */
class GpuUnavailableError extends Error {
	override name = 'GpuUnavailableError';
}

/** How long a failed readback waits for the device-lost signal, which may settle just after the rejection. */
const DEVICE_LOST_GRACE_MS = 200;

function lostWithin(device: GPUDevice, ms: number): Promise<boolean> {
	return Promise.race([device.lost.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

/** A device with both pipelines compiled; made once per page and reused. */
interface RolloutKernels {
	device: GPUDevice;
	residual: GPUComputePipeline;
	matmul: GPUComputePipeline;
}

let kernels: Promise<RolloutKernels | undefined> | undefined;
let adapterRequest: Promise<GPUAdapter | null> | undefined;

/** The page's WebGPU adapter, asked for once (null without WebGPU). */
function gpuAdapter(): Promise<GPUAdapter | null> {
	adapterRequest ??= (typeof navigator === 'undefined' || !navigator.gpu ? Promise.resolve(null) : navigator.gpu.requestAdapter()).catch(
		() => null
	);
	return adapterRequest;
}

async function createKernels(): Promise<RolloutKernels | undefined> {
	const adapter = await gpuAdapter();
	if (!adapter) return undefined;
	// A whole layer ([heads, S, S] float32) is one storage binding: ask for as much as the adapter allows.
	const device = await adapter.requestDevice({
		requiredLimits: {
			maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
			maxBufferSize: adapter.limits.maxBufferSize
		}
	});
	void device.lost.then(() => {
		// An adapter gives out one device: ask for a new one next time.
		kernels = undefined;
		adapterRequest = undefined;
	});
	const pipeline = (code: string) =>
		device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
	const [residual, matmul] = await Promise.all([pipeline(RESIDUAL_SHADER), pipeline(MATMUL_SHADER)]);
	return { device, residual, matmul };
}

function gpuKernels(): Promise<RolloutKernels | undefined> {
	kernels ??= createKernels().catch(() => undefined);
	return kernels;
}

/** Which implementation computeRollout uses on this page. */
export async function rolloutBackend(): Promise<RolloutBackend> {
	return (await gpuKernels()) ? 'webgpu' : 'cpu';
}

/**
 * The rollout for the page: on the GPU when the adapter is real hardware, else (no WebGPU, or a software adapter
 * that emulates the GPU on the CPU, where the shaders are many times slower) rollout.ts on the CPU.
 */
export async function preferredRollout(t: AttentionTensor, startLayer = 0): Promise<Float32Array> {
	const adapter = await gpuAdapter();
	return adapter && !adapter.info?.isFallbackAdapter ? computeRollout(t, startLayer) : attentionRollout(t, startLayer);
}

/**
 * Attention rollout R = Â_last ⋯ Â_startLayer as a queries × queries Float32Array, equal to attentionRollout's
 * within float32 rounding. Computed on the GPU when WebGPU is available and a layer fits one storage binding;
 * when the GPU runs out of memory or loses its device, rollout.ts gives the same answer on the CPU.
 */
export async function computeRollout(t: AttentionTensor, startLayer = 0): Promise<Float32Array> {
	const gpu = await gpuKernels();
	const layerBytes = t.heads * t.queries * t.keys * Float32Array.BYTES_PER_ELEMENT;
	const usable = gpu && layerBytes <= Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
	// attentionRollout checks the arguments, so invalid ones throw its RangeError whatever the backend.
	if (!usable || t.queries !== t.keys || !Number.isInteger(startLayer) || startLayer < 0 || startLayer >= t.layers) {
		return attentionRollout(t, startLayer);
	}
	try {
		return await rolloutOnGpu(gpu, t, startLayer);
	} catch (error) {
		if (error instanceof GpuUnavailableError) return attentionRollout(t, startLayer);
		throw error;
	}
}

async function rolloutOnGpu(gpu: RolloutKernels, t: AttentionTensor, startLayer: number): Promise<Float32Array> {
	const { device } = gpu;
	const buffers: GPUBuffer[] = [];
	const buffer = (bytes: number, usage: GPUBufferUsageFlags) => {
		const created = device.createBuffer({ size: bytes, usage });
		buffers.push(created);
		return created;
	};
	try {
		device.pushErrorScope('validation');
		device.pushErrorScope('out-of-memory');
		let readback: GPUBuffer;
		let scopeErrors: Promise<[GPUError | null, GPUError | null]>;
		try {
			readback = submitRollout(gpu, t, startLayer, buffer);
		} finally {
			// Popped before any await, so no other call's commands can land in these scopes.
			scopeErrors = Promise.all([device.popErrorScope(), device.popErrorScope()]);
		}
		const [memoryError, validationError] = await scopeErrors;
		// Running out of memory also invalidates what follows, so it is checked first.
		if (memoryError) throw new GpuUnavailableError(`WebGPU rollout: ${memoryError.message}`);
		if (validationError) throw new Error(`WebGPU rollout: ${validationError.message}`);
		try {
			await readback.mapAsync(GPUMapMode.READ);
		} catch (error) {
			if (await lostWithin(device, DEVICE_LOST_GRACE_MS)) throw new GpuUnavailableError('the WebGPU device was lost');
			throw error;
		}
		return new Float32Array(readback.getMappedRange().slice(0));
	} finally {
		for (const created of buffers) created.destroy();
	}
}

/** Queues every layer's kernels and the copy of R into a mappable buffer, which it returns. */
function submitRollout(
	{ device, residual, matmul }: RolloutKernels,
	t: AttentionTensor,
	startLayer: number,
	buffer: (bytes: number, usage: GPUBufferUsageFlags) => GPUBuffer
): GPUBuffer {
	const size = t.queries;
	const planeBytes = size * size * Float32Array.BYTES_PER_ELEMENT;
	const layerBytes = t.heads * planeBytes;
	const dims = buffer(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
	device.queue.writeBuffer(dims, 0, Uint32Array.of(size, t.heads, 0, 0));
	const layer = buffer(layerBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
	const augmented = buffer(planeBytes, GPUBufferUsage.STORAGE);
	let current = buffer(planeBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
	let next = buffer(planeBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
	const bind = (pipeline: GPUComputePipeline, ...storage: GPUBuffer[]) =>
		device.createBindGroup({
			layout: pipeline.getBindGroupLayout(0),
			entries: [dims, ...storage].map((resource, binding) => ({ binding, resource: { buffer: resource } }))
		});
	const tiles = Math.ceil(size / BLOCK);

	for (let l = startLayer; l < t.layers; l++) {
		// One layer at a time through one upload buffer: queue order puts each write after the previous layer's work.
		device.queue.writeBuffer(layer, 0, t.data.buffer, t.data.byteOffset + l * layerBytes, layerBytes);
		const encoder = device.createCommandEncoder();
		const pass = encoder.beginComputePass();
		pass.setPipeline(residual);
		// The first layer's Â is the product so far.
		pass.setBindGroup(0, bind(residual, layer, l === startLayer ? current : augmented));
		pass.dispatchWorkgroups(size);
		if (l > startLayer) {
			pass.setPipeline(matmul);
			pass.setBindGroup(0, bind(matmul, augmented, current, next));
			pass.dispatchWorkgroups(tiles, tiles);
			[current, next] = [next, current];
		}
		pass.end();
		device.queue.submit([encoder.finish()]);
	}

	const readback = buffer(planeBytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
	const encoder = device.createCommandEncoder();
	encoder.copyBufferToBuffer(current, 0, readback, 0, planeBytes);
	device.queue.submit([encoder.finish()]);
	return readback;
}
