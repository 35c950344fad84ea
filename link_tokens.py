"""The secret of a unit's link: made here, printed in groups that people can type, read back when typed.

One secret, two spellings: the link `/s/<token>` and the code printed on the invitation are the same
characters, the code only cut into groups. The alphabet leaves out the characters that look alike on
paper (0 and O, 1, I and L; U too, as Crockford's base 32 does), so a code read off a page is typed
right, in upper or lower case, with or without the spaces and dashes between groups.

Tokens made before typed codes (43 URL-safe base64 characters, 256 bits) stay valid as links; they
have no printed code, and a new link replaces them with this kind.
"""

import re
import secrets
import unicodedata

#: 30 characters without look-alikes: digits 2-9 and the letters other than I, L, O and U.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 28 characters of 30 give 137 bits, above the 128 a secret link must keep.
LENGTH = 28
#: How many characters a printed group holds: 7 groups of 4.
GROUP = 4
TYPED_TOKEN = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
#: What people put between groups: spaces of any kind and dashes of any kind.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def new_link_token():
    """Return a new secret: LENGTH characters of ALPHABET, each drawn from `secrets`."""
    number = secrets.randbelow(len(ALPHABET) ** LENGTH)
    characters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[digit])
    return "".join(characters)


def printed_code(token):
    """Return the token as printed on an invitation ("K7QM-3XHP-..."), or None for a token of the old
    kind, which cannot be typed."""
    if not TYPED_TOKEN.match(token):
        return None
    return "-".join(token[start:start + GROUP] for start in range(0, LENGTH, GROUP))


def token_from_typed_code(typed):
    """Return the token a person typed from an invitation, or None if it cannot be one.

    Case, spaces and dashes do not matter; full-width letters and digits (some input methods type
    them) are read as the plain ones."""
    token = SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
    return token if TYPED_TOKEN.match(token) else None
