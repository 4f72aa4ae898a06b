"""7. Insights: sentiment cost per customer message, and 90-day reports at figure 4's scale (1M messages).

Sentiment: the worker's scoring path (encoder + head + language ID) on realistic support messages, one
at a time (one task per message) and in the sweep's micro-batches; the baseline is the bare encoder.
Reports: p95 of sequential GET /api/v1/reports/<name>/ over HTTP on the running daphne, for a
supervisor, over 90 days of the loaded data, read from the rollups. The rollups are rebuilt once from
the loaded messages (timed); hourly sentiment rows are synthesised from the messages (label from the
id) since scoring a million messages is not what this figure measures.
"""
import asyncio
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from insights.actions.rollups import rebuild_rollups
from insights.models import HourlySentiment
from insights.sentiment import dataset
from insights.sentiment.encoder import embed
from insights.sentiment.language import language_tag
from insights.sentiment.scoring import score_texts

from .. import fixtures, loader
from ..clients import http_session
from ..stats import Figure, at_most, percentile

NUMBER = 7
TITLE = "insights: sentiment cost and reports at scale"
SENTIMENT_TARGET_MS = 5.0
REPORT_P95_TARGET_MS = 300
REPORTS = ["overview", "response-times", "channels", "agents", "heatmap", "hops", "sentiment"]
WARMUP = 2
BATCH = 32


def _messages(count):
    texts = [e.text for e in dataset.load(dataset.EVALUATION_DIR)]
    return [texts[index % len(texts)] for index in range(count)]


def _ms_per_message(texts, work, batch):
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        work(texts[start:start + batch])
    return (time.perf_counter() - started) * 1000 / len(texts)


def _score_and_tag(texts):
    score_texts(texts)
    for text in texts:
        language_tag(text)


def _sentiment_figures(ctx):
    texts = _messages(300 if ctx.env.quick else 1_000)
    _score_and_tag(texts[:4])  # load the encoder and language model once, as a worker does at its first message
    encoder = _ms_per_message(texts, embed, BATCH)
    batched = _ms_per_message(texts, _score_and_tag, BATCH)
    single = _ms_per_message(texts[:300], _score_and_tag, 1)
    ctx.note(f"7 sentiment: {single:.2f} ms/msg one per task, {batched:.2f} ms/msg in batches of {BATCH}, "
             f"bare encoder {encoder:.2f} ms/msg")
    return [
        Figure(NUMBER, "sentiment + language per message, one per task", single, "ms", encoder,
               f"<= {SENTIMENT_TARGET_MS} ms", at_most(single, SENTIMENT_TARGET_MS)),
        Figure(NUMBER, f"sentiment + language per message, batches of {BATCH}", batched, "ms", encoder,
               f"<= {SENTIMENT_TARGET_MS} ms", at_most(batched, SENTIMENT_TARGET_MS)),
    ]


def _synthesise_sentiment():
    HourlySentiment.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {HourlySentiment._meta.db_table}
                (level, hour, channel_key, team_id, negative, neutral, positive, score_sum)
            SELECT CASE GROUPING(m.channel_id, c.team_id) WHEN 0 THEN 4 WHEN 1 THEN 1 WHEN 2 THEN 2 ELSE 0 END,
                   date_trunc('hour', m.created_at, 'UTC'),
                   CASE WHEN GROUPING(m.channel_id) = 1 THEN '*' ELSE m.channel_id::text END,
                   CASE WHEN GROUPING(c.team_id) = 1 THEN -1 ELSE COALESCE(c.team_id, 0) END,
                   count(*) FILTER (WHERE m.id % 3 = 0), count(*) FILTER (WHERE m.id % 3 = 1),
                   count(*) FILTER (WHERE m.id % 3 = 2),
                   sum(CASE m.id % 3 WHEN 0 THEN -0.6 WHEN 2 THEN 0.6 ELSE 0 END)
            FROM conversations_message m JOIN conversations_conversation c ON c.id = m.conversation_id
            WHERE m.direction = 'inbound'
            GROUP BY date_trunc('hour', m.created_at, 'UTC'), GROUPING SETS ((m.channel_id, c.team_id), (m.channel_id),
                                                                            (c.team_id), ())""")
        # What autovacuum does in a running system: the visibility map lets reports read indexes only.
        for model in ("insights_cyclefact", "insights_responsefact", "insights_hourlymessages",
                      "insights_hourlysentiment"):
            cursor.execute(f"VACUUM ANALYZE {model}")


async def _timed(url, cookie, samples):
    latencies, failures = [], []
    async with http_session(1) as session:
        for index in range(WARMUP + samples):
            started = time.perf_counter()
            async with session.get(url, headers={"Cookie": cookie}) as answer:
                await answer.read()
                if answer.status != 200:
                    failures.append(answer.status)
            if index >= WARMUP:
                latencies.append(time.perf_counter() - started)
    return latencies, failures


def _report_figures(ctx):
    sizes = ctx.sizes
    data = loader.load(sizes.data_customers, sizes.data_messages, sizes.data_agents, sizes.data_teams)
    ctx.note(f"7 loaded {data.customers} customers, {data.messages} messages in {data.seconds:.0f} s")
    started = time.monotonic()
    rebuild_rollups()
    _synthesise_sentiment()
    rebuild = time.monotonic() - started
    ctx.note(f"7 rollups rebuilt from {data.messages} messages in {rebuild:.0f} s")
    first = (loader.EPOCH + timedelta(days=120)).date()
    query = f"from={first}&to={first + timedelta(days=89)}&tz=America/Sao_Paulo"
    cookie = fixtures.session_cookie(fixtures.session_key(data.supervisor))
    figures = [Figure(NUMBER, f"rollups rebuilt from {data.messages} messages", rebuild, "s")]
    for name in REPORTS:
        url = f"{ctx.web.base_url}/api/v1/reports/{name}/?{query}"
        latencies, failures = asyncio.run(_timed(url, cookie, sizes.data_samples // 2))
        p95 = percentile(latencies, 0.95) * 1000
        ctx.note(f"7 report {name}, 90 days: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {p95:.0f} ms"
                 + (f", failures {failures[:3]}" if failures else ""))
        figures.append(Figure(NUMBER, f"report `{name}` over 90 days at {data.messages} messages, p95", p95, "ms",
                              None, f"<= {REPORT_P95_TARGET_MS} ms",
                              at_most(p95, REPORT_P95_TARGET_MS) and not failures,
                              note=f"failures: {failures[:3]}" if failures else ""))
    return figures


def run(ctx):
    ctx.stop_worker()  # this figure replaces the data set; no task may still be reading or writing it
    started = timezone.now()
    figures = _sentiment_figures(ctx) + _report_figures(ctx)
    ctx.note(f"7 took {(timezone.now() - started).total_seconds():.0f} s")
    return figures
