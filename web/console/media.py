"""Images for game pages and prizes: uploads checked for type and size, served from this origin."""

from __future__ import annotations

import hashlib
import os
import re

from flask import abort, current_app, jsonify, request, send_from_directory
from flask_babel import gettext as _

from campaigns.errors import InvalidInput
from web.staff_auth import staff_required

from . import bp
from .common import EDITORS

MAX_IMAGE_BYTES = 2 * 1024 * 1024
# The file's first bytes decide its type, never its name or the browser's claim.
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
NAME = re.compile(r"^[0-9a-f]{32}\.(?:png|jpg|gif|webp)$")


def media_dir() -> str:
    """Where uploaded images are kept (``MEDIA_DIR`` or the instance folder)."""
    return current_app.config.get("MEDIA_DIR") or os.path.join(current_app.instance_path, "media")


def image_type(data: bytes) -> str | None:
    """``png``, ``jpg``, ``gif`` or ``webp`` from the file's signature; ``None`` for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


@bp.post("/media")
@staff_required(*EDITORS)
def upload_media():
    """Store an image; answer the same-origin path to use in the look or a prize."""
    upload = request.files.get("file")
    data = upload.read(MAX_IMAGE_BYTES + 1) if upload else b""
    if not data:
        raise InvalidInput(_("Choose an image."), fields={"file": _("Choose a PNG, JPEG, GIF or WebP image.")})
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(_("The image is too large."), fields={"file": _("Upload at most 2 MB.")})
    kind = image_type(data)
    if kind is None:
        raise InvalidInput(
            _("This is not an image we accept."), fields={"file": _("Upload a PNG, JPEG, GIF or WebP image.")}
        )
    name = f"{hashlib.sha256(data).hexdigest()[:32]}.{kind}"
    os.makedirs(media_dir(), exist_ok=True)
    with open(os.path.join(media_dir(), name), "wb") as out:
        out.write(data)
    return jsonify(path=f"/console/media/{name}"), 201


@bp.get("/media/<name>")
def media(name: str):
    """An uploaded image; public, because game pages show it to followers."""
    if not NAME.match(name):
        abort(404)
    response = send_from_directory(media_dir(), name, max_age=86400)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
