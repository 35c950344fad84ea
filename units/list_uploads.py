"""A committee's unit list between its preview and its confirmation.

The file is kept in a folder of the instance under a random name, one per account, never in the session
cookie: the confirmation applies exactly the file that was previewed, and no one else's.
"""

import os
import re
import secrets
from pathlib import Path

#: An upload's name as the confirmation form sends it back: 128 random bits, URL-safe.
UPLOAD_NAME = re.compile(r"^[A-Za-z0-9_-]{22}$")


def keep_upload(folder, user_id, raw):
    """Keep the bytes `raw` for the account until it confirms them or uploads another file; return the
    upload's name."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    discard_uploads(folder, user_id)
    name = secrets.token_urlsafe(16)
    fd = os.open(folder / f"{user_id}-{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(raw)
    return name


def kept_upload(folder, user_id, name):
    """Return the bytes of the account's upload `name`, or None if it keeps none of that name."""
    if not UPLOAD_NAME.match(name or ""):
        return None
    try:
        return (Path(folder) / f"{user_id}-{name}").read_bytes()
    except FileNotFoundError:
        return None


def discard_uploads(folder, user_id):
    """Forget every upload the account keeps."""
    for path in Path(folder).glob(f"{user_id}-*"):
        path.unlink(missing_ok=True)
