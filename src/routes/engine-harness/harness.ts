/** Test-only: puts the engine client on window so Playwright can drive the real worker (e2e/engine.spec.ts). */
import { EngineClient, EngineError } from '$lib/engine/client';

export interface EngineHarness {
	EngineClient: typeof EngineClient;
	EngineError: typeof EngineError;
}

declare global {
	interface Window {
		engineHarness?: EngineHarness;
	}
}

export function exposeEngineHarness(): void {
	window.engineHarness = { EngineClient, EngineError };
}
