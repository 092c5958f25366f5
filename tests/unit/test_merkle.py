"""The seal's arithmetic (``events.log.merkle``) against RFC 9162.

Two witnesses: the published test vectors (the eight leaves of RFC 6962's reference
tests and the root of each prefix), and a literal reading of the RFC's recursive
definitions (MTH 2.1.1, PATH 2.1.3.1, PROOF/SUBPROOF 2.1.4.1) written here, slow and
obviously right, which Hypothesis compares with the module on random logs.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.log import merkle

# RFC 6962's reference test leaves and the root of the tree of their first n.
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


# --- the RFC, read literally: D is the list of leaf inputs -----------------------------

def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return _sha(b"\x00" + d[0])
    k = _k(len(d))
    return _sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, True)


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


# Which way the recursion went: two sizes with the same way give the same
# computation, so the root alone (not the path) tells them apart.
def path_ways(m: int, n: int) -> tuple:
    if n == 1:
        return ()
    k = _k(n)
    return path_ways(m, k) + ("right",) if m < k else path_ways(m - k, n - k) + ("left",)


def proof_ways(m: int, n: int, b: bool = True) -> tuple:
    if m == n:
        return ("end", b)
    k = _k(n)
    return (proof_ways(m, k, b) + ("right",) if m <= k
            else proof_ways(m - k, n - k, False) + ("left",))


# --- the module's stored tree over the same leaves ---------------------------------------

def stored(d: list[bytes]) -> merkle.NodeGetter:
    """The perfect subtrees as the seal stores them, built by appending leaf by leaf."""
    frontier, kept = merkle.Frontier(), {}
    for i, data in enumerate(d):
        leaf = merkle.leaf_hash(data)
        kept[(0, i)] = leaf
        kept.update({(level, index): h for level, index, h in frontier.append(leaf)})
    return lambda level, index: kept[(level, index)]


def test_the_roots_of_the_rfc_test_vectors_are_reproduced():
    get = stored(LEAVES)
    frontier = merkle.Frontier()
    for n, expected in enumerate(ROOTS, start=1):
        frontier.append(merkle.leaf_hash(LEAVES[n - 1]))
        assert merkle.root_hash(n, get).hex() == expected
        assert frontier.root().hex() == expected
        assert mth(LEAVES[:n]).hex() == expected  # the reference agrees with the RFC


def test_the_empty_tree_has_the_hash_of_nothing():
    assert merkle.root_hash(0, stored([])) == merkle.EMPTY_ROOT == hashlib.sha256().digest()
    assert merkle.Frontier().root() == merkle.EMPTY_ROOT


def test_every_proof_over_the_test_vectors_verifies():
    get = stored(LEAVES)
    for n in range(1, 9):
        root = bytes.fromhex(ROOTS[n - 1])
        for m in range(n):
            found = merkle.inclusion_path(m, n, get)
            assert found == path(m, LEAVES[:n])
            assert merkle.verify_inclusion(merkle.leaf_hash(LEAVES[m]), m, n, found, root)
        for m in range(1, n + 1):
            found = merkle.consistency_path(m, n, get)
            assert found == proof(m, LEAVES[:n])
            assert merkle.verify_consistency(m, n, bytes.fromhex(ROOTS[m - 1]), root, found)


def test_a_record_s_bytes_are_its_fields_with_their_lengths():
    record = merkle.record_bytes(3, bytes(range(16)), 2, "nhiemvu.task.WorkStarted", b"{}")
    topic = b"nhiemvu.task.WorkStarted"
    assert record == (b"\x00" * 7 + b"\x03" + bytes(range(16)) + b"\x00" * 7 + b"\x02" +
                      len(topic).to_bytes(4, "big") + topic + b"{}")


@pytest.mark.parametrize("index, size", [(-1, 3), (3, 3), (0, 0)])
def test_a_leaf_outside_the_tree_has_no_path(index, size):
    with pytest.raises(ValueError):
        merkle.inclusion_path(index, size, stored(LEAVES))


logs = st.lists(st.binary(max_size=12), min_size=1, max_size=70, unique=True)


@settings(max_examples=150, deadline=None)
@given(logs, st.data())
def test_roots_and_inclusion_paths_match_the_rfc_s_definitions(d, data):
    get = stored(d)
    n = data.draw(st.integers(1, len(d)), label="size")
    m = data.draw(st.integers(0, n - 1), label="index")
    root = mth(d[:n])
    leaf = merkle.leaf_hash(d[m])
    assert merkle.root_hash(n, get) == root

    found = merkle.inclusion_path(m, n, get)

    assert found == path(m, d[:n])
    assert merkle.verify_inclusion(leaf, m, n, found, root)
    if found:
        at = data.draw(st.integers(0, len(found) - 1), label="element")
        byte = data.draw(st.integers(0, 31), label="byte")
        flipped = bytearray(found[at])
        flipped[byte] ^= 1
        assert not merkle.verify_inclusion(
            leaf, m, n, [*found[:at], bytes(flipped), *found[at + 1:]], root)
    other = data.draw(st.integers(-1, n), label="wrong index")
    if other != m:
        assert not merkle.verify_inclusion(leaf, other, n, found, root)
    size = data.draw(st.integers(0, len(d) + 2), label="wrong size")
    if size != n:
        # Only a tree whose recursion takes the same way reaches the same root.
        same_way = m < size and path_ways(m, size) == path_ways(m, n)
        assert merkle.verify_inclusion(leaf, m, size, found, root) == same_way
    assert not merkle.verify_inclusion(leaf, m, n, [*found, root], root)


@settings(max_examples=150, deadline=None)
@given(logs, st.data())
def test_consistency_paths_match_the_rfc_s_definitions(d, data):
    get = stored(d)
    n = data.draw(st.integers(1, len(d)), label="second")
    m = data.draw(st.integers(1, n), label="first")
    first_root, second_root = mth(d[:m]), mth(d[:n])

    found = merkle.consistency_path(m, n, get)

    assert found == proof(m, d[:n])
    assert merkle.verify_consistency(m, n, first_root, second_root, found)
    if found:
        at = data.draw(st.integers(0, len(found) - 1), label="element")
        byte = data.draw(st.integers(0, 31), label="byte")
        flipped = bytearray(found[at])
        flipped[byte] ^= 0x80
        assert not merkle.verify_consistency(
            m, n, first_root, second_root, [*found[:at], bytes(flipped), *found[at + 1:]])
    other = data.draw(st.integers(0, n + 1), label="wrong first")
    if other != m:
        assert not merkle.verify_consistency(other, n, first_root, second_root, found)
    size = data.draw(st.integers(0, len(d) + 2), label="wrong second")
    if size != n:
        same_way = m <= size and proof_ways(m, size) == proof_ways(m, n)
        assert merkle.verify_consistency(m, size, first_root, second_root, found) == same_way
    for which in (0, 1):
        roots = [bytearray(first_root), bytearray(second_root)]
        roots[which][0] ^= 1
        assert not merkle.verify_consistency(m, n, bytes(roots[0]), bytes(roots[1]), found)
