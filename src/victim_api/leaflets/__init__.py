"""Victim information leaflets: the content files, their parsing and their renderings.

A leaflet is a Markdown file with YAML front matter under ``content/leaflets``
(see ``content/leaflets/README.md``). ``content`` parses and validates it,
``render`` turns it into safe HTML, plain text and SSML for the phone line, and
``language`` picks which translation a reader gets. Nothing here knows of HTTP
or the database.
"""
