"""Identifiers with a shape: e-mails, phone numbers, postal codes, street addresses, dates, ages
over 89 and institution names (English and French, as the trial runs in both)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from interviews.deid.proposals import Category, Proposal

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
POSTAL_CODE = re.compile(  # Canadian (A1A 1A1) and US ZIP+4
    r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b|\b\d{5}-\d{4}\b",
    re.IGNORECASE,
)
_CAP = r"[A-ZÀ-Ý][\w'\u2019.-]*"
_EN_STREET = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Lane|Ln\.?|Crescent|"
    r"Court|Ct\.?|Place|Pl\.?|Way|Terrace|Parkway|Circle|Square"
)
_FR_STREET = (
    r"rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|place|côte|montée|rang|route|allée|"
    r"impasse|promenade|croissant"
)
_APARTMENT = r"(?:,?\s*(?i:apt\.?|apartment|app\.?|appartement|unit|suite|bureau|#)\s*\w+)?"
ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?,?\s+(?:{_CAP}\s+){{1,4}}(?:{_EN_STREET})\b"
    rf"(?:\s+(?:East|West|North|South|E|W|N|S)\b)?{_APARTMENT}"
    rf"|\b\d{{1,6}}[A-Za-z]?,?\s+(?i:{_FR_STREET})\s+(?i:(?:de\s+la|de\s+l'|du|des|de|d'|la|le)\s*)?"
    rf"{_CAP}(?:[\s-]+{_CAP}){{0,3}}(?:\s+(?:Ouest|Est|Nord|Sud|O|E)\b)?{_APARTMENT}"
)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?|"
    r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    r"novembre|décembre|decembre"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er)?"
_YEAR = r"(?:19|20)\d{2}"
DATE = re.compile(
    rf"\b{_YEAR}-\d{{1,2}}-\d{{1,2}}\b"
    rf"|\b\d{{1,2}}[/.]\d{{1,2}}[/.](?:{_YEAR}|\d{{2}})\b"
    rf"|\b(?:{_MONTHS})\s+{_DAY}(?:,?\s+{_YEAR})?\b"
    rf"|\b{_DAY}\s+(?:of\s+)?(?:{_MONTHS})(?:,?\s+{_YEAR})?\b"
    rf"|\b(?:{_MONTHS})\s+{_YEAR}\b",
    re.IGNORECASE,
)
# A month named alone ("since March"): only after a word that makes it a date, so "May" the verb
# is left alone.
MONTH_ALONE = re.compile(
    rf"\b(?:in|since|last|next|until|early|late|mid|en|depuis)\s+(?P<month>{_MONTHS})\b(?!\s+\d)",
    re.IGNORECASE,
)
_OLD = r"9\d|1[01]\d"
_WRITTEN_OLD = r"ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|a hundred"
AGE = re.compile(
    rf"\b(?:{_OLD}|{_WRITTEN_OLD})(?:\s*-\s*|\s+)(?:years?|yrs?)(?:[- ]old|\s+of\s+age)?\b"
    rf"|\b(?:aged?|age of|âgée?s? de)\s+(?:{_OLD}|{_WRITTEN_OLD})\b"
    rf"|\b(?:{_OLD}|quatre-vingt-(?:dix|onze|douze|treize|quatorze|quinze|seize|dix-\w+))\s+ans\b",
    re.IGNORECASE,
)
_INSTITUTION_WORD = (
    r"Hospital|Hôpital|University|Université|Clinic|Clinique|Centre|Center|Institute|Institut|"
    r"College|Collège|Cégep|School|École|Church|Église|Bank|Banque|Inc\.?|Ltd\.?|Corporation|"
    r"Company|Pharmacy|Pharmacie"
)
INSTITUTION = re.compile(
    rf"\b(?:{_CAP}\s+(?:(?:of|the|de|du|des|and|et)\s+)?){{1,4}}(?:{_INSTITUTION_WORD})\b"
    rf"(?:\s+(?:of|de|du|des)\s+{_CAP}(?:\s+{_CAP})*)?"
    rf"|\b(?:{_INSTITUTION_WORD})\s+(?:of|de|du|des|la|le)\s+{_CAP}(?:[\s-]+{_CAP}){{0,3}}"
    r"|\b(?:CHUM|MUHC|CUSM|CLSC|CIUSSS|CISSS|CHU|CHUQ|UQAM|ETS|HEC)\b"
)
_TRAILING = ".,;:"


def _spans(pattern: re.Pattern[str], text: str, category: Category) -> Iterator[Proposal]:
    for match in pattern.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        yield Proposal(start, end, text[start:end], category, "pattern")


def _year(date_text: str) -> str:
    found = re.search(_YEAR, date_text)
    return f"[DATE: {found.group(0)}]" if found else "[DATE]"


def phone_numbers(text: str, region: str = "CA") -> Iterator[Proposal]:
    """Phone numbers in any usual writing (libphonenumber's matcher, lenient on validity)."""
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        yield Proposal(match.start, match.end, match.raw_string, Category.PHONE, "libphonenumber")


def pattern_proposals(text: str) -> list[Proposal]:
    """Every shaped identifier in ``text``; dates are generalised to their year."""
    found = [
        *_spans(EMAIL, text, Category.EMAIL),
        *phone_numbers(text),
        *_spans(POSTAL_CODE, text, Category.POSTAL_CODE),
        *_spans(ADDRESS, text, Category.ADDRESS),
        *_spans(AGE, text, Category.AGE),
        *_spans(INSTITUTION, text, Category.INSTITUTION),
    ]
    for match in MONTH_ALONE.finditer(text):
        start, end = match.span("month")
        found.append(Proposal(start, end, text[start:end], Category.DATE, "pattern"))
    for proposal in _spans(DATE, text, Category.DATE):
        found.append(
            Proposal(
                proposal.start,
                proposal.end,
                proposal.text,
                Category.DATE,
                "pattern",
                _year(proposal.text),
            )
        )
    return found
