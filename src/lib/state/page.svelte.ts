/**
 * The page's state: what the URL carries (text, model, view, selection), the loaded model, load progress, the latest
 * analysis, errors and notices. The page component only binds controls to it and feeds the views from it.
 */
import type {
	BackendPreference,
	FileProgress,
	LoadOptions,
	LocalFile,
	ModelInfo,
	ModelSource
} from '$lib/engine/protocol';
import { modelFolderName } from '$lib/engine/model-source';
import type { Analysis } from '$lib/engine/reads';
import { isForeignSource, localFolderName, localModelRef, parseModelRef } from '$lib/models';
import { decodePermalink, encodePermalink } from '$lib/permalink/codec';
import { copyState, defaultState, type UrlState } from '$lib/permalink/state';
import { validateAgainstModel, validateAgainstTokens } from '$lib/permalink/validate';

/** Wait after the last keystroke before re-analysing: typing stays fluid, results follow within a blink. */
export const TYPING_DEBOUNCE_MS = 250;

/** The engine as the page uses it (EngineClient satisfies it; tests pass a fake). */
export interface AttentionEngine {
	load(source: ModelSource, options: LoadOptions, onProgress?: (progress: FileProgress) => void): Promise<ModelInfo>;
	analyse(text: string): Promise<Analysis>;
	/** Stops the load in flight; the engine keeps the model it had. */
	cancelLoad(): void;
}

/** The browser's address bar as the page uses it (SvelteKit's shallow routing in the app; a fake in tests). */
export interface AddressBar {
	/** The current fragment, '#…' or ''. */
	readonly fragment: string;
	readonly origin: string;
	push(fragment: string): void;
	replace(fragment: string): void;
	/**
	 * Resolves once writing the address no longer delays what the user is waiting to see: after the next frame in the
	 * browser, where a history write costs milliseconds of the main thread.
	 */
	afterNextFrame(): Promise<void>;
}

/** The selection a user changes with the view controls; everything in UrlState except what loads or analyses. */
export type Selection = Omit<UrlState, 'text' | 'model' | 'backend'>;

/** Changes worth a Back step get a history entry; finer ones (token, options) only update the current entry. */
const PUSHED_FIELDS: ReadonlySet<keyof Selection> = new Set(['view', 'layer', 'heads', 'heatmapHead']);

export type LoadPhase = 'idle' | 'loading' | 'ready' | 'failed';

export interface ForeignModelQuestion {
	model: string;
	host: string;
}

export class PageState {
	/** The state a permalink holds. */
	linked = $state<UrlState>(defaultState());
	phase = $state<LoadPhase>('idle');
	/** The model whose attention is on screen (or about to be). */
	model = $state.raw<ModelInfo | null>(null);
	/** One entry per file of the model being downloaded, in the order they started. */
	files = $state<FileProgress[]>([]);
	result = $state.raw<Analysis | null>(null);
	analysing = $state(false);
	/** The last failure, shown until something succeeds; the previous result stays visible meanwhile. */
	error = $state<string | null>(null);
	/** A link asks for a model from another host: the user confirms before anything downloads. */
	question = $state<ForeignModelQuestion | null>(null);

	/** What a link got wrong, and what the model showed to be out of range: stale once the user changes something. */
	#linkNotices = $state<string[]>([]);
	#rangeNotices = $state<string[]>([]);
	#modelNotices = $state<string[]>([]);
	#resultNotices = $state<string[]>([]);
	#shareNotices = $state<string[]>([]);
	/** What became of the last load when it did not simply succeed or fail (cancelled). */
	#loadNotices = $state<string[]>([]);
	notices = $derived([
		...this.#loadNotices,
		...this.#linkNotices,
		...this.#rangeNotices,
		...this.#modelNotices,
		...this.#resultNotices,
		...this.#shareNotices
	]);

	readonly #engine: AttentionEngine;
	readonly #address: AddressBar;
	#typingTimer: ReturnType<typeof setTimeout> | undefined;
	/** Model and backend of the latest load request, to tell whether a restored state needs a new load. */
	#requested: { model: string; backend: BackendPreference } | null = null;
	/** Model and backend of the latest load that succeeded: what the engine still holds after a cancel. */
	#active: { model: string; backend: BackendPreference } | null = null;
	/** The text of the latest analysis request, to tell whether typing during a load left the result stale. */
	#analysedText: string | null = null;
	/** The last model folder the user chose from disk: its files stay in memory so a backend switch or Back reloads it. */
	#localFolder: { ref: string; files: LocalFile[] } | null = null;
	#loadRequest = 0;
	#analysisRequest = 0;
	#urlWrites: Promise<void> = Promise.resolve();
	/** Counts restores from the address (opening, Back/Forward): a write queued before one must not undo it. */
	#restores = 0;

	constructor(engine: AttentionEngine, address: AddressBar) {
		this.#engine = engine;
		this.#address = address;
	}

	/** Opens the page from the current URL (a permalink, or nothing: the sample text with the bundled model). */
	async open(): Promise<void> {
		await this.#restore({ fromLink: this.#address.fragment.length > 1 });
	}

	/** Back/Forward: show the state the URL now holds. */
	async restoreFromAddress(): Promise<void> {
		await this.#restore({ fromLink: true });
	}

	setText(text: string): void {
		this.#forgetLinkNotices();
		this.linked.text = text;
		clearTimeout(this.#typingTimer);
		this.#typingTimer = setTimeout(() => {
			this.#writeAddress('replace');
			void this.#analyse();
		}, TYPING_DEBOUNCE_MS);
	}

	select(change: Partial<Selection>): void {
		const fields = Object.keys(change) as (keyof Selection)[];
		this.#forgetLinkNotices();
		Object.assign(this.linked, change);
		// One spelling for "every head", so links and Back steps compare equal.
		if (Array.isArray(change.heads) && change.heads.length === this.model?.heads) this.linked.heads = 'all';
		this.#writeAddress(fields.some((field) => PUSHED_FIELDS.has(field)) ? 'push' : 'replace');
	}

	/** The user typed a model reference and pressed "Load model": no question asked, they chose it. */
	async loadModel(model: string): Promise<void> {
		await this.#switchModel(model, this.linked.backend);
	}

	/** The user picked or dropped a model folder: load it from those files (nothing is uploaded). */
	async loadFolder(files: LocalFile[]): Promise<void> {
		const ref = localModelRef(modelFolderName(files) ?? 'model folder');
		this.#localFolder = { ref, files };
		await this.#switchModel(ref, this.linked.backend);
	}

	async setBackend(backend: BackendPreference): Promise<void> {
		if (this.question) {
			// The link's model is still unconfirmed: remember the choice, download nothing.
			this.linked.backend = backend;
			this.#writeAddress('replace');
			return;
		}
		await this.#switchModel(this.linked.model, backend);
	}

	async confirmForeignModel(): Promise<void> {
		const question = this.question;
		if (!question) return;
		this.question = null;
		await this.#load(question.model, this.linked.backend);
	}

	/** The user declined a link's foreign model: show the link's text with the bundled model instead. */
	async declineForeignModel(): Promise<void> {
		if (!this.question) return;
		this.question = null;
		this.linked.model = defaultState().model;
		this.#writeAddress('replace');
		await this.#load(this.linked.model, this.linked.backend);
	}

	/** Stops the load in flight and goes back to the model loaded before it (the engine kept it), if any. */
	cancelLoad(): void {
		if (this.phase !== 'loading') return;
		// Its cancellation error, or a result that raced the cancel, belongs to a request no longer wanted.
		this.#loadRequest++;
		this.#engine.cancelLoad();
		this.files = [];
		this.#requested = this.#active;
		if (!this.#active || !this.model) {
			this.phase = 'idle';
			this.#loadNotices = ['Loading cancelled.'];
			return;
		}
		this.phase = 'ready';
		this.#loadNotices = [`Loading cancelled: ${this.model.name} stays loaded.`];
		this.linked.model = this.#active.model;
		this.linked.backend = this.#active.backend;
		this.#writeAddress('replace');
		// Text typed during the load was not analysed: the load would have done it.
		if (this.linked.text !== this.#analysedText) void this.#analyse();
	}

	/** The full URL of the current state, for "Copy link". */
	async shareableLink(pageUrl: string): Promise<string> {
		// Address writes queued earlier set the share notices too: let them land first, so these are the ones shown.
		await this.#urlWrites;
		const { fragment, notices } = await encodePermalink(copyState(this.linked));
		const folder = localFolderName(this.linked.model);
		this.#shareNotices =
			folder === null
				? notices
				: [...notices, `The link names the model folder "${folder}" from your disk: whoever opens it must choose that folder too.`];
		return `${pageUrl.replace(/#.*$/, '')}${fragment}`;
	}

	dispose(): void {
		clearTimeout(this.#typingTimer);
	}

	async #restore({ fromLink }: { fromLink: boolean }): Promise<void> {
		clearTimeout(this.#typingTimer);
		this.#restores++;
		const { state, notices } = await decodePermalink(this.#address.fragment, this.#address.origin);
		const textChanged = state.text !== this.linked.text;
		this.linked = state;
		this.#linkNotices = notices;
		// A link with mistakes is rewritten to what is actually shown, so copying the address gives a valid link.
		if (notices.length > 0) this.#writeAddress('replace');

		const needsLoad =
			this.#requested === null || this.#requested.model !== state.model || this.#requested.backend !== state.backend;
		if (needsLoad) {
			await this.#loadFromLink(state.model, state.backend, fromLink);
			return;
		}
		// Same model: re-check the selection against it, and re-analyse only if the text differs.
		if (this.model) this.#checkAgainstModel(this.model);
		if (textChanged) await this.#analyse();
		else if (this.result) this.#checkAgainstTokens(this.result);
	}

	async #loadFromLink(model: string, backend: BackendPreference, fromLink: boolean): Promise<void> {
		const folder = localFolderName(model);
		if (folder !== null && this.#sourceOf(model) === null) {
			// The sender's files are not in the link: show its text with the bundled model, and say which folder it was.
			this.#linkNotices = [
				...this.#linkNotices,
				`The link was made with a model folder from the sender's disk ("${folder}"), which a link cannot carry: ` +
					'choose that folder under "Model folder" to see the same attention. Showing the bundled model meanwhile.'
			];
			this.linked.model = defaultState().model;
			this.#writeAddress('replace');
			await this.#load(this.linked.model, backend);
			return;
		}
		const source = parseModelRef(model, this.#address.origin);
		if (fromLink && source && isForeignSource(source, this.#address.origin)) {
			// Nothing on screen may belong to another model while the question is open, and any later state reloads.
			this.question = { model, host: hostOf(source) };
			this.#requested = null;
			this.#loadRequest++;
			this.#analysisRequest++;
			this.phase = 'idle';
			this.model = null;
			this.result = null;
			this.#resultNotices = [];
			return;
		}
		this.question = null;
		await this.#load(model, backend);
	}

	async #switchModel(model: string, backend: BackendPreference): Promise<void> {
		const trimmed = model.trim();
		if (this.#sourceOf(trimmed) === null) {
			const folder = localFolderName(trimmed);
			this.error =
				folder === null
					? `"${trimmed}" is not a model: give a Hub id like Xenova/gpt2 or the http(s) URL of a model folder.`
					: `The files of "${folder}" are not open in this page: choose the folder under "Model folder" again.`;
			return;
		}
		this.question = null;
		this.#forgetLinkNotices();
		this.linked.model = trimmed;
		this.linked.backend = backend;
		this.#writeAddress('push');
		await this.#load(trimmed, backend);
	}

	/** What a model reference loads from: a Hub id or URL, or the files of the folder chosen in this page. */
	#sourceOf(model: string): ModelSource | null {
		if (localFolderName(model) !== null) {
			return this.#localFolder?.ref === model.trim() ? { kind: 'files', files: this.#localFolder.files } : null;
		}
		return parseModelRef(model, this.#address.origin);
	}

	async #load(model: string, backend: BackendPreference): Promise<void> {
		const source = this.#sourceOf(model);
		if (!source) return; // decode and #switchModel only let loadable references through
		const request = ++this.#loadRequest;
		this.#requested = { model, backend };
		this.phase = 'loading';
		this.files = [];
		this.error = null;
		this.#loadNotices = [];
		let info: ModelInfo;
		try {
			info = await this.#engine.load(source, { backend }, (progress) => {
				if (request === this.#loadRequest) this.#recordProgress(progress);
			});
		} catch (error) {
			if (request !== this.#loadRequest || errorCode(error) === 'cancelled') return;
			this.phase = 'failed';
			this.error = errorMessage(error);
			return;
		}
		if (request !== this.#loadRequest) return;
		this.phase = 'ready';
		this.model = info;
		this.#active = { model, backend };
		// The old model's attention would be mislabelled under the new model's name.
		this.result = null;
		this.#resultNotices = [];
		this.#checkAgainstModel(info);
		await this.#analyse();
	}

	async #analyse(): Promise<void> {
		clearTimeout(this.#typingTimer);
		if (this.phase !== 'ready') return; // the load in progress analyses when it finishes
		const request = ++this.#analysisRequest;
		this.#analysedText = this.linked.text;
		this.analysing = true;
		try {
			const result = await this.#engine.analyse(this.linked.text);
			if (request !== this.#analysisRequest) return;
			this.result = result;
			this.error = null;
			this.#checkAgainstTokens(result);
		} catch (error) {
			// A newer request superseded this one: its result is on the way, so nothing stale is shown.
			if (request !== this.#analysisRequest || errorCode(error) === 'cancelled') return;
			this.error = errorMessage(error);
		} finally {
			if (request === this.#analysisRequest) this.analysing = false;
		}
	}

	#checkAgainstModel(info: ModelInfo): void {
		const { state, notices } = validateAgainstModel(this.linked, info);
		this.#modelNotices = info.notices;
		this.#rangeNotices = notices;
		if (notices.length > 0) {
			this.linked = state;
			this.#writeAddress('replace');
		}
	}

	/** Notices about the result on screen: truncation, engine remarks, and a selected token the text no longer has. */
	#checkAgainstTokens(result: Analysis): void {
		const { state, notices } = validateAgainstTokens(this.linked, result.tokens.length);
		const truncation =
			result.truncatedFrom === undefined
				? []
				: [`Kept ${result.tokens.length} of ${result.truncatedFrom} tokens: the model reads at most ${this.model?.maxTokens ?? result.tokens.length}.`];
		this.#resultNotices = [...truncation, ...result.notices];
		if (notices.length === 0) return;
		this.#rangeNotices = [...this.#rangeNotices, ...notices];
		this.linked = state;
		this.#writeAddress('replace');
	}

	#forgetLinkNotices(): void {
		this.#linkNotices = [];
		this.#rangeNotices = [];
	}

	#recordProgress(progress: FileProgress): void {
		const index = this.files.findIndex((file) => file.file === progress.file);
		if (index === -1) this.files.push(progress);
		else this.files[index] = progress;
	}

	/**
	 * Writes happen in call order, each with the state as it was when asked, so Back steps match what was shown, and
	 * after the frame that shows the change, so a click's redraw never waits for the address bar.
	 */
	#writeAddress(mode: 'push' | 'replace'): void {
		const snapshot = copyState(this.linked);
		const restores = this.#restores;
		this.#urlWrites = this.#urlWrites
			.then(async () => {
				await this.#address.afterNextFrame();
				const { fragment, notices } = await encodePermalink(snapshot);
				// Back/Forward moved the address meanwhile: the page now shows that entry, which this write must not replace.
				if (restores !== this.#restores) return;
				this.#shareNotices = notices;
				if (fragment === this.#address.fragment) return;
				if (mode === 'push') this.#address.push(fragment);
				else this.#address.replace(fragment);
			})
			.catch((error: unknown) => {
				this.error = `Could not update the address bar: ${errorMessage(error)}`;
			});
	}
}

function hostOf(source: ModelSource): string {
	return source.kind === 'url' ? new URL(source.url).host : 'huggingface.co';
}

/** EngineError carries a code; anything else thrown has none. */
function errorCode(error: unknown): string | undefined {
	return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
		? error.code
		: undefined;
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
