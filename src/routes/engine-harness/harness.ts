/** Test-only: puts the engine client on window so Playwright can drive the real worker (e2e/engine.spec.ts). */
import { createEngineWorker, EngineClient, EngineError } from '$lib/engine/client';

export interface EngineHarness {
	EngineClient: typeof EngineClient;
	EngineError: typeof EngineError;
	createEngineWorker: typeof createEngineWorker;
}

declare global {
	interface Window {
		engineHarness?: EngineHarness;
	}
}

export function exposeEngineHarness(): void {
	window.engineHarness = { EngineClient, EngineError, createEngineWorker };
}
