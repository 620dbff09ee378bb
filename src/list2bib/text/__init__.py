"""Pure string knowledge: identifiers, work identity, titles, names, dates."""
