"""Archiving: WARC records of every response, page requisites, revisits, WACZ packages.

``config`` reads the settings once; ``warc`` writes the records; ``digests`` remembers
payloads already stored so a copy becomes a ``revisit`` record; ``requisites`` finds what
a page needs to be shown (pure); ``snapshot`` fetches it; ``wacz`` packages a crawl.
"""
