"""The victim-care worklist: one list of what is owed to whom, and by when."""
