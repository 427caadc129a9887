"""Work kept off the reactor thread: a worker thread that runs calls in order (``worker``), and the
one parsing thread of the process that pages, datelines, sitemaps and feeds are read on
(``parsing``)."""
