"""QR code images, drawn with the qrcode library: SVG for print, PNG for screens."""

from __future__ import annotations

import io
from enum import StrEnum

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathFillImage

# Quiet zone: ISO/IEC 18004 asks for at least four modules of white around the code.
MIN_BORDER = 4
MAX_BORDER = 16
MIN_MODULE_PX = 1
MAX_MODULE_PX = 40


class ErrorCorrection(StrEnum):
    L = "L"
    M = "M"
    Q = "Q"
    H = "H"


_LEVELS = {
    ErrorCorrection.L: qrcode.constants.ERROR_CORRECT_L,
    ErrorCorrection.M: qrcode.constants.ERROR_CORRECT_M,
    ErrorCorrection.Q: qrcode.constants.ERROR_CORRECT_Q,
    ErrorCorrection.H: qrcode.constants.ERROR_CORRECT_H,
}


def _code(data: str, level: ErrorCorrection, module: int, border: int, factory: type) -> bytes:
    code = qrcode.QRCode(
        error_correction=_LEVELS[level], box_size=module, border=border, image_factory=factory
    )
    code.add_data(data.encode("ascii"))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def svg(data: str, *, level: ErrorCorrection, module: int, border: int) -> bytes:
    """An SVG with a white background and a viewBox, sized in millimetres for print."""
    return _code(data, level, module, border, SvgPathFillImage)


def png(data: str, *, level: ErrorCorrection, module: int, border: int) -> bytes:
    return _code(data, level, module, border, PyPNGImage)


def version_for(data: str, level: ErrorCorrection = ErrorCorrection.Q) -> int:
    """The smallest QR version that holds ``data`` at ``level``."""
    code = qrcode.QRCode(error_correction=_LEVELS[level])
    code.add_data(data.encode("ascii"))
    code.make(fit=True)
    return int(code.version)
