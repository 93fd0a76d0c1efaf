"""What the English keyword model listens for, and the sentences it is trained on.

Every sentence here is written for training (none is copied from the evaluation corpus).
A *unit* is one output class of the model: a keyword phrase (and aliases that say the same
thing). Menu phrases map onto units at run time (Swift: KeywordModel.unit(for:)): a phrase is
served by the unit whose phrase equals it or is contained in it as whole words ("account
balance" -> "balance"), so the menu may wrap a unit in more words without retraining.
"""
import re

# Unit name -> phrases spoken for it in training (the first is the unit's phrase).
UNITS = {
    "balance": ["balance"],
    "transfer": ["transfer"],
    "send money": ["send money"],
    "lost card": ["lost card", "lost my card"],
    "stolen card": ["stolen card"],
    "block my card": ["block my card", "block card"],
    "bill": ["bill"],
    "statement": ["statement"],
    "loan": ["loan"],
    "mortgage": ["mortgage"],
    "agent": ["agent"],
    "representative": ["representative"],
    "operator": ["operator"],
    "speak to a person": ["speak to a person", "talk to a person"],
    "complaint": ["complaint"],
    "repeat": ["repeat"],
    "say that again": ["say that again"],
    "main menu": ["main menu"],
    "go back": ["go back"],
    "yes": ["yes"],
    "yeah": ["yeah"],
    "no": ["no"],
    "nope": ["nope"],
    "chinese": ["chinese"],
    "mandarin": ["mandarin"],
}
NONE = "none"
CLASSES = list(UNITS) + [NONE]

# Longer natural phrases that contain a unit (the menu's own wording).
EXTENDED = {
    "balance": ["account balance", "check my balance", "my balance", "the balance", "balance please"],
    "transfer": ["transfer money", "make a transfer", "transfer funds", "a transfer"],
    "bill": ["credit card bill", "my bill", "phone bill", "the bill"],
    "statement": ["my statement", "bank statement", "a statement"],
    "complaint": ["file a complaint", "make a complaint", "a complaint"],
    "loan": ["a loan", "car loan", "personal loan"],
    "mortgage": ["my mortgage", "a mortgage"],
    "agent": ["an agent", "a real agent"],
    "operator": ["the operator", "an operator"],
    "representative": ["a representative", "customer representative"],
    "main menu": ["the main menu"],
    "repeat": ["repeat that", "please repeat"],
}

# Carrier frames: "{}" is the keyword. Yes/no and navigation get their own frames.
FRAMES = [
    "{}", "{}", "{}", "uh {}", "um {}", "{} please", "er {} please", "hi {}",
    "I need {}", "I'm calling about {}", "it's about {}", "hello I want {}",
    "yes hi I'm calling about {} today", "well it's {}", "so {} I guess",
    "hmm I think {}", "I would like help with {}", "okay um {} thanks",
    "good afternoon it's regarding {}", "right {}", "I'd like {} if possible",
    "hello there um {} please", "can you help me with {}", "it is about {} actually",
]
UNIT_FRAMES = {
    "lost card": ["I {}", "I think I {}", "uh I {} this morning", "help I {}", "my wife {}",
                  "we {} on holiday", "{} report", "somebody {}"],
    "stolen card": ["I have a {}", "I need to report a {}", "there is a {} on my account",
                    "it's a {}", "{} I think"],
    "block my card": ["please {}", "can you {} now", "I need you to {}", "{} immediately",
                      "quick {} please"],
    "send money": ["I want to {} abroad", "how do I {} to my daughter", "I need to {}",
                   "{} to a friend", "can I {} today"],
    "speak to a person": ["I want to {}", "let me {}", "can I {} please", "I need to {} now",
                          "just {}"],
    "say that again": ["sorry could you {}", "can you {} please", "{} slowly",
                       "what, {}", "please {}"],
    "repeat": ["{} please", "could you {} that", "{} the options", "please {} it"],
    "go back": ["{} please", "I want to {}", "can we {}", "{} to the start", "let's {}"],
    "main menu": ["take me to the {}", "{} please", "back to the {}", "the {}"],
    "yes": ["{}", "{} please", "{} that's correct", "oh {}", "{} it is", "uh {}", "{} I do"],
    "yeah": ["{}", "{} sure", "{} that's it", "oh {}", "{} okay", "uh {}", "{} right"],
    "no": ["{}", "{} thanks", "{} that's not right", "oh {}", "{} not that", "uh {}",
           "{} it isn't", "{} wrong"],
    "nope": ["{}", "{} sorry", "{} not me", "uh {}", "{} that's wrong"],
    "chinese": ["{} please", "in {}", "{} language", "do you speak {}"],
    "mandarin": ["{} please", "in {}", "I speak {}", "{} language"],
}

# No keyword at all.
PLAIN = [
    "what are your opening hours", "is anyone there", "I am calling from the airport",
    "where is the closest office", "did I dial the right number", "hi how is it going",
    "just a second", "my cat is sleeping on the sofa", "the weather is lovely today",
    "I forgot what I wanted", "hold on a moment", "can you hear me", "sorry wrong number",
    "the kids are making a lot of noise", "I am driving right now", "it is raining again",
    "what was that", "I have a question", "thank you very much", "good evening",
    "my neighbour told me to call", "I will call later", "this is taking forever",
    "I am looking for the post office", "the music is too loud", "okay thanks bye",
    "we are going to the beach tomorrow", "I lost my keys in the park",
    "my brother works in a hospital", "please wait a minute", "I am not sure",
    "one two three four", "the green one", "hello hello", "uh um hmm", "I see",
    "that is interesting", "are you a robot", "who am I speaking with", "I just moved house",
    "the train was late", "can I ask something", "my phone battery is low",
    "the shop closes at six", "I will think about it", "sounds good", "alright then",
    "the printer is broken", "I ordered a pizza", "where do I sign", "how much does it cost",
]
# Words that sound like keywords but are not (own sentences; not the corpus's).
NEAR_MISS = [
    "she knitted a cardigan for me", "a blue cardigan with buttons", "he wore his old cardigan",
    "the cardboard box is empty", "this is a real balancing act", "balancing the budget is hard",
    "keep your balancing skills", "the transformer in the street", "a blood transfusion",
    "the transformation was amazing", "they played billiards all night", "a billion people",
    "the billboard on the highway", "I loaned him a book", "he felt lonely", "the lonely road",
    "the agenda for the meeting", "the travel agency is closed", "an urgent agenda",
    "the operation was a success", "she sings at the opera", "the operating room",
    "I really don't know", "I know that already", "do you know the time",
    "you know what I mean", "nobody knows", "it happened yesterday morning",
    "yesterday was my birthday", "a yellow car", "the car was parked outside",
    "someone stole my bike", "the stolen painting was found", "my cards are on the table",
    "a card game with friends", "a birthday card for my mum", "the statesman spoke",
    "the state of the roads", "complete the form", "he complained about the food",
    "a mortar and pestle", "more garbage in the bin", "the main road is closed",
    "go ahead and start", "back pain again", "the mandolin player", "a piece of china",
    "repeatedly late", "a billing address", "a balanced diet",
    "transfixed by the show", "I represent myself", "person to person",
    "a lost cause", "she lost her dog", "block the road", "knock knock",
    "the cardiac unit", "the trans atlantic flight",
    # More near-misses (issue 4: false accepts on near-miss distractors).
    "the ballots were counted", "the ballet dancer bowed", "a bald eagle flew over",
    "trains are fast here", "public transport is cheap", "translate this letter",
    "transparent glass doors", "send me a postcard", "on monday morning", "honey and milk",
    "a sunny day at last", "the last car left", "a lost cat was found", "the swollen ankle",
    "a bell rang twice", "the pill bottle is empty", "fill it up please", "up the hill",
    "a lawn mower outside", "I live alone", "the phone rang", "low and slow",
    "more cottage cheese", "the mortar board", "the ancient ruins", "a gentle man",
    "urgent mail came", "my aging parents", "the presentation is tomorrow",
    "the opera tour", "please cooperate", "a personal letter", "speak slowly please",
    "I completed it", "they are compliant", "a receipt please", "reheat the soup",
    "the main venue", "men you know", "the minimum wage", "a main meal",
    "go bake a cake", "a good bag", "the goat barked", "yet again", "the yeast rose",
    "a year ago", "a yellow hat", "snow fell overnight", "my nose is cold",
    "note this down", "a piece of rope", "open the door", "the chimney smoked",
    "the marina was full", "a meandering river", "a gentle breeze",
]
# Babble sources (background talkers): never spoken as training sentences themselves.
BABBLE = [
    "the meeting has been moved to friday afternoon", "sales went up in the spring",
    "remember to feed the fish", "the bus to town leaves at eight", "we painted the fence white",
    "the children ran across the field", "it snowed all night long", "she left her coat at work",
    "the library opens at nine", "he ordered coffee and a cake", "the football match was exciting",
    "there is a new bakery on the corner",
]


def has_phrase(text, phrase):
    """Whole-word, case-insensitive phrase match."""
    return re.search(r"\b" + re.escape(phrase) + r"\b", text.lower()) is not None


def check():
    """Negative sentences contain no unit phrase (else they would teach the model to miss)."""
    phrases = [p for ps in UNITS.values() for p in ps]
    for s in PLAIN + NEAR_MISS + BABBLE:
        bad = [p for p in phrases if has_phrase(s, p)]
        assert not bad, (s, bad)


check()
