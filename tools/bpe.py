"""Byte-level BPE (GPT-2 style) trainer and encoder.

Text is split with GPT-2's pre-tokenisation regex, each piece is mapped byte-by-byte onto printable
characters (bytes_to_unicode), and merges are learned on the counts of distinct pieces, so training on
several MB takes seconds. Because every byte has a token, any unicode string round-trips.

The ids are: special tokens first, then the 256 byte tokens, then one token per merge (in merge order),
which is the layout tokenizer.json expects (`model.vocab` + `model.merges` + `added_tokens`).

Usage: /usr/bin/python3 tools/bpe.py --vocab-size 4096 --special '<|endoftext|>' --out tools/data/bpe-gpt2.json
"""

import argparse
import heapq
import json
from collections import Counter, defaultdict
from pathlib import Path

import regex

# The pattern of GPT-2 and of the ByteLevel pre-tokenizer in tokenizers / transformers.js.
PRETOKENIZE = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable unicode characters (no whitespace/control)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


BYTE_CHARS = bytes_to_unicode()
CHAR_BYTES = {c: b for b, c in BYTE_CHARS.items()}


def pieces(text: str) -> list[str]:
    """Pre-tokenise and map each piece into the byte alphabet."""
    return ["".join(BYTE_CHARS[b] for b in p.encode("utf-8")) for p in PRETOKENIZE.findall(text)]


def learn_merges(word_counts: Counter, n_merges: int) -> list[tuple[str, str]]:
    """Greedy BPE with incremental pair counts; ties broken by the lexicographically smallest pair."""
    words = [list(w) for w in word_counts]
    freqs = list(word_counts.values())
    pair_counts: Counter = Counter()
    where: defaultdict = defaultdict(set)  # pair -> indices of words containing it
    for i, w in enumerate(words):
        for pair in zip(w, w[1:]):
            pair_counts[pair] += freqs[i]
            where[pair].add(i)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)

    merges = []
    while len(merges) < n_merges and heap:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -neg:  # stale entry: the count changed after it was pushed
            continue
        if -neg < 2:
            break
        merges.append(pair)
        merged = pair[0] + pair[1]
        changed = set()
        for i in where.pop(pair):
            w, f = words[i], freqs[i]
            for p in zip(w, w[1:]):
                pair_counts[p] -= f
                changed.add(p)
            words[i] = w = merge_word(w, pair, merged)
            for p in zip(w, w[1:]):
                pair_counts[p] += f
                where[p].add(i)
                changed.add(p)
        pair_counts.pop(pair, None)
        for p in changed - {pair}:
            if pair_counts[p] > 0:
                heapq.heappush(heap, (-pair_counts[p], p))
    return merges


def merge_word(word: list[str], pair: tuple[str, str], merged: str) -> list[str]:
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(merged)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


class Tokenizer:
    """Encoder/decoder for a trained vocabulary (special tokens are never produced from text)."""

    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]], special_tokens: list[str]):
        self.vocab, self.merges, self.special_tokens = vocab, merges, special_tokens
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.inverse = {i: t for t, i in vocab.items()}
        self.cache: dict[str, list[int]] = {}

    @classmethod
    def train(cls, text: str, vocab_size: int, special_tokens: list[str]) -> "Tokenizer":
        n_merges = vocab_size - len(special_tokens) - 256
        merges = learn_merges(Counter(pieces(text)), n_merges)
        vocab = {t: i for i, t in enumerate(special_tokens)}
        for b in range(256):
            vocab[BYTE_CHARS[b]] = len(vocab)
        for a, b in merges:
            vocab[a + b] = len(vocab)
        return cls(vocab, merges, special_tokens)

    @classmethod
    def load(cls, path: str | Path) -> "Tokenizer":
        d = json.loads(Path(path).read_text())
        return cls(d["vocab"], [tuple(m) for m in d["merges"]], d["special_tokens"])

    def save(self, path: str | Path) -> None:
        d = {"vocab": self.vocab, "merges": [list(m) for m in self.merges], "special_tokens": self.special_tokens}
        Path(path).write_text(json.dumps(d, ensure_ascii=False))

    def encode_piece(self, piece: str) -> list[int]:
        if piece not in self.cache:
            word = list(piece)
            while len(word) > 1:
                ranked = [(self.ranks.get(p, len(self.ranks)), j) for j, p in enumerate(zip(word, word[1:]))]
                rank, j = min(ranked)
                if rank == len(self.ranks):
                    break
                word = merge_word(word, (word[j], word[j + 1]), word[j] + word[j + 1])
            self.cache[piece] = [self.vocab[t] for t in word]
        return self.cache[piece]

    def encode(self, text: str) -> list[int]:
        return [i for p in pieces(text) for i in self.encode_piece(p)]

    def decode(self, ids: list[int]) -> str:
        tokens = [self.inverse[i] for i in ids if self.inverse[i] not in self.special_tokens]
        return bytes(CHAR_BYTES[c] for c in "".join(tokens)).decode("utf-8", errors="replace")


def self_test(tok: Tokenizer) -> None:
    samples = ["In the beginning God created the heaven and the earth.", "naïve café — “quotes”",
               "emoji 🤖🎉 and 👩‍👩‍👧", "中文分词 日本語のテキスト 한국어", "tabs\tand\n\nnewlines  ", "x²+y² ≠ z³ ½"]
    for s in samples:
        assert tok.decode(tok.encode(s)) == s, s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", default="tools/data/train.txt")
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--special", action="append", required=True, help="special token (repeatable, in id order)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    tok = Tokenizer.train(Path(args.train).read_text(encoding="utf-8"), args.vocab_size, args.special)
    self_test(tok)
    tok.save(args.out)
    print(f"{args.out}: {len(tok.vocab)} tokens, {len(tok.merges)} merges; round-trip self-test passed")


if __name__ == "__main__":
    main()
