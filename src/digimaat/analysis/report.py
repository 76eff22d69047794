"""The HTML report: score cards, charts, peers and trends for people (specification chapter CMP).

:func:`render_report` writes one self-contained HTML page: styles and charts (inline SVG,
drawn by :mod:`digimaat.plot`) are in the page, nothing is fetched, and no script is
needed to read it. Per municipality it shows the score card, the distribution of its
products over the ladder, the contributions of its products, authentication barriers and
shortfalls, what to digitise next, its place among its peers and, when several reference
years are given, its trend. Every chart has its numbers in a table beside it, and every
text that comes from data is escaped.

Every text the report shows a reader is in one table, :data:`MESSAGES`, in Dutch and
English; :func:`text` looks a message up.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from digimaat._boundary import guard
from digimaat.analysis.peers import Comparison, PeerGroup, PeerGroups, compare, size_class_groups
from digimaat.analysis.trends import YearData, trend
from digimaat.errors import InputError, InvalidValueError, Problem
from digimaat.measurement.aggregation import display
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import Metric
from digimaat.measurement.profiles import Profile
from digimaat.vocabulary.maturity import MaturityLevel
from digimaat.vocabulary.municipalities import cbs_register

__all__ = [
    "LANGUAGES",
    "MESSAGES",
    "count",
    "escape",
    "group_label",
    "level_name",
    "metric_name",
    "percent",
    "percentile",
    "points",
    "render_report",
    "text",
]

LANGUAGES: Final = ("nl", "en")
"""The languages of the report: Dutch and English."""

_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # key: (English, Dutch)
    "title": ("digimaat report", "digimaat-rapport"),
    "lead": (
        "The digital services of {count} municipalities, scored with the profile {profile}, "
        "reference year {year}.",
        "De digitale dienstverlening van {count} gemeenten, gemeten met het profiel {profile},"
        " peiljaar {year}.",
    ),
    "contents": ("Municipalities", "Gemeenten"),
    "about": ("About these figures", "Over deze cijfers"),
    "spec_version": ("Specification version", "Versie van de specificatie"),
    "profile": ("Profile", "Profiel"),
    "fingerprint": ("Profile fingerprint", "Vingerafdruk van het profiel"),
    "computed_by": ("Computed by", "Berekend met"),
    "sources": ("Data sources", "Gegevensbronnen"),
    "no_source": ("the file names no source", "het bestand noemt geen bron"),
    "peer_basis": ("Peer groups", "Vergelijkingsgroepen"),
    "years": ("Reference years", "Peiljaren"),
    "population": ("Population", "Inwoners"),
    "size_class": ("CBS size class", "CBS-gemeentegrootteklasse"),
    "rounding": (
        "Percentages are rounded for display only; the numbers behind them are exact.",
        "Percentages zijn alleen voor de weergave afgerond; de cijfers erachter zijn exact.",
    ),
    "na": ("n/a", "n.v.t."),
    "table_of": ("The numbers of the chart", "De cijfers van de grafiek"),
    # the score card
    "card": ("Score card", "Scorekaart"),
    "card.caption": (
        "Every metric of the profile {profile}, in percent",
        "Alle maatstaven van het profiel {profile}, in procenten",
    ),
    "card.alt": (
        "Bar chart of the {count} metrics of {name}; {headline}: {score}.",
        "Staafdiagram van de {count} maatstaven van {name}; {headline}: {score}.",
    ),
    "metric": ("Metric", "Maatstaf"),
    "value": ("Value", "Waarde"),
    "coverage": ("Coverage", "Dekking"),
    "better": ("Better when", "Beter als"),
    "higher": ("higher", "hoger"),
    "lower": ("lower", "lager"),
    "lower_mark": ("(lower is better)", "(lager is beter)"),
    "headline": ("the score", "de score"),
    "percent_axis": ("percent", "procent"),
    # the ladder
    "ladder": ("Products on the maturity ladder", "Producten op de volwassenheidsladder"),
    "ladder.caption": (
        "Number of products at each level; {unknown} with the level unknown, {not_offered} not"
        " offered, {not_applicable} not applicable",
        "Aantal producten op elk niveau; van {unknown} is het niveau onbekend, {not_offered} "
        "niet aangeboden, {not_applicable} niet van toepassing",
    ),
    "ladder.alt": (
        "Bar chart of {offered} offered products by maturity level.",
        "Staafdiagram van {offered} aangeboden producten naar volwassenheidsniveau.",
    ),
    "level": ("Level", "Niveau"),
    "products": ("Products", "Producten"),
    "unknown": ("level unknown", "niveau onbekend"),
    "level.0": ("0 offline", "0 offline"),
    "level.1": ("1 information online", "1 informatie online"),
    "level.2": ("2 form to download", "2 formulier downloaden"),
    "level.3": ("3 online submission", "3 online aanvragen"),
    "level.4": ("4 fully online", "4 volledig online"),
    "level.5": ("5 pre-filled", "5 vooraf ingevuld"),
    "level.6": ("6 proactive", "6 proactief"),
    # contributions
    "parts": ("What each product contributes", "Wat elk product bijdraagt"),
    "parts.caption": (
        "The {metric} of {value} is the sum of these contributions, in percentage points",
        "De {metric} van {value} is de som van deze bijdragen, in procentpunten",
    ),
    "parts.alt": (
        "Bar chart of the contributions of the products to {metric}.",
        "Staafdiagram van de bijdragen van de producten aan {metric}.",
    ),
    "product": ("Product", "Product"),
    "contribution": ("Contribution", "Bijdrage"),
    "others": ("{count} other products", "{count} andere producten"),
    "total": ("Total", "Totaal"),
    "points_axis": ("percentage points", "procentpunten"),
    # authentication
    "auth": ("Authentication: barriers and shortfalls", "Authenticatie: drempels en tekorten"),
    "auth.caption": (
        "Products submitted online whose required assurance is known, by the fit of the "
        "authentication asked",
        "Online aan te vragen producten met een bekend vereist betrouwbaarheidsniveau, naar de"
        " passendheid van de gevraagde authenticatie",
    ),
    "auth.alt": (
        "Bar chart: {match} fit, {barrier} barriers, {shortfall} shortfalls, {unrecorded} not "
        "recorded.",
        "Staafdiagram: {match} passend, {barrier} drempels, {shortfall} tekorten, {unrecorded}"
        " niet vastgelegd.",
    ),
    "outcome": ("Outcome", "Uitkomst"),
    "auth.match": ("fits the need", "past bij de behoefte"),
    "auth.barrier": ("barrier: more asked than needed", "drempel: meer gevraagd dan nodig"),
    "auth.shortfall": ("shortfall: less asked than needed", "tekort: minder gevraagd dan nodig"),
    "auth.unrecorded": ("not recorded", "niet vastgelegd"),
    "auth.findings": (
        "Products whose authentication does not fit",
        "Producten waarvan de authenticatie niet past",
    ),
    "auth.none": (
        "No product asks more or less than it needs.",
        "Geen product vraagt meer of minder dan nodig.",
    ),
    "asked": ("Asked", "Gevraagd"),
    "needed": ("Needed", "Nodig"),
    # what next
    "next": ("What to digitise next", "Wat als eerste digitaliseren"),
    "next.caption": (
        "The rise of the score if one product reached its target, in percentage points; each "
        "step on its own, the gains do not add up",
        "De stijging van de score als één product zijn doel bereikt, in procentpunten; elke "
        "stap op zichzelf, de winsten tellen niet op",
    ),
    "next.alt": (
        "Bar chart of the gain of the {count} steps with the largest gain.",
        "Staafdiagram van de winst van de {count} stappen met de grootste winst.",
    ),
    "next.none": (
        "Every offered product has reached its target.",
        "Elk aangeboden product heeft zijn doel bereikt.",
    ),
    "gain": ("Gain", "Winst"),
    "now": ("Level now", "Niveau nu"),
    "target": ("Target", "Doel"),
    "offline_requests": ("Offline requests a year", "Niet-digitale aanvragen per jaar"),
    # peers
    "peers": ("Place among peers", "Plaats tussen vergelijkbare gemeenten"),
    "peers.caption": (
        "Each metric within each group: the group's mean and median, and the rank and "
        "percentile of {name}",
        "Elke maatstaf binnen elke groep: het gemiddelde en de mediaan van de groep, en de "
        "rang en het percentiel van {name}",
    ),
    "peers.alt": (
        "Dot chart of {metric} for the members of each group, {name} marked.",
        "Stippendiagram van {metric} voor de leden van elke groep, {name} gemarkeerd.",
    ),
    "group": ("Group", "Groep"),
    "mean": ("Mean", "Gemiddelde"),
    "median": ("Median", "Mediaan"),
    "rank": ("Rank", "Rang"),
    "percentile": ("Percentile", "Percentiel"),
    "rank_of": ("{rank} of {count}", "{rank} van {count}"),
    "group.all": (
        "All {count} municipalities in the data",
        "Alle {count} gemeenten in de gegevens",
    ),
    "group.national": (
        "All municipalities of the Netherlands ({count})",
        "Alle gemeenten van Nederland ({count})",
    ),
    "group.size": ("Size class {code}: {label}", "Grootteklasse {code}: {label}"),
    "group.size_short": ("Size class {code} ({count})", "Grootteklasse {code} ({count})"),
    "group.counts": (
        "{count} with a value, {undefined} without, {absent} not in the data",
        "{count} met een waarde, {undefined} zonder, {absent} niet in de gegevens",
    ),
    "this": ("this municipality", "deze gemeente"),
    "members": ("members", "leden"),
    "size.1": ("fewer than 5,000 inhabitants", "minder dan 5.000 inwoners"),
    "size.2": ("5,000 to 10,000 inhabitants", "5.000 tot 10.000 inwoners"),
    "size.3": ("10,000 to 20,000 inhabitants", "10.000 tot 20.000 inwoners"),
    "size.4": ("20,000 to 50,000 inhabitants", "20.000 tot 50.000 inwoners"),
    "size.5": ("50,000 to 100,000 inhabitants", "50.000 tot 100.000 inwoners"),
    "size.6": ("100,000 to 150,000 inhabitants", "100.000 tot 150.000 inwoners"),
    "size.7": ("150,000 to 250,000 inhabitants", "150.000 tot 250.000 inwoners"),
    "size.8": ("250,000 inhabitants or more", "250.000 inwoners of meer"),
    # uncertainty (chapter UNC)
    "unc": ("How sure is the place?", "Hoe zeker is de plaats?"),
    "unc.caption": (
        "Each metric over {count} samples of the profile's uncertainty section: the value as "
        "declared, its 5 % and 95 % quantiles, and the rank among all {total} municipalities "
        "(1 = best)",
        "Elke maatstaf over {count} trekkingen uit de onzekerheidssectie van het profiel: de "
        "waarde zoals gedeclareerd, het 5%- en 95%-kwantiel, en de rang onder alle {total} "
        "gemeenten (1 = beste)",
    ),
    "unc.alt": (
        "Interval chart of the metrics of {name}: each bar runs from the 5 % to the 95 % "
        "quantile of the value, the dot is the value as declared.",
        "Intervaldiagram van de maatstaven van {name}: elke balk loopt van het 5%- tot het "
        "95%-kwantiel van de waarde, de stip is de waarde zoals gedeclareerd.",
    ),
    "unc.band": ("5 % to 95 % of the samples", "5% tot 95% van de trekkingen"),
    "unc.declared": ("as declared", "zoals gedeclareerd"),
    "unc.low": ("5 %", "5%"),
    "unc.high": ("95 %", "95%"),
    "unc.median_rank": ("Median rank", "Mediane rang"),
    "unc.ranks": ("Rank 5–95 %", "Rang 5–95%"),
    "unc.defined": ("Defined in", "Bepaald in"),
    "unc.pairs": (
        "The probability that one municipality ranks above the other",
        "De kans dat de ene gemeente hoger staat dan de andere",
    ),
    "unc.first": ("Ranks above", "Staat hoger"),
    "unc.second": ("Than", "Dan"),
    "unc.probability": ("Probability", "Kans"),
    "unc.about": ("Uncertainty analysis", "Onzekerheidsanalyse"),
    "unc.design.exhaustive": (
        "every one of {count} combinations (an exhaustive design); varied: {groups}",
        "elk van {count} combinaties (een volledig ontwerp); gevarieerd: {groups}",
    ),
    "unc.design.sampled": (
        "{count} samples drawn with seed {seed} (a sampled design); varied: {groups}",
        "{count} trekkingen met seed {seed} (een steekproefontwerp); gevarieerd: {groups}",
    ),
    # trend
    "trend": ("Trend over the years", "Ontwikkeling door de jaren"),
    "trend.caption": (
        "Every metric in each reference year, in percent",
        "Elke maatstaf in elk peiljaar, in procenten",
    ),
    "trend.alt": (
        "Line chart of {metric} of {name} in {years}.",
        "Lijndiagram van {metric} van {name} in {years}.",
    ),
    "year": ("Year", "Jaar"),
    "absent": ("not in the data", "niet in de gegevens"),
    "change": ("What changed from {start} to {end}", "Wat veranderde van {start} tot {end}"),
    "change.caption": (
        "{metric}: {before} in {start} and {after} in {end}; the change of {change} percentage"
        " points is the sum of the changes per product",
        "{metric}: {before} in {start} en {after} in {end}; de verandering van {change} "
        "procentpunten is de som van de veranderingen per product",
    ),
    "change.undefined": (
        "{metric} is not defined in both years, so its change is not explained.",
        "{metric} is niet in beide jaren bepaald; de verandering wordt niet verklaard.",
    ),
    "before": ("Before", "Voor"),
    "after": ("After", "Na"),
    "difference": ("Change", "Verandering"),
    "what_moved": ("What moved", "Wat bewoog"),
    "moved.up": ("up the ladder", "hoger op de ladder"),
    "moved.down": ("down the ladder", "lager op de ladder"),
    "moved.status": ("status", "status"),
    "moved.authentication": ("authentication", "authenticatie"),
    "moved.volume": ("volume", "volume"),
    "moved.weight": ("weight only", "alleen gewicht"),
    "differences": ("The years differ: {what}", "De jaren verschillen: {what}"),
    # authentication means and assurance levels
    "means.none": ("no authentication", "geen authenticatie"),
    "means.digid": ("DigiD", "DigiD"),
    "means.eherkenning": ("eHerkenning", "eHerkenning"),
    "means.eidas": ("eIDAS", "eIDAS"),
    "means.own-account": ("own account", "eigen account"),
    "assurance.none": ("none", "geen"),
    "assurance.basis": ("basis", "basis"),
    "assurance.low": ("low", "laag"),
    "assurance.substantial": ("substantial", "substantieel"),
    "assurance.high": ("high", "hoog"),
    # how peer groups were formed
    "basis.data": (
        "CBS size classes by the population in the data",
        "CBS-grootteklassen naar het inwonertal in de gegevens",
    ),
    "basis.register": (
        "CBS size classes by the population on 1 January {year} ({source})",
        "CBS-grootteklassen naar het inwonertal op 1 januari {year} ({source})",
    ),
    "basis.file": ("the groups of {file}", "de groepen uit {file}"),
}

MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    key: {"en": en, "nl": nl} for key, (en, nl) in _MESSAGES.items()
}
"""Every text of the report, by key and language (``"en"``, ``"nl"``)."""


# Dutch names of the metrics of the built-in profiles, used where a profile's metric has
# the built-in id and title (a profile that reuses an id for something else keeps its title).
_METRIC_NL: Final[Mapping[tuple[str, str], str]] = {
    ("maturity", "Maturity (level score, level / 6)"): "Volwassenheid (niveauscore, niveau / 6)",
    ("fully-online", "Fully online (SDG art. 6(2))"): "Volledig online (SDG art. 6(2))",
    ("online-submission", "Can be submitted online"): "Online aan te vragen",
    ("attainment", "Attainment of the reference target"): "Bereiken van het referentiedoel",
    (
        "local-attainment",
        "Attainment of local targets (maatwerk)",
    ): "Bereiken van lokale doelen (maatwerk)",
    (
        "authentication-fit",
        "Authentication fits the product's need",
    ): "Authenticatie past bij het product",
    (
        "authentication-barrier",
        "More assurance asked than needed",
    ): "Meer zekerheid gevraagd dan nodig",
    (
        "authentication-shortfall",
        "Less assurance asked than needed",
    ): "Minder zekerheid gevraagd dan nodig",
    ("uptake", "Share of requests through digital channels"): "Aandeel digitale aanvragen",
    (
        "success-ratio",
        "Web forms completed / started (succesratio)",
    ): "Webformulieren voltooid / gestart (succesratio)",
    ("digimaat-score", "digimaat score"): "digimaat-score",
    ("mdd-maturity", "MDD product maturity (0-100 % as a share)"): "MDD-productvolwassenheid",
    (
        "online-availability",
        "EU eGovernment Benchmark online availability",
    ): "Online beschikbaarheid (EU eGovernment Benchmark)",
}


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (``"nl"`` or ``"en"``), with ``values`` filled in.

    >>> from digimaat.analysis.report import text
    >>> text("rank_of", "nl", rank=2, count=3)
    '2 van 3'
    """
    try:
        message = MESSAGES[key][lang]
    except KeyError:
        raise KeyError(f"no message {key!r} in language {lang!r}") from None
    return message.format(**values) if values else message


def metric_name(metric: Metric, lang: str) -> str:
    """A metric's name for people: its title, in Dutch where the built-in metric has one."""
    if lang == "nl":
        return _METRIC_NL.get((metric.id, metric.title), metric.title or metric.id)
    return metric.title or metric.id


def level_name(level: MaturityLevel | int, lang: str) -> str:
    """A maturity level's name with its number, e.g. ``"4 fully online"``."""
    return text(f"level.{int(level)}", lang)


def group_label(comparison: Comparison, group: PeerGroup, lang: str, *, short: bool = False) -> str:
    """A peer group's name for people: its size class, every municipality, or its own name.

    ``short`` leaves out the bounds of a size class and adds the number of members.
    """
    if group.kind == "all":
        key = "group.national" if comparison.national else "group.all"
        return text(key, lang, count=len(group.members))
    if group.kind == "size-class" and group.size_class is not None:
        if short:
            return text("group.size_short", lang, code=group.size_class, count=len(group.members))
        label = text(f"size.{group.size_class}", lang)
        return text("group.size", lang, code=group.size_class, label=label)
    return f"{group.name} ({len(group.members)})" if short else group.name


def _decimal(number: str, lang: str) -> str:
    return number.replace(".", ",") if lang == "nl" else number


def percent(value: float | None, lang: str, decimals: int = 1) -> str:
    """A value in [0, 1] as a percentage rounded for display (AGG-9): ``"58.3%"``, ``"58,3%"``."""
    if value is None or math.isnan(value):
        return text("na", lang)
    return _decimal(display(value * 100, decimals), lang) + "%"


def points(value: float | None, lang: str, decimals: int = 2, sign: bool = False) -> str:
    """A difference of values in percentage points, rounded for display: ``"+4.17"``."""
    if value is None or math.isnan(value):
        return text("na", lang)
    shown = display(value * 100, decimals)
    if sign and not shown.startswith("-"):
        shown = "+" + shown
    return _decimal(shown, lang)


def percentile(value: float | None, lang: str) -> str:
    """A percentile (0 to 100, CMP-8) rounded for display to one decimal: ``"62.5"``."""
    if value is None or math.isnan(value):
        return text("na", lang)
    return _decimal(display(value, 1), lang)


def count(value: float | None, lang: str) -> str:
    """A count or a number of requests, rounded to a whole number, with thousands separators."""
    if value is None or math.isnan(value):
        return text("na", lang)
    shown = f"{round(value):,}"
    return shown.replace(",", ".") if lang == "nl" else shown


def escape(value: object) -> str:
    """Text from data made safe in HTML (every text from data is untrusted)."""
    return html.escape(str(value), quote=True)


def _basis(register_year: int | None, peers: PeerGroups | None, board: Any, lang: str) -> str:
    """How the peer groups of a report were formed, for people (CMP-2, CMP-3)."""
    if register_year is None:
        basis = text("basis.data", lang)
    else:
        register = cbs_register(register_year)
        basis = text("basis.register", lang, year=register.year, source=register.source)
    if peers is not None:
        basis += "; " + text("basis.file", lang, file=peers.basis)
    return basis


def render_report(
    data: Mapping[int, YearData | Dataset],
    profile: Profile,
    *,
    municipalities: Sequence[str] | None = None,
    peers: PeerGroups | None = None,
    register_year: int | None = None,
    lang: str = "en",
    top: int = 10,
    progress: Callable[[int, int], None] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    pairs: Sequence[tuple[str, str]] = (),
) -> str:
    """The HTML report of the data of one or more reference years (year -> data).

    The latest year is reported; with several years, each municipality also gets its
    trend and the explanation of its change from the first year to the last. Peer groups
    are the CBS size classes (by the population in the data, or in the CBS register of
    ``register_year``), followed by ``peers`` when given. ``municipalities`` (CBS codes)
    chooses whom to report, by default every municipality of the latest year.
    ``progress``, when given, is called with ``(municipalities written, municipalities
    in all)`` before the first and after each (for a progress bar).

    With ``samples`` and ``seed`` (a profile that declares an uncertainty section, chapter
    UNC) each municipality also gets the intervals of its values and ranks, and every rank
    among peers its rank interval (UNC-7, UNC-7.3); ``pairs`` of CBS codes add the
    probability that the first ranks above the second (UNC-8).
    """
    if lang not in LANGUAGES:
        raise InvalidValueError("lang", lang, f"must be one of {LANGUAGES}")
    if not data:
        raise InvalidValueError("data", {}, "a report needs the data of one year at least")
    trend_ = trend(data, profile)
    board = trend_.years[-1].board
    assert board is not None
    groups = size_class_groups(board, register_year=register_year)
    if peers is not None:
        groups = groups.combine(peers)
    comparison = compare(board, groups, year=trend_.years[-1].year)
    codes = list(dict.fromkeys(board.dataset.codes if municipalities is None else municipalities))
    unknown = [c for c in codes if c not in board.dataset.codes]
    if unknown:
        raise InputError([Problem("municipality", c, "is not in the data") for c in unknown])
    intervals = None
    if samples is not None or seed is not None or pairs:
        if samples is None or seed is None:
            raise InvalidValueError("samples", samples, "rank intervals need samples and a seed")
        from digimaat.analysis.uncertainty import analyse

        intervals = analyse(
            board.dataset,
            profile,
            samples=samples,
            seed=seed,
            metrics=[m.id for m in profile.metrics],
            pairs=pairs,
            within={g.name: g.members for g in groups.groups},
        )
    from digimaat.analysis._html import Page

    page = Page(trend_, comparison, lang, top, _basis(register_year, peers, board, lang), intervals)
    return page.document(codes, progress)


guard(__name__)
