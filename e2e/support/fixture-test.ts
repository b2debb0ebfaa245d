/** Playwright's `test` with the loopback fixture server (the Hub stand-in), one per worker process. */
import { test as base } from '@playwright/test';
import { startFixtureServer, type FixtureServer } from './fixture-server';

export const test = base.extend<object, { fixtures: FixtureServer }>({
	fixtures: [
		async ({}, use) => {
			const server = await startFixtureServer();
			await use(server);
			await server.close();
		},
		{ scope: 'worker' }
	]
});
