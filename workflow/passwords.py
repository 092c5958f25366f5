"""Password hashing with Argon2id (argon2-cffi).

``NHIEMVU_PASSWORD_PROFILE=fast`` picks the library's cheapest profile: for the test
suite and the province-scale generator only, never for a real deployment.
"""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from workflow import validate
from workflow.errors import DomainError

# Every interface (web forms, CLI, demo) gets the rule from the service.
MIN_LENGTH = 8
# Long enough for any passphrase, short enough that hashing stays cheap.
MAX_LENGTH = 1024


def _hasher() -> PasswordHasher:
    if os.environ.get("NHIEMVU_PASSWORD_PROFILE") == "fast":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def check_new_password(password: str) -> None:
    """Refuse a password too short to be set, too long, or not plain text."""
    if len(password) < MIN_LENGTH:
        raise DomainError("password_too_short", minimum=MIN_LENGTH)
    if not _hashable(password):
        raise DomainError("password_invalid", maximum=MAX_LENGTH)


def _hashable(password: str) -> bool:
    # Lone surrogates (bad UTF-8 on a command line) cannot be encoded for hashing.
    return len(password) <= MAX_LENGTH and not validate.has_control(password)


def hash_new_password(password: str) -> str:
    """The hash of a password being set; refused when it is too short."""
    check_new_password(password)
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if not _hashable(password):
        return False  # no such password can have been set
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
