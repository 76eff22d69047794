"""Assurance levels and authentication means (specification chapter LOA).

The standard orders assurance levels on one scale::

    none < basis < low < substantial < high

``basis`` is DigiD Basis (user name and password), which is *below* eIDAS low: eIDAS low
assumes at least two factors. The official Dutch mapping (Logius) of DigiD, eHerkenning
and eIDAS onto this scale is :data:`CREDENTIALS`. Every name and machine identifier in
that table parses to its level:

>>> from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, parse_level
>>> parse_level("DigiD Midden")
<AssuranceLevel.LOW: 2>
>>> parse_level("urn:etoegang:core:assurance-class:loa3")
<AssuranceLevel.SUBSTANTIAL: 3>
>>> parse_level("http://eidas.europa.eu/LoA/high") > AssuranceLevel.SUBSTANTIAL
True
>>> Authentication.from_name("DigiD Midden")
Authentication(means=<AuthMeans.DIGID: 'digid'>, level=<AssuranceLevel.LOW: 2>)
>>> AssuranceLevel.LOW.fit(required=AssuranceLevel.NONE)
<Fit.BARRIER: 'barrier'>

An authentication whose means is known and whose level is not (a source that says "DigiD"
and nothing more) has the level ``None``; its fit is unknown (LOA-7):

>>> Authentication.from_name("DigiD")
Authentication(means=<AuthMeans.DIGID: 'digid'>, level=None)
>>> Authentication.from_name("DigiD").name
'digid'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import InvalidValueError, UnknownNameError

__all__ = [
    "CREDENTIALS",
    "AssuranceLevel",
    "AuthMeans",
    "Authentication",
    "AuthenticationOptions",
    "Credential",
    "Fit",
    "authentication_of",
    "parse_level",
]


class Fit(enum.Enum):
    """How an offering's assurance level relates to the level its product needs (LOA-6)."""

    MATCH = "match"
    """The level asked equals the level needed."""
    BARRIER = "barrier"
    """More is asked than needed: a threshold for users (the Vlaardingen case)."""
    SHORTFALL = "shortfall"
    """Less is asked than needed: a security shortfall."""


class AssuranceLevel(enum.IntEnum):
    """The standard's ordered assurance scale (LOA-1)."""

    NONE = 0
    """No authentication."""
    BASIS = 1
    """DigiD Basis: user name and password; below eIDAS low."""
    LOW = 2
    """eIDAS low: DigiD Midden, eHerkenning EH1, EH2, EH2+."""
    SUBSTANTIAL = 3
    """eIDAS substantial: DigiD Substantieel, eHerkenning EH3."""
    HIGH = 4
    """eIDAS high: DigiD Hoog, eHerkenning EH4."""

    @property
    def label(self) -> str:
        """The level's name in the standard's vocabulary (``"substantial"``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str | AssuranceLevel, field: str = "assurance") -> AssuranceLevel:
        """Parse a level from any name or identifier (see :func:`parse_level`)."""
        return parse_level(text, field)

    def fit(self, required: AssuranceLevel) -> Fit:
        """Compare this (used) level with the level a product requires (LOA-6)."""
        if self == required:
            return Fit.MATCH
        return Fit.BARRIER if self > required else Fit.SHORTFALL


class AuthMeans(enum.Enum):
    """The means by which an offering authenticates its users (LOA-4)."""

    NONE = "none"
    DIGID = "digid"
    EHERKENNING = "eherkenning"
    EIDAS = "eidas"
    OWN_ACCOUNT = "own-account"
    """An account the municipality or its supplier keeps itself."""

    @classmethod
    def parse(cls, text: str | AuthMeans, field: str = "authentication.means") -> AuthMeans:
        """Parse a means by its value, case-insensitively (``"DigiD"``, ``"own-account"``)."""
        if isinstance(text, AuthMeans):
            return text
        key = _norm(str(text)).replace(" ", "-").replace("_", "-")
        for member in cls:
            if member.value == key:
                return member
        raise UnknownNameError(field, text, (m.value for m in cls))


@attrs.frozen
@shared_repr
@shared_eq
class Credential:
    """One named level of one authentication scheme, with its machine identifiers (LOA-2)."""

    means: AuthMeans
    name: str
    level: AssuranceLevel
    identifiers: tuple[str, ...]
    source: str


_LOGIUS = "Logius, eIDAS-magazine 2017 (mapping eIDAS - eHerkenning - DigiD)"
_SAML = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
_ETOEGANG = "urn:etoegang:core:assurance-class:"
_EIDAS = "http://eidas.europa.eu/LoA/"

CREDENTIALS: tuple[Credential, ...] = (
    Credential(
        AuthMeans.DIGID,
        "Basis",
        AssuranceLevel.BASIS,
        (_SAML + "PasswordProtectedTransport", "10"),
        _LOGIUS,
    ),
    Credential(
        AuthMeans.DIGID,
        "Midden",
        AssuranceLevel.LOW,
        (_SAML + "MobileTwoFactorContract", "20"),
        _LOGIUS,
    ),
    Credential(
        AuthMeans.DIGID,
        "Substantieel",
        AssuranceLevel.SUBSTANTIAL,
        (_SAML + "Smartcard", "25"),
        _LOGIUS,
    ),
    Credential(
        AuthMeans.DIGID, "Hoog", AssuranceLevel.HIGH, (_SAML + "SmartcardPKI", "30"), _LOGIUS
    ),
    Credential(AuthMeans.EHERKENNING, "EH1", AssuranceLevel.LOW, (_ETOEGANG + "loa1",), _LOGIUS),
    Credential(AuthMeans.EHERKENNING, "EH2", AssuranceLevel.LOW, (_ETOEGANG + "loa2",), _LOGIUS),
    Credential(
        AuthMeans.EHERKENNING, "EH2+", AssuranceLevel.LOW, (_ETOEGANG + "loa2plus",), _LOGIUS
    ),
    Credential(
        AuthMeans.EHERKENNING, "EH3", AssuranceLevel.SUBSTANTIAL, (_ETOEGANG + "loa3",), _LOGIUS
    ),
    Credential(AuthMeans.EHERKENNING, "EH4", AssuranceLevel.HIGH, (_ETOEGANG + "loa4",), _LOGIUS),
    Credential(
        AuthMeans.EIDAS,
        "low",
        AssuranceLevel.LOW,
        (_EIDAS + "low",),
        "Implementing Regulation (EU) 2015/1502",
    ),
    Credential(
        AuthMeans.EIDAS,
        "substantial",
        AssuranceLevel.SUBSTANTIAL,
        (_EIDAS + "substantial",),
        "Implementing Regulation (EU) 2015/1502",
    ),
    Credential(
        AuthMeans.EIDAS,
        "high",
        AssuranceLevel.HIGH,
        (_EIDAS + "high",),
        "Implementing Regulation (EU) 2015/1502",
    ),
)
"""The official mapping of DigiD, eHerkenning and eIDAS onto the standard's scale (LOA-2).

The DigiD numeric codes (10, 20, 25, 30) are the ones used in public municipal code; the
SAML AuthnContextClassRefs, eHerkenning LoA URNs and eIDAS LoA URIs are the schemes'
own identifiers.
"""

_LEVEL_SYNONYMS: dict[str, AssuranceLevel] = {
    "none": AssuranceLevel.NONE,
    "geen": AssuranceLevel.NONE,
    "basis": AssuranceLevel.BASIS,
    "low": AssuranceLevel.LOW,
    "laag": AssuranceLevel.LOW,
    "substantial": AssuranceLevel.SUBSTANTIAL,
    "substantieel": AssuranceLevel.SUBSTANTIAL,
    "high": AssuranceLevel.HIGH,
    "hoog": AssuranceLevel.HIGH,
}


_WHITE = re.compile("[\t\n\r \u00a0]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _norm(text: str) -> str:
    """A name as LOA-3 compares it: ASCII letters without case, white space (tab, line
    feed, carriage return, space, no-break space) trimmed and each run read as one space.

    >>> _norm("  DigiD\u00a0\tMidden ")
    'digid midden'
    >>> _norm("eher\u212aenning")  # the Kelvin sign is not a K: no Unicode case folding
    'eher\u212aenning'
    """
    return _WHITE.sub(" ", text).strip(" ").translate(_ASCII_LOWER)


def _build_index() -> dict[str, Credential]:
    index: dict[str, Credential] = {}
    for cred in CREDENTIALS:
        keys = [f"{cred.means.value} {cred.name}", *cred.identifiers]
        if cred.means is AuthMeans.EHERKENNING:
            keys.append(cred.name)  # "EH3" is unambiguous on its own
        if cred.means is AuthMeans.EIDAS:
            keys.append(f"eidas {cred.name}")
        for key in keys:
            index[_norm(key)] = cred
    return index


_INDEX = _build_index()


def _known_names() -> Iterable[str]:
    yield from _LEVEL_SYNONYMS
    for cred in CREDENTIALS:
        yield f"{cred.means.value} {cred.name}"


def parse_level(text: str | AssuranceLevel, field: str = "assurance") -> AssuranceLevel:
    """Parse an assurance level from a level name, a scheme name or a machine identifier.

    Accepted (case-insensitively): the standard's names (``none``, ``basis``, ``low``,
    ``substantial``, ``high``) and their Dutch forms (``geen``, ``laag``, ``substantieel``,
    ``hoog``); ``"DigiD Midden"``, ``"eHerkenning EH2+"`` or ``"EH2+"``, ``"eIDAS high"``;
    and every identifier in :data:`CREDENTIALS`. Anything else raises
    :class:`~digimaat.errors.UnknownNameError` naming the field and the value.
    """
    if isinstance(text, AssuranceLevel):
        return text
    if not isinstance(text, str):
        raise InvalidValueError(field, text, "must be a level name or identifier (a string)")
    key = _norm(text)
    if key in _LEVEL_SYNONYMS:
        return _LEVEL_SYNONYMS[key]
    if key in _INDEX:
        return _INDEX[key].level
    raise UnknownNameError(field, text, _known_names())


def credential(text: str) -> Credential:
    """Look up the scheme credential named or identified by ``text`` (``"DigiD Hoog"``, a URN)."""
    key = _norm(text)
    if key in _INDEX:
        return _INDEX[key]
    raise UnknownNameError(
        "authentication", text, (f"{c.means.value} {c.name}" for c in CREDENTIALS)
    )


def _authentication_names() -> frozenset[str]:
    """Every name :meth:`Authentication.from_name` reads, except machine identifiers."""
    canonical = {
        f"{means.value} {level.label}"
        for means, levels in _ALLOWED.items()
        if means is not AuthMeans.NONE
        for level in levels
    }
    schemes = {f"{cred.means.value} {cred.name}" for cred in CREDENTIALS}
    unknown = {means.value for means in AuthMeans if means is not AuthMeans.NONE}
    return frozenset({"none", *canonical, *schemes, *unknown})


_ALLOWED: dict[AuthMeans, frozenset[AssuranceLevel]] = {
    AuthMeans.NONE: frozenset({AssuranceLevel.NONE}),
    AuthMeans.DIGID: frozenset(c.level for c in CREDENTIALS if c.means is AuthMeans.DIGID),
    AuthMeans.EHERKENNING: frozenset(
        c.level for c in CREDENTIALS if c.means is AuthMeans.EHERKENNING
    ),
    AuthMeans.EIDAS: frozenset(c.level for c in CREDENTIALS if c.means is AuthMeans.EIDAS),
    AuthMeans.OWN_ACCOUNT: frozenset(set(AssuranceLevel) - {AssuranceLevel.NONE}),
}


def _to_means(value: str | AuthMeans) -> AuthMeans:
    return AuthMeans.parse(value, "authentication.means")


def _to_level(value: str | AssuranceLevel | None) -> AssuranceLevel | None:
    if value is None:
        return None
    return parse_level(value, "authentication.level")


def _check_pair(
    instance: Authentication,
    attribute: attrs.Attribute[AssuranceLevel | None],
    value: AssuranceLevel | None,
) -> None:
    if instance.level is None:
        if instance.means is AuthMeans.NONE:
            raise InvalidValueError(
                "authentication.level",
                None,
                "must be none when the means is none: no authentication has no unknown level",
            )
        return
    allowed = _ALLOWED[instance.means]
    if instance.level not in allowed:
        names = ", ".join(level.label for level in sorted(allowed))
        raise InvalidValueError(
            "authentication.level",
            instance.level.label,
            f"is not a level that {instance.means.value} provides (allowed: {names})",
        )


@attrs.frozen
@shared_repr
@shared_eq
class Authentication:
    """The authentication an offering asks of its users: a means and an assurance level (LOA-4).

    Build it with :meth:`from_name` from a scheme name or identifier, or from its parts.
    The level is ``None`` when the means is known and its level is not (LOA-4.1): the fit
    of such an authentication is unknown (LOA-7), never taken as one of the levels.
    """

    means: AuthMeans = attrs.field(converter=_to_means)
    level: AssuranceLevel | None = attrs.field(converter=_to_level, validator=_check_pair)

    @classmethod
    def none(cls) -> Authentication:
        """No authentication."""
        return cls(AuthMeans.NONE, AssuranceLevel.NONE)

    @classmethod
    def from_name(cls, text: str) -> Authentication:
        """Build from ``"none"``, a scheme name (``"DigiD Midden"``, ``"EH3"``) or an identifier.

        A means on its own (``"digid"``, ``"eHerkenning"``) is that means at an unknown
        level (LOA-4.1).

        >>> Authentication.from_name("none").level
        <AssuranceLevel.NONE: 0>
        >>> Authentication.from_name(" eHerkenning ").level is None
        True
        """
        if not isinstance(text, str):
            raise InvalidValueError("authentication", text, "must be a scheme name or identifier")
        key = _norm(text)
        if key in ("none", "geen"):
            return cls.none()
        for means in AuthMeans:
            if means is not AuthMeans.NONE and key in _spellings(means):
                return cls(means, None)
            # The canonical form "<means> <level>", e.g. "digid low" or "own-account high";
            # the means may be written with a space or an underscore instead of the hyphen.
            for spelling in _spellings(means):
                level_text = key.removeprefix(spelling + " ")
                if level_text != key and level_text in _LEVEL_SYNONYMS:
                    return cls(means, level_text)
        if key in _INDEX:
            cred = _INDEX[key]
            return cls(cred.means, cred.level)
        raise UnknownNameError("authentication", text, _authentication_names())

    @property
    def name(self) -> str:
        """The canonical name, which :meth:`from_name` reads (LOA-4, LOA-4.1).

        ``"none"``, ``"<means> <level>"``, or the means alone when its level is unknown.

        >>> Authentication.from_name("DigiD Substantieel").name
        'digid substantial'
        >>> smartcard = "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard"
        >>> Authentication.from_name("digid substantial") == Authentication.from_name(smartcard)
        True
        """
        if self.means is AuthMeans.NONE:
            return "none"
        means: str = self.means.value
        if self.level is None:
            return means
        return f"{means} {self.level.label}"


def _spellings(means: AuthMeans) -> frozenset[str]:
    """A means' name as a reader accepts it: with a space or an underscore for its hyphen."""
    return frozenset({means.value, means.value.replace("-", " "), means.value.replace("-", "_")})


def _lowest_possible(means: AuthMeans) -> AssuranceLevel:
    """The lowest level a means provides (LOA-5): what an unknown level of it may be."""
    return min(_ALLOWED[means])


def _options(values: Iterable[Authentication | str]) -> tuple[Authentication, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidValueError("authentication", values, "must be a list of authentications")
    out: list[Authentication] = []
    for value in values:
        option = value if isinstance(value, Authentication) else Authentication.from_name(value)
        if option in out:
            raise InvalidValueError(
                "authentication", option.name, "names the same means and level twice", "LOA-4.2"
            )
        out.append(option)
    if len(out) < 2:
        raise InvalidValueError(
            "authentication", [o.name for o in out], "several means need at least two", "LOA-4.2"
        )
    order = {means: k for k, means in enumerate(AuthMeans)}
    return tuple(
        sorted(out, key=lambda o: (order[o.means], -1 if o.level is None else int(o.level)))
    )


@attrs.frozen
@shared_repr
@shared_eq
class AuthenticationOptions:
    """Several means an offering accepts, any one of which a user may choose (LOA-4.2).

    "DigiD Midden or eHerkenning EH3": a resident logs in with DigiD, a business with
    eHerkenning. Fit is judged on the weakest accepted means (LOA-7): a user may take the
    easiest way in, and so may anyone who should not get in.

    >>> options = authentication_of("DigiD Midden / eHerkenning EH3")
    >>> options.name, options.level
    ('digid low / eherkenning substantial', <AssuranceLevel.LOW: 2>)
    >>> authentication_of("digid / eherkenning eh1").level  # DigiD could be Basis: unknown
    >>> authentication_of("digid basis / eherkenning").level  # nothing can be lower
    <AssuranceLevel.BASIS: 1>
    """

    options: tuple[Authentication, ...] = attrs.field(converter=_options)

    @property
    def level(self) -> AssuranceLevel | None:
        """The effective level (LOA-7): the lowest level among the accepted means.

        It is unknown (``None``) when a means of unknown level could provide a level below
        the lowest known one.
        """
        known = [o.level for o in self.options if o.level is not None]
        lowest = min(known) if known else None
        for option in self.options:
            if option.level is None and (lowest is None or _lowest_possible(option.means) < lowest):
                return None
        return lowest

    @property
    def means(self) -> AuthMeans:
        """The means of the weakest accepted option (the first at the effective level)."""
        level = self.level
        for option in self.options:
            if option.level == level:
                return option.means
        return self.options[0].means

    @property
    def name(self) -> str:
        """The canonical name: the options' canonical names, joined by ``" / "`` (LOA-4.2)."""
        return " / ".join(option.name for option in self.options)


_SEPARATOR = re.compile(r"\s*(?:/|\||;|,|\bof\b|\bor\b)\s*", re.IGNORECASE)


def authentication_of(
    value: str | Authentication | AuthenticationOptions | Iterable[str],
) -> Authentication | AuthenticationOptions:
    """One authentication, or several accepted means, from their written form (LOA-4).

    Several means are written as one text, the names separated by ``/``, ``|``, ``;``,
    ``,``, ``or`` or ``of`` (``"DigiD Midden / eHerkenning EH3"``), or given as a list.
    """
    if isinstance(value, Authentication | AuthenticationOptions):
        return value
    if isinstance(value, str):
        try:  # a name or an identifier (an eIDAS URI holds "/")
            return Authentication.from_name(value)
        except InvalidValueError:
            parts = [part for part in _SEPARATOR.split(value.strip()) if part]
            if len(parts) <= 1:
                raise
        return AuthenticationOptions(tuple(parts))
    if isinstance(value, Iterable):
        items = list(value)
        if len(items) == 1:
            return authentication_of(items[0])
        return AuthenticationOptions(tuple(items))
    raise InvalidValueError("authentication", value, "must be a scheme name or identifier")


guard(__name__)
