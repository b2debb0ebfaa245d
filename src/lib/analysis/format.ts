/**
 * The shortest decimal that reads back as exactly the same float32: what the tensor really
 * holds, without float64 noise (0.1f prints as 0.1, not 0.10000000149011612).
 */
export function formatFloat32(value: number): string {
	if (!Number.isFinite(value) || value === 0) return String(value);
	const target = Math.fround(value);
	for (let digits = 1; digits < 9; digits++) {
		const text = target.toPrecision(digits);
		if (Math.fround(Number(text)) === target) return String(Number(text));
	}
	// Nine significant digits always identify a float32 uniquely.
	return String(Number(target.toPrecision(9)));
}
