"""SCI-4 to SCI-7: products, repairs, and the capabilities a published record shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.exchange.sc import (
    PLACEHOLDER,
    ApplicationKind,
    ScImport,
    application_kind,
    evidence_of,
    import_sc,
    read_records,
    repair_upl,
)
from digimaat.exchange.sc.mapping import REPAIRS
from digimaat.vocabulary.assurance import AuthMeans
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.products import UPL_NAMESPACE
from tests.exchange.sc.conftest import entry

C = Capability
HTTPS = "https://standaarden.overheid.nl/owms/terms/"


# -- SCI-4 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "uri", "repairs"),
    [
        (UPL_NAMESPACE + "paspoort", UPL_NAMESPACE + "paspoort", ()),
        (" " + UPL_NAMESPACE + "paspoort\n", UPL_NAMESPACE + "paspoort", ("whitespace",)),
        ("h" + UPL_NAMESPACE + "paspoort", UPL_NAMESPACE + "paspoort", ("hhttp",)),
        (HTTPS + "paspoort", UPL_NAMESPACE + "paspoort", ("https",)),
        (UPL_NAMESPACE * 3 + "paspoort", UPL_NAMESPACE + "paspoort", ("doubled-prefix",)),
        (UPL_NAMESPACE + HTTPS + "paspoort", UPL_NAMESPACE + "paspoort", ("doubled-prefix",)),
        ("http://example.org/paspoort", "http://example.org/paspoort", ()),
        (UPL_NAMESPACE + "paspoot", UPL_NAMESPACE + "paspoot", ()),  # a misspelling: not guessed
    ],
)  # fmt: skip
def test_repairs_where_the_intent_is_unambiguous(
    published: str, uri: str, repairs: tuple[str, ...]
) -> None:
    """SCI-4: A published UPL URI MUST be repaired where, and only where, the intent is
    unambiguous, and each repair MUST be counted ... No other change is made."""
    assert repair_upl(published) == (uri, repairs)


@pytest.mark.property
@given(st.text(max_size=60), st.sampled_from(["", " ", "h", "https", "twice"]))
def test_a_repaired_uri_needs_no_further_repair(tail: str, damage: str) -> None:
    """SCI-4: repairs are made once: a repaired URI is left as it is, and the repairs named
    are among the four kinds."""
    published = UPL_NAMESPACE + tail
    if damage == "h":
        published = "h" + published
    elif damage == "https":
        published = published.replace("http://", "https://", 1)
    elif damage == "twice":
        published = UPL_NAMESPACE + published
    elif damage == " ":
        published = f" {published} "
    uri, made = repair_upl(published)
    assert set(made) <= set(REPAIRS)
    assert repair_upl(uri) == (uri, ())


def test_repairs_of_the_harvest_are_counted(imported: ScImport) -> None:
    """SCI-4: each repair MUST be counted: Waddinxveen's 225 doubled prefixes, and the 11
    https:// URIs of each of Maassluis, Vlaardingen and Schiedam (SOURCE.md)."""
    assert entry(imported, "Waddinxveen_(gemeente)")["repairs"]["doubled-prefix"] == 225  # type: ignore[index]
    for name in ("Maassluis", "Vlaardingen", "Schiedam"):
        assert entry(imported, f"{name}_(gemeente)")["repairs"]["https"] == 11  # type: ignore[index]


def test_national_repairs(national: ScImport) -> None:
    """SCI-4 on the whole harvest: doubled prefixes 1,531 and https:// 33 (SOURCE.md)."""
    repairs = national.summary.national.repairs
    assert (repairs["doubled-prefix"], repairs["https"]) == (1531, 33)


# -- SCI-4.1 ---------------------------------------------------------------------------------


def test_the_placeholder_and_unknown_uris_are_counted_never_scored(imported: ScImport) -> None:
    """SCI-4.1: Any other URI means product unknown: it MUST be counted, with its reason, and
    never scored as a product. Schiedam and the municipality of Groningen carry nearly only
    the placeholder (SOURCE.md)."""
    products = {o.product for o in imported.submission.offerings}
    assert PLACEHOLDER not in products
    assert all(p.startswith(UPL_NAMESPACE) for p in products)
    for name, records in (("Schiedam_(gemeente)", 115), ("Groningen_(gemeente)", 648)):
        found = entry(imported, name)
        assert found["unknown_products"]["placeholder"] > records * 0.8  # type: ignore[index]
    catalogue = imported.submission.catalogue
    assert all(catalogue.get(p).reference for p in products)


def test_without_a_list_every_unknown_uri_is_not_in_the_catalogue(
    raw: Path, imported: ScImport
) -> None:
    """SCI-4.1: not-in-catalogue ... or any URI outside the catalogue when no list is given;
    not-on-list: a URI on no list given."""
    with_list = imported.summary.national
    without = import_sc([raw]).summary.national
    assert without.unknown_products["not-on-list"] == 0
    assert sum(without.unknown_products.values()) == sum(with_list.unknown_products.values())
    assert with_list.unknown_products["not-on-list"] > 0


def test_a_record_with_several_products_is_evidence_for_each(raw: Path, imported: ScImport) -> None:
    """SCI-4.1: a record with several such URIs is evidence for an offering of each."""
    catalogue = imported.submission.catalogue
    with (raw / "Vlaardingen.xml").open("rb") as stream:
        records = [r for r in read_records(stream, "Vlaardingen.xml") if not hasattr(r, "field")]
    several = []
    for record in records:
        uris = {repair_upl(u)[0] for u in record.upl}  # type: ignore[union-attr]
        known = {u for u in uris if u in catalogue and not catalogue.get(u).placeholder}
        if len(known) > 1:
            several.append((record.identifier, known))  # type: ignore[union-attr]
    assert several, "Vlaardingen has records with several products"
    by_product = {o.product: o for o in imported.submission.offerings if o.municipality == "GM0622"}
    for identifier, known in several:
        for uri in known:
            assert identifier in by_product[uri].provenance.records  # type: ignore[union-attr]


# -- SCI-5, SCI-6 ----------------------------------------------------------------------------

INFO = {C.INFORMATION_ONLINE}
FORM = {C.INFORMATION_ONLINE, C.DOWNLOADABLE_FORM}
SUBMIT = {C.INFORMATION_ONLINE, C.ONLINE_SUBMISSION}
DIGID = {C.INFORMATION_ONLINE, C.ONLINE_SUBMISSION, C.REMOTE_IDENTIFICATION}
WEB, PDF, DOC = "https://x.nl/aanvraag", "https://x.nl/form.pdf", "https://x.nl/f.DOCX"


@pytest.mark.parametrize(
    ("online", "address", "capabilities", "digid", "rank", "verified"),
    [
        ("nee", None, INFO, False, 1, True),
        ("nee", WEB, INFO, False, 1, True),
        ("nee", "mailto:a@x.nl", INFO, False, 1, True),
        ("nee", PDF, FORM, False, 2, True),
        ("ja", PDF, FORM, False, 2, True),
        ("digid", DOC, FORM, False, 2, True),
        ("ja", "mailto: a@x.nl", INFO, False, 1, False),
        ("digid", "MAILTO:a@x.nl", INFO, False, 1, False),
        ("ja", None, SUBMIT, False, 3, False),
        ("ja", "tel:0101234567", SUBMIT, False, 3, False),
        ("ja", WEB, SUBMIT, False, 4, True),
        ("digid", None, DIGID, True, 5, False),
        ("digid", "https://www.digid.nl", DIGID, True, 5, False),
        ("digid", WEB, DIGID, True, 6, True),
    ],
)
def test_the_table_of_sci5(
    online: str,
    address: str | None,
    capabilities: set[Capability],
    digid: bool,
    rank: int,
    verified: bool,
) -> None:
    """SCI-5: the capabilities an offering records from one record are those of the table
    below (together with SCI-6), and no others."""
    evidence = evidence_of(online, address)
    assert evidence.capabilities == frozenset(capabilities)
    assert (evidence.rank, evidence.verified) == (rank, verified)
    if digid:
        assert evidence.authentication is not None
        assert evidence.authentication.means is AuthMeans.DIGID
        assert evidence.authentication.level is None  # LOA-4.1: DigiD, level unknown
    else:
        assert evidence.authentication is None
    assert evidence.level <= MaturityLevel.ONLINE_SUBMISSION  # SCI-7


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        (None, "none"), ("  ", "none"), ("mailto:a@x.nl", "email"), (" MailTo: a@x.nl", "email"),
        ("https://x.nl/a.pdf", "pdf"), ("https://x.nl/a.PDF?x=1#p", "pdf"), ("/form.doc", "doc"),
        ("https://x.nl/a.docx", "doc"), ("http://x.nl/aanvraag", "web"), (" https://x.nl ", "web"),
        ("https://digid.nl/inloggen", "other"), ("76319", "other"), ("www.x.nl/a", "other"),
        ("hhttps://x.nl", "other"), ("Iets melden (341)", "other"), ("tel:112", "other"),
    ],
)  # fmt: skip
def test_application_address_kinds(address: str | None, kind: str) -> None:
    """SCI-6: The application address ... is one of these kinds, decided in this order."""
    assert application_kind(address) is ApplicationKind(kind)


def _addresses(path: Path) -> list[tuple[str, str | None]]:
    with path.open("rb") as stream:
        return [
            (r.online, r.application)  # type: ignore[union-attr]
            for r in read_records(stream, path.name)
            if hasattr(r, "online")
        ]


def test_delft_pdfs_are_forms_not_online_submission(raw: Path, imported: ScImport) -> None:
    """SCI-6: A document means downloadable-form and not online submission, whatever the flag
    says. Delft publishes 45 PDF application addresses (SOURCE.md)."""
    assert entry(imported, "Delft_(gemeente)")["application_urls"]["pdf"] == 45  # type: ignore[index]
    text = (raw / "Delft.xml").read_text(encoding="utf-8")
    assert len(re.findall(r'aanvraagURL resourceIdentifier="[^"]*\.pdf"', text, re.I)) == 45
    pdf_records = set()
    with (raw / "Delft.xml").open("rb") as stream:
        for r in read_records(stream, "Delft.xml"):
            if getattr(r, "application", None) and application_kind(r.application).value == "pdf":  # type: ignore[union-attr]
                pdf_records.add(r.identifier)  # type: ignore[union-attr]
    for offering in imported.submission.offerings:
        assert offering.provenance is not None
        if offering.provenance.records[0] in pdf_records:
            assert C.ONLINE_SUBMISSION not in offering.capabilities
            assert C.DOWNLOADABLE_FORM in offering.capabilities


def test_leidens_claims_are_all_unverified(raw: Path, imported: ScImport) -> None:
    """SCI-6: A claim without an address ... is unverified: it is credited as claimed and
    recorded as unverified (missing). None of Leiden's ja and digid records has an address."""
    leiden = entry(imported, "Leiden_(gemeente)")
    flags = leiden["online_aanvragen"]
    assert flags["ja"] + flags["digid"] > 0  # type: ignore[index]
    assert leiden["application_urls"]["missing"] == flags["ja"] + flags["digid"]  # type: ignore[index]
    assert all(a is None for o, a in _addresses(raw / "Leiden.xml") if o != "nee")


def test_rotterdam_mailto_is_email_and_voorschoten_digid_site_is_other(
    raw: Path, imported: ScImport
) -> None:
    """SCI-6: e-mail: it starts with mailto: ... DigiD's own site is other, not an
    application (SOURCE.md: Rotterdam has mailto: addresses, Voorschoten https://www.digid.nl)."""
    mailto = sum(
        1
        for _, a in _addresses(raw / "Rotterdam.xml")
        if a and a.strip().lower().startswith("mailto:")
    )
    assert mailto > 0
    assert entry(imported, "Rotterdam")["application_urls"]["email"] == mailto  # type: ignore[index]
    digid_site = sum(1 for _, a in _addresses(raw / "Voorschoten.xml") if a and "digid.nl" in a)
    assert digid_site > 0
    assert entry(imported, "Voorschoten_(gemeente)")["application_urls"]["other"] >= digid_site  # type: ignore[index]


def test_amsterdam_publishes_only_nee(imported: ScImport) -> None:
    """SCI-5: nee: the product is described online, and nothing more is claimed."""
    amsterdam = [o for o in imported.submission.offerings if o.municipality == "GM0363"]
    assert amsterdam
    assert all(o.capabilities == frozenset(INFO) for o in amsterdam)
    assert entry(imported, "Amsterdam")["online_aanvragen"]["nee"] == 482  # type: ignore[index]


# -- SCI-7 -----------------------------------------------------------------------------------


def test_offerings_record_only_what_sc_shows(national: ScImport) -> None:
    """SCI-7: An offering made from SC records has the status offered and only the
    capabilities and authentication of SCI-5; it records no fee, no volumes, no web-form
    funnel and no local target. Its level is therefore at most online-submission."""
    catalogue = national.submission.catalogue
    for o in national.submission.offerings:
        assert o.status.value == "offered"
        assert (o.fee_applies, o.volumes, o.forms, o.local_target) == (None, None, None, None)
        assert o.level_for(catalogue.get(o.product)) <= MaturityLevel.ONLINE_SUBMISSION  # type: ignore[operator]
        assert o.authentication is None or o.authentication.name == "digid"


SUFFIXES = st.sampled_from(["", ".pdf", ".DOCX", ".doc", ".html"])
ADDRESSES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.builds(lambda s, x: f"https://x.nl/{s}{x}", st.text("ab/?", max_size=8), SUFFIXES),
    st.builds(lambda s: f"mailto:{s}", st.text(max_size=10)),
)


@pytest.mark.property
@given(st.sampled_from(["nee", "ja", "digid"]), ADDRESSES)
def test_what_any_published_pair_shows(online: str, address: str | None) -> None:
    """SCI-5, SCI-6: A document means downloadable-form and not online submission, whatever
    the flag says; an e-mail address shows information-online only; nee claims nothing; the
    authentication is DigiD at an unknown level exactly for a digid claim of online
    submission; nothing above online-submission is ever shown (SCI-7)."""
    kind = application_kind(address)
    evidence = evidence_of(online, address)
    assert C.INFORMATION_ONLINE in evidence.capabilities
    assert evidence.level <= MaturityLevel.ONLINE_SUBMISSION
    if kind in (ApplicationKind.PDF, ApplicationKind.DOC):
        assert evidence.capabilities == frozenset(FORM)
    elif kind is ApplicationKind.EMAIL or online == "nee":
        assert evidence.capabilities == frozenset(INFO)
    else:
        assert C.ONLINE_SUBMISSION in evidence.capabilities
        assert evidence.verified == (kind is ApplicationKind.WEB)
    submits = C.ONLINE_SUBMISSION in evidence.capabilities
    assert (evidence.authentication is not None) == (online == "digid" and submits)
