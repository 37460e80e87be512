"""Fixed replies of the core for turns that need no writer."""

ASK_PREFERENCE = (
    "What are you in the mood for? Name a film you loved, a genre, an actor or a decade, "
    "for example \"something like Alien, but less scary\"."
)
EMPTY = "I didn't get any text there. " + ASK_PREFERENCE
NO_WORDS = (
    "I can't read a message of only emoji or symbols. Tell me in words what you'd like to watch, "
    "or react to a movie with \"the first one looks great\"."
)
NOT_ENGLISH = (
    "Sorry, I only understand English for now. Could you tell me in English what you'd like to watch?"
)
TRUNCATED = "That was a long message, so I only read the first {limit:,} characters. "
TITLE_NOT_FOUND = "I couldn't find {titles} in my catalog, so I went by the rest of what you said. "
TITLE_NOT_FOUND_ONLY = (
    "I couldn't find {titles} in my catalog. Could you check the spelling, or tell me a genre, "
    "an actor or a decade instead?"
)
NOTHING_SHOWN = (
    "I haven't recommended anything yet, so there's nothing to rate. " + ASK_PREFERENCE
)
OUT_OF_RANGE = "I only showed {count} movie{plural} last time, so there's no {ordinals} one. Which one did you mean?"
AMBIGUOUS = "Which one do you mean? Say \"the first\", \"the second\", or the title."
NO_SIGNAL = (
    "I'm not sure what you think of them. You can say \"I've seen the first\", \"the second sounds "
    "boring\" or \"the third looks great\"."
)
STORE_FAILED = "Sorry, I couldn't save that feedback just now. Please tell me again in a moment."
NO_MATCHES = (
    "I couldn't find anything new that fits all of that. Try loosening a condition, such as the "
    "decade or an excluded genre, or say \"reset\" to start over."
)
WHY_NOTHING = "I haven't recommended anything yet, so there's nothing to explain. " + ASK_PREFERENCE
WHY_ITEM = "I picked {title} because it's {reasons}."
RESET = "Okay, I've forgotten your stated preferences. Movies you rejected stay out. " + ASK_PREFERENCE
ENGINE_DOWN = (
    "Sorry, my recommendation engine isn't ready right now. Please try again in a minute."
)

ORDINAL_NAMES = {
    1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
    8: "eighth", 9: "ninth", 10: "tenth",
}
