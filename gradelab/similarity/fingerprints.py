"""Fingerprints of code, and the runs two pieces of code share: copydetect's winnowing.

copydetect tokenizes code with Pygments and writes every name as ``V``, every function name
as ``F`` and every string as ``S``, dropping comments and whitespace; so renaming variables
or changing comments and layout changes nothing. Each run of ``NOISE_CHARS`` characters of
that text is hashed (a window of 1: every hash is kept, so a match that long is always
found, and nothing depends on which hashes a window would pick). Two pieces of code share
the runs whose hashes they share; a run found in the code the release gives is nobody's.
copydetect also finds where shared runs lie in the original text, to mark them.

The release's hashes are taken out here rather than by copydetect's ``boilerplate``
argument: copydetect 0.5.0 matches them against a document's hashes assuming both are
unique, which removes the wrong runs from code that repeats itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from copydetect import CodeFingerprint, compare_files

#: The shortest match that counts, in characters of tokenized code (copydetect's default).
NOISE_CHARS = 25
LANGUAGE = "python"


@dataclass(frozen=True)
class Fingerprint:
    """copydetect's fingerprint of some code, and how many of its runs have each hash."""

    code: CodeFingerprint
    counts: dict[int, int]

    @property
    def runs(self) -> int:
        return sum(self.counts.values())


def fingerprint(
    code: str, given: frozenset[int] = frozenset(), noise: int = NOISE_CHARS
) -> Fingerprint:
    """The fingerprint of ``code`` without the runs whose hashes are in ``given``."""
    found = CodeFingerprint("answer.py", noise, 1, fp=io.StringIO(code), language=LANGUAGE)
    for value in found.hashes & given:
        del found.hash_idx[value]
    found.hashes -= given
    return Fingerprint(found, {value: len(at) for value, at in found.hash_idx.items()})


def prose_fingerprint(text: str, noise: int = NOISE_CHARS) -> Fingerprint:
    """The fingerprint of a written answer, as written: tokenizing it as code would make
    every word a name, and every essay alike."""
    found = CodeFingerprint("answer.md", noise, 1, filter=False, fp=io.StringIO(text))
    return Fingerprint(found, {value: len(at) for value, at in found.hash_idx.items()})


def given_hashes(code: Iterable[str], noise: int = NOISE_CHARS) -> frozenset[int]:
    """The hashes of every run of the given code (the release's): nobody's to match."""
    hashes: set[int] = set()
    for text in code:
        hashes |= fingerprint(text, noise=noise).code.hashes
    return frozenset(hashes)


def _spans(slices: np.ndarray, length: int) -> list[tuple[int, int]]:
    if slices.size == 0:
        return []
    return [(int(start), min(int(end), length)) for start, end in zip(*slices, strict=True)]


def shared_spans(
    first: Fingerprint, second: Fingerprint
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where the runs ``first`` and ``second`` share lie in each one's text."""
    if not first.code.hashes & second.code.hashes:
        return [], []
    _, _, (slices1, slices2) = compare_files(first.code, second.code)
    return _spans(slices1, len(first.code.raw_code)), _spans(slices2, len(second.code.raw_code))
