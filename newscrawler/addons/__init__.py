"""Scrapy add-ons: settings that depend on other settings, applied before components are built."""
