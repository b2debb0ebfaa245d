import { describe, expect, it } from 'vitest';
import { JobQueue } from './queue';

type TestJob = { kind: 'load' | 'analyse'; requestId: number };

describe('JobQueue', () => {
	it('lets a newer job supersede a queued one of the same kind, keeping the others in order', () => {
		const queue = new JobQueue<TestJob>();
		expect(queue.push({ kind: 'load', requestId: 1 })).toEqual([]);
		expect(queue.push({ kind: 'analyse', requestId: 2 })).toEqual([]);
		expect(queue.push({ kind: 'analyse', requestId: 3 })).toEqual([{ kind: 'analyse', requestId: 2 }]);
		expect(queue.next()).toEqual({ kind: 'load', requestId: 1 });
		expect(queue.next()).toEqual({ kind: 'analyse', requestId: 3 });
		expect(queue.next()).toBeUndefined();
	});

	it('removes a waiting job by id and ignores ids that are not waiting', () => {
		const queue = new JobQueue<TestJob>();
		queue.push({ kind: 'load', requestId: 1 });
		expect(queue.remove(7)).toBeUndefined();
		expect(queue.remove(1)).toEqual({ kind: 'load', requestId: 1 });
		expect(queue.next()).toBeUndefined();
	});
});
