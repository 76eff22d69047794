"""Write the worked example's data: three municipalities with illustrative offerings.

The municipalities that raised the question "massaal digitaal, maatwerk lokaal" (VNG De
Pilotstarter, 24 May 2017): Maassluis, Vlaardingen and Schiedam. Their CBS codes and
populations are public figures; the offerings, authentication and volumes are
**illustrative**: invented to contain the situations the standard was made for.

- Vlaardingen: booking a counter appointment (bezoekafspraak) without DigiD, as
  Vlaardingen did because DigiD raised the threshold; a local target (maatwerk) for the
  evenementenvergunning below the reference, with its reason.
- Maassluis: products offered only as a downloadable PDF form, and the counter
  appointment still behind DigiD Midden (a barrier).
- Schiedam: an exemption (geluidsontheffing) fully online at about 20 requests a year
  against parking permits (parkeervergunning) at about 1,000 a year, offline.

The same three municipalities a year earlier, reference year 2023 (:func:`previous_year`),
show a trend: Vlaardingen still asked DigiD Midden for the counter appointment and offered
the parking permit as a PDF form; Maassluis's removal notice (verhuismelding) could be
submitted online but was not yet fully online, and fewer people booked appointments online;
Schiedam's extract from the BRP (brpUittr) was fully online but not yet pre-filled.

Run ``python scripts/build_example.py`` to regenerate ``src/digimaat/data/example.json``
and ``src/digimaat/data/example-2023.json``; a test checks the packaged files equal this
script's output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import attrs

from digimaat.exchange import Submission, dumps
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, VolumeRecord
from digimaat.vocabulary.products import UPL_NAMESPACE

INFO = ("information-online",)
PDF = (*INFO, "downloadable-form")
SUBMIT = (*PDF, "online-submission")
FULL = (
    *SUBMIT,
    "remote-identification",
    "electronic-evidence",
    "online-payment",
    "automatic-acknowledgement",
    "electronic-outcome",
    "electronic-notification",
)
PREFILLED = (*FULL, "prefilled")

SOURCE = (
    "Illustrative data for the digimaat worked example. CBS codes and populations are "
    "public figures (CBS; municipal budgets); the offerings, authentication, volumes and "
    "form counts are invented to show the situations the standard was made for."
)


def offering(
    code: str,
    product: str,
    capabilities: tuple[str, ...],
    volumes: dict[str, str],
    authentication: str | None = None,
    **extra: object,
) -> Offering:
    """One illustrative offering; ``product`` is the tail of a UPL URI."""
    return Offering(
        municipality=code,
        product=UPL_NAMESPACE + product,
        capabilities=capabilities,
        authentication=authentication,
        volumes=VolumeRecord.from_mapping(volumes),
        **extra,  # type: ignore[arg-type]
    )


def example() -> Submission:
    """The worked example as a submission."""
    maassluis = Municipality.from_code("GM0556", "Maassluis", population=34148, year=2022)
    vlaardingen = Municipality.from_code("GM0622", "Vlaardingen", population=74124, year=2021)
    schiedam = Municipality.from_code("GM0606", "Schiedam", population=79342, year=2021)
    vl, ms, sd = "GM0622", "GM0556", "GM0606"
    offerings = [
        # Vlaardingen: the counter appointment without DigiD.
        offering(vl, "bezafspr", FULL, {"web": "9000/year", "telefoon": "250 per month"}, "none"),
        offering(
            vl,
            "verhuismelding",
            FULL,
            {"web": "2900/year", "balie": "600/year"},
            "DigiD Substantieel",
            forms=FormFunnel(started=3400, completed=2900),
        ),
        offering(vl, "brpUittr", FULL, {"web": "1100/year", "balie": "400/year"}, "DigiD Midden"),
        offering(vl, "paspoort", INFO, {"balie": "5200/year"}),
        offering(
            vl,
            "parkeervergunning",
            SUBMIT,
            {"web": "650/year", "balie": "350/year"},
            "DigiD Midden",
        ),
        offering(
            vl,
            "melding_openbare_ruimte_(algemeen)",
            FULL,
            {"web": "7000/year", "app": "2500/year", "telefoon": "3000/year"},
            "none",
        ),
        offering(
            vl,
            "evenementenvergunning",
            SUBMIT,
            {"web": "60/year", "e-mail": "20/year"},
            "eHerkenning EH3",
            local_target="online-submission",
            local_target_reason="Large events need an intake meeting with the "
            "emergency services before a permit can be granted.",
        ),
        # Maassluis: PDF forms, and the counter appointment behind DigiD Midden.
        offering(
            ms, "bezafspr", FULL, {"web": "3500/year", "telefoon": "1200/year"}, "DigiD Midden"
        ),
        offering(ms, "parkeervergunning", PDF, {"balie": "300/year", "post": "150/year"}),
        offering(ms, "evenementenvergunning", PDF, {"post": "35/year", "e-mail": "5/year"}),
        offering(ms, "gehandicaptenparkeerkaart", PDF, {"balie": "70/year", "post": "10/year"}),
        offering(ms, "belastingkwijtschelding", PDF, {"post": "400/year", "balie": "50/year"}),
        offering(
            ms,
            "verhuismelding",
            FULL,
            {"web": "1300/year", "balie": "250/year"},
            "DigiD Midden",
            forms=FormFunnel(started=1900, completed=1300),
        ),
        offering(ms, "paspoort", INFO, {"balie": "2300/year"}),
        # Schiedam: 20 exemptions a year online, 1,000 parking permits a year offline.
        offering(sd, "geluidsontheffing", FULL, {"web": "20/year"}, "eHerkenning EH3"),
        offering(sd, "parkeervergunning", INFO, {"balie": "1000/year"}),
        offering(sd, "bezafspr", FULL, {"web": "8000/year", "telefoon": "2500/year"}, "none"),
        offering(
            sd,
            "verhuismelding",
            PREFILLED,
            {"web": "3800/year", "balie": "300/year"},
            "DigiD Substantieel",
            forms=FormFunnel(started=4000, completed=3600),
        ),
        offering(
            sd,
            "brpUittr",
            PREFILLED,
            {"web": "1500/year", "balie": "200/year"},
            "DigiD Substantieel",
        ),
        offering(sd, "paspoort", INFO, {"balie": "5600/year"}),
    ]
    return Submission.build(
        [maassluis, vlaardingen, schiedam], offerings, reference_year=2024, source=SOURCE
    )


def previous_year() -> Submission:
    """The worked example a year earlier (reference year 2023): what changed by 2024."""
    current = example()
    changes = {
        # Vlaardingen still asked DigiD Midden for the counter appointment: a barrier.
        ("GM0622", "bezafspr"): {"authentication": "DigiD Midden"},
        # Vlaardingen's parking permit was a PDF form to send in.
        ("GM0622", "parkeervergunning"): {
            "capabilities": PDF,
            "authentication": None,
            "volumes": {"balie": "700/year", "post": "300/year"},
        },
        # Maassluis's removal notice could be submitted online, not yet fully online.
        ("GM0556", "verhuismelding"): {
            "capabilities": SUBMIT,
            "volumes": {"web": "800/year", "balie": "650/year"},
        },
        # Fewer people booked an appointment in Maassluis online.
        ("GM0556", "bezafspr"): {"volumes": {"web": "2400/year", "telefoon": "1900/year"}},
        # Schiedam's BRP extract was fully online but not pre-filled.
        ("GM0606", "brpUittr"): {"capabilities": FULL},
    }
    offerings = []
    for o in current.offerings:
        change = changes.get((o.municipality, o.product.removeprefix(UPL_NAMESPACE)))
        if change is None:
            offerings.append(o)
            continue
        updated = dict(change)
        if "volumes" in updated:
            updated["volumes"] = VolumeRecord.from_mapping(updated["volumes"])  # type: ignore[arg-type]
        offerings.append(attrs.evolve(o, **updated))
    return Submission.build(current.municipalities, offerings, reference_year=2023, source=SOURCE)


def main() -> None:
    """Write the example documents."""
    data = Path(__file__).resolve().parents[1] / "src" / "digimaat" / "data"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=data / "example.json")
    parser.add_argument("--previous", type=Path, default=data / "example-2023.json")
    args = parser.parse_args()
    args.output.write_text(dumps(example()), encoding="utf-8")
    args.previous.write_text(dumps(previous_year()), encoding="utf-8")


if __name__ == "__main__":
    main()
