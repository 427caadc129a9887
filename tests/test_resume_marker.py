"""The resume marker: a JOBDIR crawl is marked unfinished until it finishes."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawler.extensions.resume_marker import MARKER_NAME, ResumeMarker, was_interrupted


def test_marker_stays_unless_the_crawl_finishes(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    marker = ResumeMarker.from_crawler(get_crawler(Spider, {"JOBDIR": str(jobdir)}))
    assert not was_interrupted(jobdir)
    marker.spider_opened()
    assert (jobdir / MARKER_NAME).exists() and was_interrupted(jobdir)
    marker.spider_closed("shutdown")  # Ctrl-C, a page limit, a kill: still unfinished
    assert was_interrupted(jobdir)
    marker.spider_closed("finished")
    assert not was_interrupted(jobdir)


def test_no_jobdir_no_marker() -> None:
    with pytest.raises(NotConfigured):
        ResumeMarker.from_crawler(get_crawler(Spider, {}))
