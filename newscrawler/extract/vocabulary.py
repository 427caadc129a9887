"""The selector and type sets extraction and the classifier share: one rulebook.

Schema.org types, meta tag names in order of trust, and the class/id patterns that mark
bylines, date lines and story containers. Lower-cased everywhere.
"""

from __future__ import annotations

import re

# Schema.org types of a story: the classifier counts them as an article signal, metadata reads the
# object of such a type first (and also any type ending in "article" or "posting").
ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
    "scholarlyarticle", "techarticle", "report", "posting", "satiricalarticle", "advertisercontentarticle",
    "askpublicnewsarticle",
}
PAGE_TYPES = {"webpage", "itempage", "collectionpage"}
# Meta tags whose presence tells the classifier the page states a publication time.
PUBLISHED_META = ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "parsely-pub-date",
                  "sailthru.date", "dc.date.issued", "dcterms.created")
# Objects whose dates are the page's when the story object gives none.
DATED_PAGE_TYPES = {"webpage", "itempage", "recipe", "howto", "creativework", "blog"}

# meta name/property -> field; the order inside each tuple is the order of trust.
META_TITLE = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "dcterms.title", "title")
META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description", "dcterms.description",
                    "sailthru.description")
META_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
               "byl", "cxenseparse:author", "twitter:creator")
META_PUBLISHED = ("article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
                  "sailthru.date", "originalpublicationdate", "rnews:datepublished", "article:published",
                  "article:published_date", "article:publicationdate", "og:published_time", "og:pubdate",
                  "og:publish_date", "og:datepublished", "dc.date.issued", "dcterms.issued", "dcterms:issued",
                  "dc.date", "dc:date", "dcterms.date", "dcterms:date", "dcterms.created", "dcterms:created",
                  "dc.date.created", "dc.created", "dc:created", "dc.date.publication", "pubdate", "publishdate",
                  "publish-date", "publish_date", "publication_date", "publication-date", "published_date",
                  "published-date", "publisheddate", "date_published", "date", "article.published",
                  "published_time", "publish_time", "citation_publication_date", "citation_date",
                  "cxenseparse:recs:publishtime", "article_date_original", "original-publish-date",
                  "article:post_date", "article.created", "datecreated", "date_created", "dateposted", "displaydate",
                  "shareaholic:article_published_time", "twt-published-at", "vr:published_time", "bt:pubdate")
META_MODIFIED = ("article:modified_time", "og:article:modified_time", "og:updated_time", "og:modified_time",
                 "article:modified", "datemodified", "dcterms.modified", "dcterms:modified", "dc.date.modified",
                 "dc.modified", "last-modified", "lastmodified", "lastmod", "article.updated", "modified_time",
                 "updated_time", "article:post_modified", "revision_date")
# Parse.ly's JSON blob (``<meta name="parsely-page" content='{"pub_date": ...}'>``), older than its meta tags.
META_JSON_PUBLISHED = (("parsely-page", "pub_date"),)
META_SECTION = ("article:section", "og:article:section", "parsely-section", "section", "article-section",
                "cxenseparse:recs:category", "sailthru.section")
META_TAGS = ("article:tag", "og:article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords",
             "dc.subject")
META_LANGUAGE = ("og:locale", "content-language", "dc.language", "language")

# Matched against lower-cased class/id strings (a case-insensitive regex is several times slower).
BYLINE_CLASS = re.compile(r"\b(byline|author|writer|reporter|contributor)")
# Class/id words of elements that hold a date line ("Datum", "fecha", "submitted", "created-post").
DATE_CLASS = re.compile(r"date|datum|fecha|time|posted|publish|updat|meta|byline|submitted|created|info")
BYLINE_NOT = re.compile(r"avatar|bio|box|image|img")
# Schema.org types of a page that lists stories rather than telling one (the classifier's signal).
LISTING_TYPES = {
    "collectionpage", "itemlist", "searchresultspage", "profilepage", "website", "blog",
    "aboutpage", "contactpage",
}

CONTENT_CLASS = re.compile(r"entry-content|post-content|article-body|article-content|story-body|articlebody")
# Substrings of class/id/aria-label worth a closer look, searched in the lower-cased string:
# a case-insensitive regex over every element of a page costs several times more.
MARKUP_HINT = re.compile("date|time|posted|publish|meta|byline|author|writer|reporter|contributor|breadcrumb"
                   "|content|body|story|datum|fecha|updat|submitted|created|info")
TAG_HREF = re.compile(r"/(?:tags?|topics?|keywords?|subjects?)/[^/?#]+/?(?:[?#].*)?$", re.IGNORECASE)
SKIP_WALK = {"script", "style", "noscript", "svg", "template"}
