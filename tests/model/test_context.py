"""The run context's customer table: analyses add and replace columns by customer, one row per customer."""

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from salesfocus.config import Config
from salesfocus.model.context import RunContext
from salesfocus.model.dataset import Dataset
from salesfocus.workspace import Workspace


@pytest.fixture
def ctx():
    ws = Workspace(None)
    customers = pa.table({"customer_id": ["B", "A", "C"], "revenue": [2.0, 1.0, 3.0], "level": ["x", "y", "z"]})
    yield RunContext.start(ws, Config(), Dataset({}, dt.date(2024, 12, 31)), customers)
    ws.close()


def test_columns_are_added_and_replaced_by_customer(ctx):
    new = ibis.memtable({"customer_id": ["C", "A"], "level": ["top", "bottom"], "score": [0.9, 0.1]})
    ctx.add_customer_columns(new)
    got = ctx.customers.order_by("customer_id").to_pyarrow().to_pylist()
    assert got == [{"customer_id": "A", "revenue": 1.0, "level": "bottom", "score": 0.1},
                   {"customer_id": "B", "revenue": 2.0, "level": None, "score": None},
                   {"customer_id": "C", "revenue": 3.0, "level": "top", "score": 0.9}]
    assert ctx.customer_table().column("customer_id").to_pylist() == ["A", "B", "C"]
    # the engine sees the same table the context holds
    total = ctx.customers.aggregate(s=ctx.customers.score.sum()).to_pyarrow().column("s")[0].as_py()
    assert total == pytest.approx(1.0)


def test_two_rows_for_one_customer_is_refused(ctx):
    dup = ibis.memtable({"customer_id": ["A", "A"], "score": [1.0, 2.0]})
    with pytest.raises(RuntimeError, match="one row per customer"):
        ctx.add_customer_columns(dup)


@pytest.mark.parametrize("chunks", [[["A", "B"], ["C", "D"]], [["C", "D"], ["A", "B"]], [["A"], ["A2", "B"], []]])
def test_customer_table_is_sorted_whatever_the_chunks(chunks):
    ids = pa.chunked_array(chunks, pa.string())
    customers = pa.table({"customer_id": ids, "n": pa.chunked_array([list(range(len(c))) for c in chunks], pa.int64())})
    ws = Workspace(None)
    try:
        ctx = RunContext.start(ws, Config(), Dataset({}, dt.date(2024, 12, 31)), customers)
        got = ctx.customer_table().column("customer_id").to_pylist()
        assert got == sorted(x for c in chunks for x in c)
    finally:
        ws.close()


def test_columns_for_every_customer_skip_the_join_and_keep_the_order(ctx):
    full = ibis.memtable({"customer_id": ["C", "B", "A"], "score": [3.0, 2.0, 1.0]})
    ctx.add_customer_columns(full)
    got = ctx.customer_table()
    assert got.column("customer_id").to_pylist() == ["A", "B", "C"]
    assert got.column("score").to_pylist() == [1.0, 2.0, 3.0] and got.column("level").to_pylist() == ["y", "x", "z"]
    extra = ibis.memtable({"customer_id": ["A", "B", "C", "D"], "flag": [True, False, True, True]})
    ctx.add_customer_columns(extra)  # a customer the table does not have is left out, as by a left join
    assert ctx.customer_table().column("flag").to_pylist() == [True, False, True]
