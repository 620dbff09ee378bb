"""Zotero group sync: a Web API v3 client, the item mapping, a local index, a pure plan and its
application. Writes go through list2bib's own client (see the README's design notes)."""
