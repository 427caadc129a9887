"""What a crawl of public sites may connect to: the address rules (``public_addresses``, pure) and
the reactor's name resolver that applies them to every DNS answer (``resolver``)."""
