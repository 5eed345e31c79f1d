"""The reference victim web page at ``/l``: the page behind the printed QR code."""
