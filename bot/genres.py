"""Genre vocabulary: user words mapped to the catalog's genre labels."""

from __future__ import annotations

import re

# User phrase -> catalog genre labels (the labels of the Wikipedia movie data).
GENRE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "action": ("Action",),
    "adventure": ("Adventure",),
    "animated": ("Animated",),
    "animation": ("Animated",),
    "cartoon": ("Animated",),
    "cartoons": ("Animated",),
    "anime": ("Animated",),
    "biography": ("Biography",),
    "biopic": ("Biography",),
    "biopics": ("Biography",),
    "comedy": ("Comedy",),
    "comedies": ("Comedy",),
    "funny": ("Comedy",),
    "hilarious": ("Comedy",),
    "rom com": ("Romance", "Comedy"),
    "rom-com": ("Romance", "Comedy"),
    "romcom": ("Romance", "Comedy"),
    "crime": ("Crime",),
    "gangster": ("Crime",),
    "heist": ("Crime",),
    "mafia": ("Crime",),
    "dance": ("Dance",),
    "disaster": ("Disaster",),
    "documentary": ("Documentary",),
    "documentaries": ("Documentary",),
    "drama": ("Drama",),
    "dramas": ("Drama",),
    "family": ("Family",),
    "kids": ("Family",),
    "children": ("Family",),
    "fantasy": ("Fantasy",),
    "historical": ("Historical",),
    "period piece": ("Historical",),
    "horror": ("Horror",),
    "scary": ("Horror",),
    "creepy": ("Horror",),
    "frightening": ("Horror",),
    "terrifying": ("Horror",),
    "spooky": ("Horror",),
    "slasher": ("Slasher", "Horror"),
    "legal": ("Legal",),
    "courtroom": ("Legal",),
    "martial arts": ("Martial Arts",),
    "kung fu": ("Martial Arts",),
    "musical": ("Musical",),
    "musicals": ("Musical",),
    "mystery": ("Mystery",),
    "mysteries": ("Mystery",),
    "whodunit": ("Mystery",),
    "noir": ("Noir",),
    "political": ("Political",),
    "romance": ("Romance",),
    "romantic": ("Romance",),
    "love story": ("Romance",),
    "satire": ("Satire",),
    "sci-fi": ("Science Fiction",),
    "sci fi": ("Science Fiction",),
    "scifi": ("Science Fiction",),
    "science fiction": ("Science Fiction",),
    "sports": ("Sports",),
    "sport": ("Sports",),
    "spy": ("Spy",),
    "espionage": ("Spy",),
    "superhero": ("Superhero",),
    "superheroes": ("Superhero",),
    "supernatural": ("Supernatural",),
    "ghost": ("Supernatural",),
    "ghosts": ("Supernatural",),
    "suspense": ("Suspense",),
    "teen": ("Teen",),
    "thriller": ("Thriller",),
    "thrillers": ("Thriller",),
    "war": ("War",),
    "western": ("Western",),
    "westerns": ("Western",),
}

_PHRASES = sorted(GENRE_SYNONYMS, key=len, reverse=True)
GENRE_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(p) for p in _PHRASES) + r")(?![\w-])", re.IGNORECASE)


def genres_for(phrase: str) -> tuple[str, ...]:
    """Return the catalog genres a user phrase stands for ("sci fi" -> Science Fiction), or ()."""
    key = re.sub(r"\s+", " ", phrase.strip().lower())
    if key in GENRE_SYNONYMS:
        return GENRE_SYNONYMS[key]
    # Catalog labels themselves ("Science Fiction", "Found Footage") also count.
    for labels in GENRE_SYNONYMS.values():
        for label in labels:
            if label.lower() == key:
                return (label,)
    return ()


# Labels that stand for a subgenre of another label in the catalog data:
# a film tagged only "Slasher" is still a horror film to someone who asked
# for no horror.
SUBGENRES: dict[str, tuple[str, ...]] = {
    "Horror": ("Slasher", "Found Footage"),
}


def expand_exclusions(labels: list[str]) -> list[str]:
    """Return ``labels`` plus the subgenres of each, so "no horror" also leaves out slashers."""
    expanded = list(labels)
    for label in labels:
        for subgenre in SUBGENRES.get(label, ()):
            if subgenre not in expanded:
                expanded.append(subgenre)
    return expanded
