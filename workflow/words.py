"""One catalogue of words for every interface: gettext over Babel catalogues.

Every user-facing text — web pages, the command line, e-mails, event sentences,
errors — is a Vietnamese msgid looked up in ``workflow/translations`` (English is the
one translation). The web reads the same catalogue through Flask-Babel; everything
else through ``babel.support.Translations`` here. ``pybabel extract`` finds them all
(see babel.cfg).

- ``N_("…")`` marks a word defined as data (a state's name, an action's label): it
  returns a ``Msg``, still Vietnamese, translated where it is shown; ``NP_(context,
  "…")`` the same with a gettext context.
- ``_("…", name=value)`` translates at once into the current language and fills
  ``%(name)s`` placeholders; a ``Msg`` among the values is translated too.
- ``lazy("…")`` is translated each time it is turned into text.
- The current language: ``use_locale("en")`` for a block (the CLI's ``--lang``, an
  e-mail to someone); else what the registered source says (the web registers
  the request's locale); else Vietnamese.

May import: the standard library and Babel. Nothing of this project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import LazyProxy, NullTranslations, Translations

CATALOGUE = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"

_chosen: ContextVar[str | None] = ContextVar("nhiemvu_locale", default=None)
_source: list[Callable[[], str | None]] = []


class Msg(str):
    """A Vietnamese msgid kept as data, to be translated where it is shown; its
    ``context`` tells apart one Vietnamese word with two English ones ("Đã hủy" is
    the state "cancelled" and the report grade "Cancelled")."""

    context: str | None = None


def N_(msgid: str) -> Msg:  # noqa: N802 - the gettext convention pybabel looks for
    return Msg(msgid)


def NP_(context: str, msgid: str) -> Msg:  # noqa: N802
    word = Msg(msgid)
    word.context = context
    return word


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for ``locale``; Vietnamese (the msgids) needs none."""
    if locale == DEFAULT:
        return NullTranslations()
    return Translations.load(CATALOGUE, [locale], DOMAIN)


def locale_source(source: Callable[[], str | None]) -> None:
    """Where the current language comes from when no block chose one (the web's
    request locale). The last one registered wins."""
    _source[:] = [source]


def current_locale() -> str:
    chosen = _chosen.get()
    if chosen is None and _source:
        try:
            chosen = _source[0]()
        except RuntimeError:  # e.g. the web's source outside a request
            chosen = None
    return _normalise(chosen)


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Speak ``locale`` inside the block (None: the default)."""
    token = _chosen.set(_normalise(locale))
    try:
        yield _chosen.get() or DEFAULT
    finally:
        _chosen.reset(token)


def _(msgid: str, **params: Any) -> str:
    """``msgid`` in the current language, its ``%(name)s`` placeholders filled."""
    return translate(msgid, current_locale(), **params)


def translate(msgid: str, locale: str | None = None, **params: Any) -> str:
    """``msgid`` in ``locale`` (default: the current language), placeholders filled."""
    chosen = _normalise(locale) if locale else current_locale()
    catalogue = translations(chosen)
    context = getattr(msgid, "context", None)
    text = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
    if not params:
        return text
    filled = {k: translate(v, chosen) if isinstance(v, Msg) else v
              for k, v in params.items()}
    return text % filled


def lazy(msgid: str, **params: Any) -> LazyProxy:
    """Translated each time it becomes text, in the language current then."""
    return LazyProxy(_, msgid, enable_cache=False, **params)


def _normalise(locale: Any) -> str:
    code = str(locale or DEFAULT).replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT
