/** Serves the built app (build/) with `vite preview` on a free loopback port, as a user of `npm run serve` gets it. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fromRoot } from './paths';

export interface Preview {
	origin: string;
	stop(): void;
}

/** A port nobody listens on now; another bench or test run may hold the usual 4173. */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	await new Promise((done) => server.close(done));
	if (!address || typeof address === 'string') throw new Error('No free TCP port.');
	return address.port;
}

const STARTUP_TIMEOUT_MS = 60_000;

export async function startPreview(): Promise<Preview> {
	const port = await freePort();
	const child = spawn(process.execPath, [fromRoot('node_modules', 'vite', 'bin', 'vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
		cwd: fromRoot(),
		// Its request log (404s for favicon.ico and the like) would drown the bench's progress lines.
		stdio: 'ignore'
	});
	const origin = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + STARTUP_TIMEOUT_MS;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`vite preview exited with code ${child.exitCode}`);
		const up = await fetch(`${origin}/`).then(
			(response) => response.ok,
			() => false
		);
		if (up) break;
		if (Date.now() > deadline) {
			child.kill();
			throw new Error(`vite preview did not answer on ${origin} within ${STARTUP_TIMEOUT_MS / 1000} s`);
		}
		await new Promise((done) => setTimeout(done, 250));
	}
	return { origin, stop: () => child.kill() };
}
