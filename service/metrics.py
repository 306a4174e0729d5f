"""Prometheus metrics, shared across gunicorn workers and scoring workers (multiprocess mode).

``moderation serve`` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before any process
imports prometheus_client; without it (tests, a single process) the default registry is used.
Labels never carry an email or an IP.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

from service.keys import Status

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Histogram("moderation_http_request_duration_seconds", "HTTP request latency",
                     ["endpoint", "method", "status"], buckets=LATENCY_BUCKETS)
SUBMISSIONS = Counter("moderation_submissions_total", "Submissions by result (received, invalid, flood, ...)",
                      ["result"])
FILED = Counter("moderation_comments_filed_total", "Comments filed by the scoring worker, by status", ["status"])
# Never labelled by moderator: the metrics are for operators, not for ranking people.
DECISIONS = Counter("moderation_decisions_total", "Moderator decisions", ["action"])
CLASSIFIER = Histogram("moderation_classifier_seconds", "Time to score a batch of comments", ["mode"],
                       buckets=LATENCY_BUCKETS)
REDIS_ERRORS = Counter("moderation_redis_errors_total", "Redis connection errors and time-outs", ["where"])
MODEL = Gauge("moderation_model_info", "The loaded model's version", ["version"], multiprocess_mode="max")


class QueueCollector(Collector):
    """Queue depth per status, the age of the oldest pending comment and the labels, read at scrape time."""

    def __init__(self, store: Any):
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("moderation_queue_depth", "Comments per status", labels=["status"])
        for status, count in self.store.counts().items():
            depth.add_metric([status], count)
        yield depth
        yield GaugeMetricFamily("moderation_oldest_pending_age_seconds", "Age of the oldest pending comment",
                                value=self.store.oldest_age_seconds(Status.PENDING))
        labels = GaugeMetricFamily("moderation_labels", "Moderators' labels kept for learning, by what they say "
                                   "(spam, ham, toxic, non_toxic) and where they came from", labels=["label", "source"])
        for (label, source), count in sorted(self.store.labels.counts().items()):
            labels.add_metric([label, source], count)
        yield labels


def exposition(store: Any) -> bytes:
    """The text a Prometheus scrape gets: every process's metrics plus the live queue gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001 - the default metrics
            registry.register(collector)
    registry.register(QueueCollector(store))
    return generate_latest(registry)
