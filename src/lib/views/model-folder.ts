/**
 * A model folder from the user's disk, as LocalFile paths relative to where the user picked or dropped it:
 * from <input webkitdirectory> (webkitRelativePath) or from a drop (FileSystemEntry tree).
 */
import type { LocalFile } from '$lib/engine/protocol';

export function pickedFolderFiles(list: FileList): LocalFile[] {
	return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
	return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
	return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
	return entry.isDirectory;
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
	return entry.isFile;
}

async function collect(entry: FileSystemEntry, into: LocalFile[]): Promise<void> {
	if (isFile(entry)) {
		// fullPath starts with "/" and the dropped folder's name.
		into.push({ path: entry.fullPath.replace(/^\/+/, ''), file: await entryFile(entry) });
	} else if (isDirectory(entry)) {
		const reader = entry.createReader();
		// readEntries answers in batches (100 in Chromium) until it returns an empty one.
		for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
			for (const child of batch) await collect(child, into);
		}
	}
}

export async function droppedFolderFiles(transfer: DataTransfer): Promise<LocalFile[]> {
	// Entries must be taken synchronously, before the drop event returns.
	const entries = Array.from(transfer.items, (item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
	const files: LocalFile[] = [];
	for (const entry of entries) await collect(entry, files);
	return files;
}
