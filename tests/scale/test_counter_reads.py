"""Every request reads its freshness counters first, in one prepared statement: its plan
must probe the key index key by key whatever PostgreSQL's statistics say of the table, which
grows with the park's people and staff between two ANALYZEs (issue 22)."""

from __future__ import annotations

from core import freshness
from core.db import db
from tests.concurrency.conftest import app_for, pg_url  # noqa: F401 - pg_url is a fixture


def test_the_counters_are_read_by_their_index_even_when_the_table_outgrew_its_statistics(
        pg_url):  # noqa: F811 - the fixture
    app = app_for(pg_url, pool_size=2)
    with app.app_context():
        db.create_all()
        sql = db.session.connection().exec_driver_sql
        sql("INSERT INTO freshness_stamps (key, version) VALUES ('catalogue', 7)")
        sql("ANALYZE freshness_stamps")  # analysed while the park was new and small
        sql("INSERT INTO freshness_stamps (key, version) "
            "SELECT 'p:' || n, n FROM generate_series(1, 5000) AS n")
        keys = ["catalogue", "events"] + [f"p:{n}" for n in range(100, 150)]

        # As psycopg runs it once prepared: one generic plan for any list of keys.
        sql("SET plan_cache_mode = force_generic_plan")
        sql("PREPARE counters(text[]) AS " + freshness._BY_KEYS.replace("%(keys)s", "$1"))
        listed = ", ".join(f"'{key}'" for key in keys)  # our own plain keys
        plan = "\n".join(row[0] for row in sql(
            f"EXPLAIN EXECUTE counters(ARRAY[{listed}]::text[])"))
        assert "Index Scan using pk_freshness_stamps" in plan, plan
        assert "Seq Scan on freshness_stamps" not in plan, plan

        read = freshness._read(keys)
        assert read == {"catalogue": 7} | {f"p:{n}": n for n in range(100, 150)}
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
