"""agtOS memory maintenance: the six-step sweep (``sweep``), its reports (``reports``), the
resource guard that defers it (``guard``) and its daily schedule (``schedule``)."""
