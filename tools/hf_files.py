"""Writers for the JSON files of a Hugging Face Hub model folder.

config.json, plus tokenizer.json and tokenizer_config.json for a byte-level BPE (GPT-2's scheme)
in the format that tokenizers and transformers.js load. The tokenizer writer takes any
(vocab, merges, special tokens), so trained vocabularies use it as well as the test fixtures.
"""

import json
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

Merge = Tuple[str, str]


def write_json(path: Path, data: dict, compact: bool = False) -> None:
    """Indented like the Hub's files, or compact for large numeric data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) if compact else \
        json.dumps(data, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def write_config(folder: Path, config: dict) -> None:
    """config: the Hub keys (model_type, architectures, sizes, token ids)."""
    write_json(Path(folder) / "config.json", config)


def added_token(token: str, token_id: int) -> dict:
    return {"id": token_id, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def byte_level(trim_offsets: bool) -> dict:
    return {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": trim_offsets, "use_regex": True}


def template_processing(vocab: Dict[str, int], prefix: Sequence[str], suffix: Sequence[str]) -> dict:
    """prefix $A suffix for one text; prefix $A suffix $B suffix for a pair (BERT's rule), the
    second text and its suffix with token type 1."""

    def special(token: str, type_id: int) -> dict:
        return {"SpecialToken": {"id": token, "type_id": type_id}}

    single = [special(t, 0) for t in prefix] + [{"Sequence": {"id": "A", "type_id": 0}}]
    single += [special(t, 0) for t in suffix]
    pair = single + [{"Sequence": {"id": "B", "type_id": 1}}] + [special(t, 1) for t in suffix]
    used = dict.fromkeys([*prefix, *suffix])
    special_tokens = {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in used}
    return {"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": special_tokens}


def tokenizer_json(vocab: Dict[str, int], merges: List[Merge], special_tokens: Sequence[str],
                   prefix: Sequence[str] = (), suffix: Sequence[str] = ()) -> dict:
    """tokenizer.json of a byte-level BPE.

    vocab maps every token (byte symbols, merged tokens and special tokens) to its id; the special
    tokens become added_tokens. prefix/suffix are special tokens added around every text.
    """
    post_processor = byte_level(trim_offsets=False)
    if prefix or suffix:
        post_processor = {"type": "Sequence",
                          "processors": [post_processor, template_processing(vocab, prefix, suffix)]}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(t, vocab[t]) for t in sorted(special_tokens, key=vocab.get)],
        "normalizer": None,
        "pre_tokenizer": byte_level(trim_offsets=True),
        "post_processor": post_processor,
        "decoder": byte_level(trim_offsets=True),
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": dict(sorted(vocab.items(), key=lambda item: item[1])),
            "merges": [list(merge) for merge in merges],
        },
    }


def tokenizer_config(vocab: Dict[str, int], special_tokens: Sequence[str], tokenizer_class: str,
                     roles: Dict[str, str], model_max_length: int) -> dict:
    """tokenizer_config.json. roles maps bos_token / eos_token / pad_token / cls_token / ... to
    special tokens. transformers.js picks its tokenizer class from tokenizer_class (e.g.
    BertTokenizer returns token_type_ids)."""
    return {
        "tokenizer_class": tokenizer_class,
        "model_max_length": model_max_length,
        # Byte-level decoding is exact; the clean-up would drop spaces before punctuation.
        "clean_up_tokenization_spaces": False,
        **roles,
        "added_tokens_decoder": {str(vocab[t]): {k: v for k, v in added_token(t, vocab[t]).items() if k != "id"}
                                 for t in special_tokens},
    }


def write_tokenizer(folder: Path, vocab: Dict[str, int], merges: List[Merge], special_tokens: Sequence[str], *,
                    tokenizer_class: str, roles: Dict[str, str], model_max_length: int,
                    prefix: Sequence[str] = (), suffix: Sequence[str] = ()) -> None:
    folder = Path(folder)
    write_json(folder / "tokenizer.json", tokenizer_json(vocab, merges, special_tokens, prefix, suffix))
    write_json(folder / "tokenizer_config.json",
               tokenizer_config(vocab, special_tokens, tokenizer_class, roles, model_max_length))
