"""Language (Vietnamese default, English by choice) and the dd/mm/yyyy, Vietnam-time filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from flask import Blueprint, Flask, g, redirect, request, url_for
from flask_babel import get_locale, get_translations
from jinja2 import pass_context

from workflow import grades, rules, words
from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError
from workflow.errors import role_name as _role_of
from workflow.words import translate

LANGUAGES = ("vi", "en")
COOKIE = "nhiemvu_lang"

bp = Blueprint("i18n", __name__)

def select_locale() -> str:
    if request.blueprint == "api" or request.path.startswith("/api/"):
        # Programs say which language they read; they keep no cookie.
        return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "vi"


# Where a request keeps its language once found (``_bound``).
_BOUND = "nhiemvu_language"


def _bound() -> tuple[str, Locale, Any]:
    """The request's language code, Locale and translations, found once per request.

    Flask-Babel finds them again at every call (the domain, the locale and its cache,
    through a dozen lookups of the request's context), and a page asks for a hundred
    words and numbers. A request's language never changes while it runs: it is read
    from its cookie (``select_locale``), and nothing here forces another one.
    """
    found = g.get(_BOUND)
    if found is None:
        locale = get_locale() or _VIETNAMESE
        found = (str(locale), locale, get_translations())
        setattr(g, _BOUND, found)
    return found


def lang() -> str:
    return _bound()[0] if g else "vi"


def error_text(error: DomainError) -> str:
    return error.message(lang())


@bp.get("/lang/<code>")
def set_language(code: str):
    target = request.args.get("next", "")
    if not is_local_path(target):
        target = url_for("home.root")
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def is_local_path(target: str) -> bool:
    """Only same-site paths: never redirect a person off the commune's server."""
    parts = urlsplit(target)
    return bool(target.startswith("/") and not target.startswith("//")
                and not parts.scheme and not parts.netloc and "\\" not in target)


def dmy(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return value.strftime("%d/%m/%Y")


def dmy_hm(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def _decimal(value: Decimal | int | float | str) -> Decimal:
    # normalize() drops trailing zeros ("92.50" → "92.5"); quantization is then left off
    # so Babel prints every remaining digit instead of rounding to its pattern's three.
    return Decimal(str(value)).normalize()


def _locale() -> Locale:
    # The request's parsed Locale: given a code instead, Babel parses it again for
    # every number on the page.
    return _bound()[1] if g else _VIETNAMESE


_VIETNAMESE = Locale.parse("vi")


def number(value: Decimal | int | str | None) -> str:
    """The number as the language writes it: "1.234,5" in Vietnamese, "1,234.5" in English."""
    if value is None or value == "":
        return ""
    return format_decimal(_decimal(value), locale=_locale(), decimal_quantization=False)


def percent(value: Decimal | int | str | None) -> str:
    """A value already in percent units (92.5) with the locale's percent pattern."""
    if value is None or value == "":
        return ""
    locale = _locale()
    return format_percent(_decimal(value) / 100, _PERCENT_PATTERNS.get(str(locale)),
                          locale=locale, decimal_quantization=False)


# CLDR writes Vietnamese percents without a space ("92,5%"); the app's pages and tests
# agreed on "92,5 %" (the spacing of the plan's documents). Other languages: CLDR's own.
_PERCENT_PATTERNS = {"vi": "#,##0 %"}


_SIZE_UNITS = ("digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")


def filesize(value: int | None) -> str:
    """A size in bytes in decimal units with one decimal: "193 B", "1,2 MB" / "1.2 MB"."""
    if value is None or value == "":
        return ""
    amount = Decimal(int(value))
    if amount < 1000:
        # CLDR's short name for a byte is the word ("byte"); the SI symbol B reads the same
        # in both languages and matches kB/MB beside it.
        return f"{format_decimal(amount, locale=_locale())} B"
    for unit in _SIZE_UNITS:
        amount /= 1000
        if round(amount, 1) < 1000 or unit == _SIZE_UNITS[-1]:
            break
    return format_unit(round(amount, 1), unit, length="short", locale=_locale(),
                       format="#,##0.#")


def iso(value: date | datetime | str | None) -> str:
    """A value for ``<time datetime>``: ISO 8601 without microseconds, any offset kept."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def state_name(state: str) -> str:
    return translate(rules.state_name(state), lang())


def role_name(role: str) -> str:
    return translate(_role_of(role), lang())


def grade_name(grade: str | None) -> str:
    return translate(grades.grade_name(grade), lang()) if grade else ""


def _each_render(show: Callable[[Any], str]) -> Callable[..., str]:
    # Jinja folds a plain filter applied to a literal (``"cancelled"|grade_name``) once,
    # when it compiles the template, in the language of whoever asked first; a filter
    # that takes the context is run at every render.
    @pass_context
    def shown(context: Any, value: Any) -> str:
        return show(value)
    return shown


def init_app(app: Flask) -> None:
    # Words translated outside templates (workflow.words) speak the request's language.
    words.locale_source(lang)
    # The templates' words through the request's translations, bound once (``_bound``),
    # in place of the callables Flask-Babel installed (the same methods of the same
    # translations, found at every call).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _bound()[2].ugettext(s),
        ngettext=lambda s, p, n: _bound()[2].ungettext(s, p, n),
        pgettext=lambda c, s: _bound()[2].upgettext(c, s),
        npgettext=lambda c, s, p, n: _bound()[2].unpgettext(c, s, p, n),
        newstyle=True)
    app.register_blueprint(bp)
    app.jinja_env.filters.update(
        dmy=dmy, dmy_hm=dmy_hm, number=_each_render(number),
        percent=_each_render(percent), filesize=_each_render(filesize), iso=iso,
        state_name=_each_render(state_name), role_name=_each_render(role_name),
        grade_name=_each_render(grade_name))
    # The codes in their order, for pages that list them (workflow defines them).
    app.jinja_env.globals.update(lang=lang, STATES=rules.STATES, GRADES=grades.GRADES)
