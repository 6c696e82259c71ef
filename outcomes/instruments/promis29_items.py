"""PROMIS-29 v2.0 items: official item IDs, short labels (English; French short labels of this
system) and the score printed next to each answer on the official form (reversals included),
from ``shared/reference/instrument-tables/promis29_items.csv``."""

from __future__ import annotations

from outcomes.instruments.base import Item, Text, numbered


def _choices(*labels: tuple[str, str], reverse: bool = False) -> tuple:
    """Printed scores 1..5 for the answers in printed order (5..1 when ``reverse``)."""
    scores = range(5, 0, -1) if reverse else range(1, 6)
    return tuple(
        (code, Text(f"{en} ({code})", f"{fr} ({code})"))
        for code, (en, fr) in zip(scores, labels, strict=True)
    )


DIFFICULTY = _choices(
    ("Without any difficulty", "Sans aucune difficulté"),
    ("With a little difficulty", "Avec un peu de difficulté"),
    ("With some difficulty", "Avec une certaine difficulté"),
    ("With much difficulty", "Avec beaucoup de difficulté"),
    ("Unable to do", "Incapable de le faire"),
    reverse=True,
)
FREQUENCY = _choices(
    ("Never", "Jamais"),
    ("Rarely", "Rarement"),
    ("Sometimes", "Parfois"),
    ("Often", "Souvent"),
    ("Always", "Toujours"),
)
INTENSITY_LABELS = (
    ("Not at all", "Pas du tout"),
    ("A little bit", "Un peu"),
    ("Somewhat", "Moyennement"),
    ("Quite a bit", "Beaucoup"),
    ("Very much", "Énormément"),
)
INTENSITY = _choices(*INTENSITY_LABELS)
INTENSITY_REVERSED = _choices(*INTENSITY_LABELS, reverse=True)
QUALITY_REVERSED = _choices(
    ("Very poor", "Très mauvaise"),
    ("Poor", "Mauvaise"),
    ("Fair", "Passable"),
    ("Good", "Bonne"),
    ("Very good", "Très bonne"),
    reverse=True,
)
SOCIAL = _choices(
    ("Never", "Jamais"),
    ("Rarely", "Rarement"),
    ("Sometimes", "Parfois"),
    ("Usually", "Habituellement"),
    ("Always", "Toujours"),
    reverse=True,
)


def _item(key: str, en: str, fr: str, choices: tuple) -> Item:
    return Item(key, Text(f"{key}: {en}", f"{key} : {fr}"), choices=choices)


DOMAINS: dict[str, tuple[Text, tuple[Item, ...]]] = {
    "physical_function": (
        Text(
            "Physical function (are you able to...)", "Fonction physique (êtes-vous capable de...)"
        ),
        (
            _item(
                "PFA11",
                "do chores such as vacuuming or yard work",
                "faire des tâches ménagères comme passer l'aspirateur ou jardiner",
                DIFFICULTY,
            ),
            _item(
                "PFA21",
                "go up and down stairs at a normal pace",
                "monter et descendre un escalier à un rythme normal",
                DIFFICULTY,
            ),
            _item(
                "PFA23",
                "go for a walk of at least 15 minutes",
                "faire une promenade d'au moins 15 minutes",
                DIFFICULTY,
            ),
            _item(
                "PFA53", "run errands and shop", "faire des courses et du magasinage", DIFFICULTY
            ),
        ),
    ),
    "anxiety": (
        Text("Anxiety (past 7 days)", "Anxiété (7 derniers jours)"),
        (
            _item("EDANX01", "I felt fearful", "j'ai eu peur", FREQUENCY),
            _item(
                "EDANX40",
                "hard to focus on anything other than my anxiety",
                "difficile de me concentrer sur autre chose que mon anxiété",
                FREQUENCY,
            ),
            _item(
                "EDANX41",
                "my worries overwhelmed me",
                "mes inquiétudes m'ont submergé(e)",
                FREQUENCY,
            ),
            _item("EDANX53", "I felt uneasy", "je me suis senti(e) mal à l'aise", FREQUENCY),
        ),
    ),
    "depression": (
        Text("Depression (past 7 days)", "Dépression (7 derniers jours)"),
        (
            _item("EDDEP04", "I felt worthless", "je me suis senti(e) inutile", FREQUENCY),
            _item("EDDEP06", "I felt helpless", "je me suis senti(e) impuissant(e)", FREQUENCY),
            _item("EDDEP29", "I felt depressed", "je me suis senti(e) déprimé(e)", FREQUENCY),
            _item("EDDEP41", "I felt hopeless", "je me suis senti(e) désespéré(e)", FREQUENCY),
        ),
    ),
    "fatigue": (
        Text("Fatigue (past 7 days)", "Fatigue (7 derniers jours)"),
        (
            _item("HI7", "I feel fatigued", "je me sens fatigué(e)", INTENSITY),
            _item(
                "AN3",
                "trouble starting things because I am tired",
                "du mal à commencer des choses parce que je suis fatigué(e)",
                INTENSITY,
            ),
            _item(
                "FATEXP41",
                "how run-down did you feel on average",
                "à quel point vous êtes-vous senti(e) épuisé(e) en moyenne",
                INTENSITY,
            ),
            _item(
                "FATEXP40",
                "how fatigued were you on average",
                "à quel point étiez-vous fatigué(e) en moyenne",
                INTENSITY,
            ),
        ),
    ),
    "sleep_disturbance": (
        Text("Sleep disturbance (past 7 days)", "Troubles du sommeil (7 derniers jours)"),
        (
            _item(
                "Sleep109",
                "my sleep quality was",
                "la qualité de mon sommeil était",
                QUALITY_REVERSED,
            ),
            _item(
                "Sleep116",
                "my sleep was refreshing",
                "mon sommeil était réparateur",
                INTENSITY_REVERSED,
            ),
            _item(
                "Sleep20",
                "I had a problem with my sleep",
                "j'ai eu des problèmes de sommeil",
                INTENSITY,
            ),
            _item(
                "Sleep44",
                "I had difficulty falling asleep",
                "j'ai eu de la difficulté à m'endormir",
                INTENSITY,
            ),
        ),
    ),
    "social_roles": (
        Text(
            "Ability to participate in social roles and activities",
            "Capacité à participer aux rôles et activités sociales",
        ),
        (
            _item(
                "SRPPER11_CaPS",
                "trouble doing my regular leisure activities with others",
                "du mal à faire mes loisirs habituels avec d'autres",
                SOCIAL,
            ),
            _item(
                "SRPPER18_CaPS",
                "trouble doing all of the family activities I want to do",
                "du mal à faire toutes les activités familiales souhaitées",
                SOCIAL,
            ),
            _item(
                "SRPPER23_CaPS",
                "trouble doing all of my usual work (incl. at home)",
                "du mal à faire tout mon travail habituel (y compris à la maison)",
                SOCIAL,
            ),
            _item(
                "SRPPER46_CaPS",
                "trouble doing all of the activities with friends I want to do",
                "du mal à faire toutes les activités souhaitées avec des amis",
                SOCIAL,
            ),
        ),
    ),
    "pain_interference": (
        Text("Pain interference (past 7 days)", "Interférence de la douleur (7 derniers jours)"),
        (
            _item(
                "PAININ9",
                "with your day to day activities",
                "avec vos activités quotidiennes",
                INTENSITY,
            ),
            _item(
                "PAININ22", "with work around the home", "avec les travaux à la maison", INTENSITY
            ),
            _item(
                "PAININ31",
                "with your ability to participate in social activities",
                "avec votre capacité à participer à des activités sociales",
                INTENSITY,
            ),
            _item("PAININ34", "with your household chores", "avec vos tâches ménagères", INTENSITY),
        ),
    ),
}
PAIN_INTENSITY = Item(
    "Global07",
    Text("Global07: average pain, past 7 days", "Global07 : douleur moyenne, 7 derniers jours"),
    choices=numbered(
        0,
        10,
        {
            0: Text("no pain", "aucune douleur"),
            10: Text("worst imaginable pain", "pire douleur imaginable"),
        },
    ),
)
