"""The arXiv DOI is derived from an arXiv id only when a service confirmed the id: a placeholder
keeps the list's eprint (its identity) but nothing invented."""

from __future__ import annotations

from list2bib.bibtex.render import reference_fields
from list2bib.model import Person, Record, Reference, Status, WorkKind

PREPRINT = Record(
    source="arxiv",
    entry_type="misc",
    title="Fast and Lossless Inference on CPUs",
    authors=(Person("Wang", "Jinheng"),),
    year="2024",
    arxiv_id="2410.16144",
    kind=WorkKind.PREPRINT,
)


def test_a_confirmed_preprint_carries_its_arxiv_doi() -> None:
    fields = dict(reference_fields(Reference("wang2024fast", PREPRINT, (), Status.RESOLVED)))
    assert fields["eprint"] == "2410.16144"
    assert fields["doi"] == "10.48550/arXiv.2410.16144"


def test_a_placeholder_keeps_its_eprint_but_gets_no_derived_doi() -> None:
    for status in (Status.UNRESOLVED, Status.AMBIGUOUS):
        fields = dict(reference_fields(Reference("fast2024", PREPRINT, (), status)))
        assert fields["eprint"] == "2410.16144"
        assert "doi" not in fields
