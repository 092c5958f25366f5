"""The seal's arithmetic: an append-only Merkle tree as Certificate Transparency
keeps it (RFC 9162, section 2.1), over the records of the event log.

Leaf hash ``SHA-256(0x00 ‖ record)``, node hash ``SHA-256(0x01 ‖ left ‖ right)``;
the tree of ``n`` leaves splits at the largest power of two below ``n``. Only the
perfect subtrees are stored (``level``, ``index``: the node over leaves
``index·2^level`` to ``(index+1)·2^level − 1``); any other subtree hash, a root, an
inclusion path or a consistency path is computed from O(log n) of them.

Written here rather than taken from a library: the one maintained Python package
(pymerkle) is GPL-3.0 (nhiemvu is MIT), pins its own dependency exactly and asks for
a security audit; the algorithms are the RFC's, and tests check them against its
published test vectors and a literal reading of its definitions. Standard library
only: ``docs/audit.md`` verifies proofs with the same few lines and no app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# The root of the empty tree (RFC 9162: the hash of the empty string).
EMPTY_ROOT = hashlib.sha256(b"").digest()

# ``get(level, index)`` → the stored hash of that perfect subtree (level 0: a leaf).
NodeGetter = Callable[[int, int], bytes]


def record_bytes(position: int, aggregate_id: bytes, version: int, topic: str,
                 state: bytes) -> bytes:
    """One stored event as the seal hashes it: position, aggregate id (16 bytes),
    version (8-byte signed big-endian each), topic (length-prefixed UTF-8), the
    stored state's bytes last. Every field has a fixed or stated length, so two
    different records never give the same bytes."""
    topic_bytes = topic.encode("utf-8", "surrogateescape")
    return b"".join((position.to_bytes(8, "big", signed=True), bytes(aggregate_id),
                     version.to_bytes(8, "big", signed=True),
                     len(topic_bytes).to_bytes(4, "big"), topic_bytes, bytes(state)))


def leaf_hash(record: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + record).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def peak_keys(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees a tree of ``size`` leaves is made of, largest first."""
    keys, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


class Frontier:
    """The growing edge of the tree: the hashes of its perfect subtrees (its peaks),
    largest first. ``append`` adds a leaf and returns the nodes it completes."""

    __slots__ = ("peaks", "size")

    def __init__(self, size: int = 0, peaks: Iterable[bytes] = ()):
        self.size = size
        self.peaks = list(peaks)
        if len(self.peaks) != size.bit_count():
            raise ValueError("a tree of this size has a different number of peaks")

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; return ``(level, index, hash)`` of each node (level ≥ 1) that
        is now complete, lowest first."""
        made = []
        index, level, node = self.size, 0, leaf
        while index >> level & 1:
            node = node_hash(self.peaks.pop(), node)
            level += 1
            made.append((level, index >> level, node))
        self.peaks.append(node)
        self.size += 1
        return made

    def root(self) -> bytes:
        if not self.peaks:
            return EMPTY_ROOT
        root = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            root = node_hash(peak, root)
        return root


def subtree_hash(start: int, end: int, get: NodeGetter) -> bytes:
    """MTH of leaves ``start`` to ``end − 1``, for the ranges the RFC's recursion
    makes (``start`` a multiple of a power of two at least ``end − start``)."""
    n = end - start
    if n & (n - 1) == 0:
        if start % n:
            raise ValueError("not a subtree of the tree")
        return get(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(subtree_hash(start, start + k, get), subtree_hash(start + k, end, get))


def root_hash(size: int, get: NodeGetter) -> bytes:
    return subtree_hash(0, size, get) if size else EMPTY_ROOT


def inclusion_path(index: int, size: int, get: NodeGetter) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 2.1.3.1: the sibling hashes, lowest first."""
    if not 0 <= index < size:
        raise ValueError("the leaf is not in a tree of this size")
    path, start, end = [], 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(subtree_hash(start + k, end, get))
            end = start + k
        else:
            path.append(subtree_hash(start, start + k, get))
            start += k
    path.reverse()
    return path


def consistency_path(first: int, second: int, get: NodeGetter) -> list[bytes]:
    """PROOF(first, D[second]) of RFC 9162 2.1.4.1: that the tree of ``first``
    leaves is the beginning of the tree of ``second`` leaves."""
    if not 0 < first <= second:
        raise ValueError("a consistency proof needs 0 < first ≤ second")

    def sub(m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [subtree_hash(start, end, get)]
        k = _split(n)
        if m <= k:
            return sub(m, start, start + k, whole) + [subtree_hash(start + k, end, get)]
        return sub(m - k, start + k, end, False) + [subtree_hash(start, start + k, get)]

    return sub(first, 0, second, True)


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes],
                     root: bytes) -> bool:
    """RFC 9162 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       path: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2; equal sizes are consistent when their roots are equal."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
