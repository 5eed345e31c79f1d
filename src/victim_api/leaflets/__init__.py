"""Victim information leaflets: content files, renderings, versions and their API.

A leaflet is a Markdown file with YAML front matter under ``content/leaflets``
(see ``content/leaflets/README.md``). ``content`` parses and validates it,
``render`` turns it into safe HTML, plain text and SSML for the phone line, and
``language`` picks which translation a reader gets; those three know nothing of
HTTP or the database. ``models`` and ``service`` keep every version of every
leaflet (draft, published, retired), ``cache`` serves the published ones, and
``router`` is the HTTP API.
"""
