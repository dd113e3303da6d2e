"""agtOS memory benchmark (not a test): embedding speed, episode inserts, and search latency at
growing sizes, hybrid and vector against keyword-only search in the same run.

In this process, on one core (numpy and the tokenizer limited to one thread), against a fresh
SQLite database in a temporary data directory (or ``DATABASE_URL``):

- **embedding**: short texts per second through the configured embedder (the built-in local one);
- **inserts**: ``--inserts`` episodes stored through ``episodes.store`` (the real path: embedding,
  the row, its full-text entry and its ``memory.episode.created`` event in one transaction);
- **search** at each of ``--sizes`` episodes (filled up in bulk with synthetic episodes): p50 and
  p99 of ``--queries`` searches in each mode, and each mode's p99 over keyword-only's.

Targets (issue): search p99 < 50 ms at 100k episodes on one core; embedding ≥ 200 short texts/s.

    python bench/agtos_memory.py [--sizes 10000,100000] [--queries 200] [--inserts 500]
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one core: before numpy and tokenizers load
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conditions import Conditions  # noqa: E402

TOPICS = ["travel", "work", "family", "health", "music", "cooking", "money", "garden", "cars", "books",
          "weather", "sport", "school", "movies", "pets", "phones", "houses", "art", "games", "news"]
WORDS = ("plan trip flight hotel meeting deadline project sister birthday doctor appointment guitar "
         "concert recipe dinner budget savings tomato roses engine repair novel library rain forecast "
         "football marathon homework exam cinema series puppy vet battery screen rent kitchen painting "
         "museum chess puzzle election market coffee train ticket beach mountain lunch email report").split()


def _episode_text(rng: random.Random) -> tuple[str, str, list[str]]:
    topic = rng.choice(TOPICS)
    picked = rng.sample(WORDS, 6)
    return f"The user talked about {topic}: {' '.join(picked)}.", topic, picked[:3]


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _bulk_fill(count: int, rng: random.Random) -> None:
    """Add ``count`` synthetic episodes quickly (rows, vectors and full-text entries in batches)."""
    from agentdeck.agtos.memory import embedding
    from agentdeck.agtos.memory.episodes import source_key
    from agentdeck.storage.db import database, is_postgres, writing
    from agentdeck.storage.fields import new_uuid
    from agentdeck.storage.models.agtos_memory import Episode

    model = embedding.model_name()
    for start in range(0, count, 2000):
        batch = [_episode_text(rng) for _ in range(min(2000, count - start))]
        vectors = embedding.embed_matrix([f"{summary} {topic} {' '.join(keywords)}" for summary, topic, keywords in batch])
        rows = []
        for (summary, topic, keywords), vector in zip(batch, vectors):
            ref = {"importer": "bench", "file": "bulk", "conversationId": new_uuid()}
            rows.append({"id": new_uuid(), "summary": summary, "topic": topic, "keywords": keywords,
                         "source_kind": "import", "source_ref": ref, "source_key": source_key("import", ref),
                         "embedding": embedding.pack(vector), "embedding_model": model})
        with writing():
            Episode.insert_many(rows).execute()
            if not is_postgres():
                database.execute_sql("INSERT INTO agtos_memory_episode_fts (episode_id, body) VALUES "
                                     + ",".join(["(?, ?)"] * len(rows)),
                                     [v for r in rows for v in (r["id"], f"{r['summary']} {r['topic']} {' '.join(r['keywords'])}")])


def run(args) -> None:
    from agentdeck.agtos.memory import embedding, episodes, search
    from agentdeck.settings import get_settings
    from agentdeck.storage.db import init_db
    from agentdeck.storage.migrations import upgrade_database

    conditions = Conditions()
    settings = get_settings()
    init_db(settings.resolved_database_url, settings.db_max_connections)
    upgrade_database()
    rng = random.Random(7)

    texts = [_episode_text(rng)[0] for _ in range(2000)]
    embedding.embed_matrix(texts[:50])  # load the model
    started = time.perf_counter()
    embedding.embed_matrix(texts)
    print(f"embedding         {len(texts) / (time.perf_counter() - started):8.0f} short texts/s "
          f"({embedding.model_name()}; target ≥ 200)")

    started = time.perf_counter()
    for n in range(args.inserts):
        summary, topic, keywords = _episode_text(rng)
        episodes.store(summary=summary, topic=topic, keywords=keywords, source_kind="import",
                       source_ref={"importer": "bench", "file": "store", "conversationId": str(n)})
    print(f"inserts           {args.inserts / (time.perf_counter() - started):8.0f} episodes/s through episodes.store")

    have = args.inserts
    queries = [" ".join(rng.sample(WORDS, 2)) for _ in range(args.queries)]
    for size in args.sizes:
        _bulk_fill(size - have, rng)
        have = size
        search.episodes_changed()
        results = {}
        for mode in ("bm25", "vector", "hybrid"):
            search.search(queries[0], 10, mode)  # warm: the vector matrix is built on first use
            latencies = []
            for query in queries:
                started = time.perf_counter()
                search.search(query, 10, mode)
                latencies.append(time.perf_counter() - started)
            results[mode] = (_ms(latencies, 0.5), _ms(latencies, 0.99))
        keyword_p99 = results["bm25"][1]
        for mode, (p50, p99) in results.items():
            print(f"search {size:>7} {mode:7} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
                  f"({p99 / keyword_p99:.2f}× keyword-only's p99)" + ("  target p99 < 50 ms" if mode == "hybrid" else ""))
    # The searches are what is measured here, not a separate load generator's share.
    print(conditions.summary(generator_in_process=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated episode counts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--inserts", type=int, default=500)
    args = parser.parse_args()
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    data_dir = tempfile.mkdtemp(prefix="agtos-memory-bench-")
    os.environ["AGENTDECK_DATA_DIR"] = data_dir
    os.environ.setdefault("AGENTDECK_LOG_LEVEL", "WARNING")
    try:
        print(f"agtOS memory, one core, {'PostgreSQL' if os.environ.get('DATABASE_URL', '').startswith('postgres') else 'SQLite'}")
        run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
