"""A labelled retrieval set for memory search: 40 target episodes, each with one query, among
300 episodes in all.

Half the queries (``meaning``) share no word (but stop words) with their episode: only search by meaning can
find them. The other half (``words``) are the questions a user asks about something rare the episode
names (a person, a code, a product) in otherwise vague words, which pull meaning search
towards the everyday distractors: keyword search finds those best.
The 260 other episodes are distractors about the same everyday subjects.
"""
from __future__ import annotations

import random
import re

# (episode summary, query, kind)
TARGETS = [
    ("Planned a hiking trip to the Alps with two friends in July", "mountain walking holiday", "meaning"),
    ("Asked how to fix a flat bicycle tyre on the commute", "repairing punctured bike wheel", "meaning"),
    ("Discussed symptoms of the flu and when to see a doctor", "feeling sick with fever, visit physician?", "meaning"),
    ("Compared mortgage rates from three banks for buying a flat", "home loan interest offers", "meaning"),
    ("Wanted a recipe for vegetarian lasagna for a dinner party", "meatless pasta bake dish, guests", "meaning"),
    ("Looked for ways to sleep better and stop waking at night", "insomnia remedies", "meaning"),
    ("Talked about adopting a puppy and house training it", "getting a young dog and teaching it manners", "meaning"),
    ("Needed help writing a cover letter for a nursing job", "application to hospital position", "meaning"),
    ("Asked about learning Spanish before moving to Madrid", "studying a foreign language prior to relocating", "meaning"),
    ("Debugged a Python script that crashed reading a CSV file", "programming error parsing spreadsheet data", "meaning"),
    ("Chose a new laptop for video editing under a budget", "computer purchase, film cutting", "meaning"),
    ("Talked through grief after the death of a grandmother", "mourning loss of grandparent", "meaning"),
    ("Asked how to grow tomatoes on a small balcony", "urban gardening vegetables terrace", "meaning"),
    ("Planned a surprise birthday party for a wife", "celebration of spouse", "meaning"),
    ("Asked for exercises to ease lower back pain", "spine ache stretches", "meaning"),
    ("Discussed saving for retirement with index funds", "pension investing", "meaning"),
    ("Wanted tips to reduce stress and anxiety at work", "calming nerves during office pressure", "meaning"),
    ("Asked how to change a car's engine oil at home", "vehicle motor lubricant replacement", "meaning"),
    ("Planned a wedding budget and guest list", "marriage ceremony costs", "meaning"),
    ("Asked which telescope to buy to watch planets", "stargazing equipment", "meaning"),
    ("Ordered the Zephyrine espresso grinder and asked about burr settings", "what did I say about the Zephyrine thing", "words"),
    ("Invoice INV-4471 from Kestrel Plumbing was paid twice", "that problem with INV-4471 last month", "words"),
    ("Booked flight LX318 to Zurich for the Basel conference", "when is LX318 again", "words"),
    ("Configured the Grafana dashboard for the Tamarack cluster", "the work stuff on Tamarack", "words"),
    ("Called Dr Okonkwo about the allergy test results", "what did Okonkwo tell me", "words"),
    ("Set up the Ubiquiti router in the garden office", "help me remember the Ubiquiti thing", "words"),
    ("Returned the Brompton folding bike to Halfords", "what happened with the Brompton", "words"),
    ("Discussed the Kubernetes migration of the Larkspur service", "where were we on Larkspur", "words"),
    ("Renewed the passport at the Croydon office", "that errand in Croydon", "words"),
    ("Read Dostoevsky's Brothers Karamazov with the book club", "my notes on Karamazov", "words"),
    ("Fixed the Vaillant boiler pressure dropping overnight", "the Vaillant issue at home", "words"),
    ("Trained for the Rotterdam marathon with interval runs", "my plan for Rotterdam", "words"),
    ("Cancelled the Peloton subscription and kept the bike", "what did I decide about Peloton", "words"),
    ("Argued with the landlord Mr Pemberton about the deposit", "the trouble with Pemberton", "words"),
    ("Wrote a haiku about Kyoto in autumn for a friend", "that poem about Kyoto", "words"),
    ("Migrated the Postgres database of project Quillfeather", "status of Quillfeather", "words"),
    ("Asked about the side effects of sertraline", "what I asked about sertraline", "words"),
    ("Planned a road trip along the Ring Road in Iceland", "our Iceland idea", "words"),
    ("Bought a Leica Q2 camera and compared lenses", "the Leica question", "words"),
    ("Registered the company Bramblewood Ltd with Companies House", "paperwork for Bramblewood", "words"),
]

_SUBJECTS = ["weekend plans", "a work meeting", "the weather", "a film night", "groceries", "a phone bill",
             "a team lunch", "emails", "a train delay", "the news", "a podcast", "house cleaning",
             "a birthday card", "the budget", "a parking ticket", "a jacket", "a coffee order",
             "the neighbours", "a museum visit", "a quiz night", "a recipe", "a software update",
             "a spreadsheet", "a doctor's appointment", "a job interview", "holiday photos"]
_VERBS = ["Talked about", "Asked a question about", "Made notes on", "Complained about", "Planned",
          "Wrote a short message about", "Summarised", "Checked details of", "Remembered", "Reviewed"]
_TAILS = ["with a colleague", "for next week", "in the evening", "before the trip", "on Monday",
          "after lunch", "with family", "for the office", "again", "in detail"]


def distractors(count: int = 260, seed: int = 7) -> list[str]:
    """Everyday episodes unlike any target (fixed by the seed)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        text = f"{rng.choice(_VERBS)} {rng.choice(_SUBJECTS)} {rng.choice(_TAILS)}"
        if text not in out:
            out.append(text)
    return out


def words(text: str) -> set[str]:
    """Lower-case words of ``text`` but stop words (for checking that a ``meaning`` query shares none)."""
    from agentdeck.agtos.memory.search import _STOP

    return {w.lower() for w in re.findall(r"\w+", text)} - _STOP
