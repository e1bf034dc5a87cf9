"""A coupon's QR code as a PNG: black and white modules, nothing but the code inside.

``qrcode`` computes the modules; the PNG is written here with ``zlib`` because the
image back-ends of ``qrcode`` need Pillow or PyPNG, which nothing else here needs.
"""

from __future__ import annotations

import struct
import zlib

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def matrix(text: str) -> list[list[bool]]:
    """The QR modules of ``text`` with a four-module quiet zone; True is dark."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def png(text: str, scale: int = 8) -> bytes:
    """A greyscale PNG of the QR code of ``text``, ``scale`` pixels per module."""
    grid = matrix(text)
    rows = []
    for modules in grid:
        row = b"\x00" + b"".join((b"\x00" if dark else b"\xff") * scale for dark in modules)
        rows.extend([row] * scale)
    size = len(grid) * scale
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
