"""Schedulers: the resumable frontier of a single-process crawl (``resumable``) and the
frontier shared by workers through Redis (``redis``, its key names in ``keys``, seeding and
resetting it in ``operations``)."""
