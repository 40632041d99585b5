"""The workspace: the same file twice adds nothing; replace replaces; an interrupted import changes nothing."""

from __future__ import annotations

import shutil

import pytest

from salesfocus.workspace import Workspace

ORDERS = "klant;order;datum;omzet\n1;A;01-01-2024;10\n2;B;02-01-2024;20\n3;C;03-01-2024;x\n"
MORE = "klant;order;datum;omzet\n4;D;04-01-2024;40\n"
KLANTEN = "klantnummer;naam\n1;Jansen\n2;De Vries\n3;Smit\n4;Bakker\n"


def counts(ws: Workspace) -> dict[str, int]:
    names = ["order_lines", "customers", "rejected", "_imports"]
    return {n: ws.raw.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names if ws.has_table(n)}


def test_importing_the_same_file_twice_in_append_mode_adds_nothing(write, run_import, ws):
    o = write("orders.csv", ORDERS)
    first = run_import(o, workspace=ws, mode="append")
    assert (first.source("orders.csv").rows_accepted, first.source("orders.csv").rows_rejected) == (2, 1)
    before = counts(ws)
    assert before == {"order_lines": 2, "rejected": 1, "_imports": 1}

    second = run_import(o, workspace=ws, mode="append")
    s = second.source("orders.csv")
    assert s.skipped and (s.rows_read, s.rows_accepted, s.rows_rejected) == (0, 0, 0)
    assert (second.report.rows_read, second.report.rows_accepted, second.report.rows_rejected) == (0, 0, 0)
    assert counts(ws) == before

    # The same content under another name is the same export.
    copy = o.with_name("orders_copy.csv")
    shutil.copy(o, copy)
    assert run_import(copy, workspace=ws, mode="append").source("orders_copy.csv").skipped
    assert counts(ws) == before


def test_append_adds_new_files_and_checks_keys_against_what_is_there(write, run_import, ws):
    run_import(f"customers={write('klanten.csv', KLANTEN)}", write("orders.csv", ORDERS), workspace=ws,
               mode="append")
    more = run_import(write("more.csv", MORE), write("unknown.csv", "klant;order;datum;omzet\n9;Z;05-01-2024;1\n"),
                      workspace=ws, mode="append")
    assert sorted(more.frame().order_id) == ["A", "B", "D"]
    assert more.source("unknown.csv").rows_rejected == 1
    k2 = write("klanten2.csv", "klantnummer;naam\n5;Nieuw\n1;Jansen opnieuw\n")
    dup = run_import(f"customers={k2}", workspace=ws, mode="append")
    assert sorted(dup.frame("customers").customer_id) == ["1", "2", "3", "4", "5"]
    r = dup.rejected
    assert list(r[r.file == "klanten2.csv"].reason) == [
        "duplicate customer_id: the same key is already at row 2 of klanten.csv; keep one row per key"]
    assert counts(ws)["_imports"] == 5
    assert counts(ws)["rejected"] == 3  # x in orders.csv, customer 9, the duplicate


def test_replace_mode_makes_the_given_sources_the_whole_data_set(write, run_import, ws):
    run_import(f"customers={write('klanten.csv', KLANTEN)}", write("orders.csv", ORDERS), workspace=ws,
               mode="append")
    imp = run_import(write("more.csv", MORE), workspace=ws, mode="replace")
    assert list(imp.frame().order_id) == ["D"]
    assert counts(ws) == {"order_lines": 1, "rejected": 0, "_imports": 1}
    assert "customers" not in imp.report.tables and imp.rejected.empty
    # Importing the same file again in replace mode is not skipped: it is the whole data set again.
    again = run_import(write("more.csv", MORE), workspace=ws, mode="replace")
    assert not again.source("more.csv").skipped and counts(ws)["order_lines"] == 1


@pytest.mark.parametrize(("mode", "exc"), [("append", RuntimeError("disk full")), ("replace", KeyboardInterrupt())])
def test_an_interrupted_import_leaves_the_previous_tables_intact(tmp_path, write, run_import, monkeypatch, exc, mode):
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        run_import(f"customers={write('klanten.csv', KLANTEN)}", write("orders.csv", ORDERS), workspace=ws,
                   mode="append")
        before = counts(ws)
        snapshot = ws.raw.execute("SELECT * FROM order_lines ORDER BY _row").fetchall()

        calls = []
        real_write = Workspace.write

        def failing_write(self, name, data, *, temp=False):
            if not temp:  # the stored tables, inside the import's transaction
                calls.append(name)
                if len(calls) == 2:  # after the first table has been replaced
                    raise exc
            return real_write(self, name, data, temp=temp)

        monkeypatch.setattr(Workspace, "write", failing_write)
        k2 = write("klanten2.csv", "klantnummer;naam\n5;X\n")
        with pytest.raises(type(exc)):
            run_import(write("more.csv", MORE), f"customers={k2}", workspace=ws, mode=mode)
        assert len(calls) == 2
        monkeypatch.undo()
        assert counts(ws) == before
    with Workspace(path) as ws:  # and on disk, after reopening
        assert counts(ws) == before
        assert ws.raw.execute("SELECT * FROM order_lines ORDER BY _row").fetchall() == snapshot
        # The interrupted files were not recorded, so importing them again works.
        imp = run_import(write("more.csv", MORE), workspace=ws, mode="append")
        assert not imp.source("more.csv").skipped and counts(ws)["order_lines"] == before["order_lines"] + 1


def test_a_failure_while_reading_changes_nothing(write, run_import, ws):
    run_import(write("orders.csv", ORDERS), workspace=ws, mode="append")
    before = counts(ws)
    with pytest.raises(Exception, match="file not found"):
        run_import(write("more.csv", MORE), "order_lines=missing.csv", workspace=ws, mode="replace")
    assert counts(ws) == before


def test_a_saved_run_hands_its_arrow_tables_over_exactly_as_loading_gives_them(ws):
    import decimal

    import pandas as pd
    import pyarrow as pa

    big = pa.table({"customer_id": ["a", "b"], "revenue": pa.array([decimal.Decimal("1.5"), None],
                                                                     pa.decimal128(38, 4)),
                    "day": pa.array([1, 2], pa.int32()).cast(pa.date32()), "n": [1, 2]})
    other = pa.table({"x": pa.array(["p"], pa.large_string())})  # read back as string
    frame = pd.DataFrame({"y": [1.0]})
    ws.raw.execute("SET disabled_compression_methods = 'fsst'")
    settings = "SELECT current_setting('threads'), current_setting('disabled_compression_methods')"
    before = ws.raw.execute(settings).fetchone()
    run = ws.save_run({"big": big, "other": other, "frame": frame}, {"summary": {}})
    assert set(run.saved) == {"big", "other", "frame"} and run.table("big") is big
    assert ws.raw.execute(settings).fetchone() == before  # restored after the save
    loaded = ws.load_run(run.run_id)
    assert loaded.saved == {} and sorted(loaded.tables) == ["big", "frame", "other"]
    assert loaded.table("big").equals(big) and loaded.table("big").schema == big.schema
    assert loaded.table("other").column("x").to_pylist() == ["p"]
    for name in ("other", "frame"):  # handed over as DuckDB reads them back
        assert run.table(name).equals(loaded.table(name)) and run.table(name).schema == loaded.table(name).schema


def test_a_run_stored_in_the_background_is_there_for_every_later_use_and_after_closing(tmp_path):
    import pyarrow as pa

    path = tmp_path / "ws.duckdb"
    t = pa.table({"customer_id": ["a", "b", "c"], "revenue": [1.0, 2.0, 3.0]})
    with Workspace(path) as ws:
        first = ws.save_run({"customers": t}, {"summary": {"n": 1}}, background=True)
        assert first.table("customers") is t  # the outputs render from this while the store runs
        assert ws.load_run().run_id == first.run_id  # waits for the store
        second = ws.save_run({"customers": t}, {"summary": {"n": 2}}, background=True)
    with Workspace(path) as ws:  # closing waited: both runs are on disk
        assert [r for r, _ in ws.runs()] == [first.run_id, second.run_id]
        assert ws.load_run().table("customers").equals(t)


def test_a_failed_background_store_is_raised_and_leaves_no_run(ws):
    import pyarrow as pa

    good = pa.table({"x": [1]})
    ws.save_run({"a": good}, {"summary": {}})
    ws.save_run({"a": good, 'b"': good}, {"summary": {}}, background=True)  # no table can be named run2__b"
    with pytest.raises(Exception, match="[Ss]yntax|[Pp]arser"):
        ws.wait()
    assert [r for r, _ in ws.runs()] == [1] and not ws.has_table("run2__a")
    ws.wait()  # raised once


def test_storing_a_run_keeps_the_newest_runs_and_reuses_the_space_of_those_dropped(tmp_path):
    import numpy as np
    import pyarrow as pa

    # random floats hardly compress: each run takes about 1.6 MB of the file
    t = pa.table({"x": np.random.default_rng(7).random(200_000)})
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        for i in range(3):
            ws.save_run({"customers": t, "other": t.slice(0, 10)}, {"summary": {"n": i}}, keep=2)
        assert [r for r, _ in ws.runs()] == [2, 3]
        assert not ws.has_table("run1__customers") and not ws.has_table("run1__other")
        assert ws.load_run(2).meta["summary"] == {"n": 1} and ws.load_run().table("customers").equals(t)
        ws.raw.execute("CHECKPOINT")
        size = path.stat().st_size
        for i in range(3, 9):  # a checkpoint frees the blocks of dropped tables (as closing the workspace does)
            ws.save_run({"customers": t, "other": t.slice(0, 10)}, {"summary": {"n": i}}, keep=2, background=True)
            ws.raw.execute("CHECKPOINT")
        assert [r for r, _ in ws.runs()] == [8, 9]
        assert path.stat().st_size < size + 2_000_000  # six more runs, not six times 1.6 MB more
        ws.save_run({"customers": t}, {"summary": {}})  # no keep: nothing is dropped
        assert [r for r, _ in ws.runs()] == [8, 9, 10]


def test_a_run_holds_an_earlier_runs_table_until_no_kept_run_holds_it(tmp_path):
    import pyarrow as pa

    a, b = pa.table({"x": [1, 2, 3]}), pa.table({"y": ["p", "q"]})

    def stored(ws):
        return sorted(n for (n,) in ws.raw.execute("SELECT table_name FROM duckdb_tables() WHERE "
                                                     "table_name LIKE 'run%'").fetchall())

    with Workspace(tmp_path / "ws.duckdb") as ws:
        first = ws.save_run({"a": a, "b": b}, {"summary": {}}, keep=2)
        second = ws.save_run({"b": b}, {"summary": {}}, keep=2, shared={"a": first.stored_name("a")})
        assert second.tables == ["a", "b"] and second.stored_name("a") == "run1__a"
        third = ws.save_run({"b": b}, {"summary": {}}, keep=2, shared={"a": ws.load_run().stored_name("a")})
        assert [r for r, _ in ws.runs()] == [2, 3]
        assert stored(ws) == ["run1__a", "run2__b", "run3__b"]  # run 1 dropped; its table a still held
        assert ws.load_run(third.run_id).table("a").equals(a) and ws.load_run(2).table("a").equals(a)
        ws.save_run({"a": a, "b": b}, {"summary": {}}, keep=2)
        assert stored(ws) == ["run1__a", "run3__b", "run4__a", "run4__b"]  # run 3 still holds run1__a
        ws.save_run({"a": a, "b": b}, {"summary": {}}, keep=2)
        assert stored(ws) == ["run4__a", "run4__b", "run5__a", "run5__b"]  # nothing left over


def test_a_run_holds_the_unchanged_columns_of_a_table_in_the_earlier_runs_tables(tmp_path):
    """Run 2 changes column y of run 1's customers, run 3 column z: each stores only what changed (and the key); each
    reads back whole, in its column order; dropping run 1 keeps what runs 2 and 3 still read of it."""
    import pyarrow as pa

    from salesfocus.workspace import held_in_parts

    one = pa.table({"customer_id": ["a", "b", "c"], "x": [1, 2, 3], "y": ["p", "q", "r"], "z": [0.5, 1.5, None]})
    two = one.set_column(2, "y", pa.array(["p", "Q", "r"]))
    three = two.set_column(3, "z", pa.array([9.0, 1.5, None])).append_column("w", pa.array([True, False, True]))

    def columns(ws, table):
        return [c for (c,) in ws.raw.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                             "ORDER BY column_index", [table]).fetchall()]

    with Workspace(tmp_path / "ws.duckdb") as ws:
        first = ws.save_run({"customers": one}, {"summary": {}}, keep=2)
        parts = held_in_parts(first.stored_name("customers"), ws.load_run(1).table("customers"), two)
        assert parts["parts"] == [["run1__customers", ["x", "z"]], [None, ["y"]]]
        second = ws.save_run({"customers": two}, {"summary": {}}, keep=2, shared={"customers": parts})
        assert columns(ws, "run2__customers") == ["customer_id", "y"]
        assert second.table("customers").equals(two)  # as given, for the outputs
        parts = held_in_parts(second.stored_name("customers"), ws.load_run(2).table("customers"), three)
        assert parts["parts"] == [["run1__customers", ["x"]], ["run2__customers", ["y"]], [None, ["z", "w"]]]
        ws.save_run({"customers": three}, {"summary": {}}, keep=2, shared={"customers": parts})
        assert columns(ws, "run3__customers") == ["customer_id", "z", "w"]
        assert ws.load_run(2).table("customers").equals(two)  # run 1 dropped; its columns still read
        assert ws.load_run(3).table("customers").equals(three)
        assert held_in_parts("run3__customers", three, three.slice(1)) is None  # other rows: stored whole
        assert held_in_parts("run1__customers", one, one) == "run1__customers"  # unchanged: held whole
        assert held_in_parts(second.stored_name("customers"), two, two) == second.stored_name("customers")
        # a run whose table is that of run 2 unchanged: held in run 2's parts, nothing stored of its own
        again = ws.save_run({"customers": two}, {"summary": {}}, shared={"customers": second.stored_name("customers")})
        assert not ws.has_table(f"run{again.run_id}__customers")
        assert ws.load_run(again.run_id).table("customers").equals(two)
        ws.save_run({"customers": one}, {"summary": {}}, keep=1)
        assert sorted(n for (n,) in ws.raw.execute("SELECT table_name FROM duckdb_tables()").fetchall()
                      if n.startswith("run")) == ["run5__customers"]


def test_a_made_table_keeps_known_labels_as_enums_and_reads_them_back_as_text(tmp_path):
    """Columns made with their labels given are stored as ENUMs and read back as the text they hold (whole, in
    batches, by a run that holds the table); a label not among those given stores the table as text, the same rows."""
    import pyarrow as pa

    from salesfocus.model.context import Made

    rows = pa.table({"customer_id": [f"c{i}" for i in range(9)], "level": ["top", "it's", None] * 3,
                     "period": ["2024", "2025", "2025"] * 3, "n": list(range(9))})
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.raw.register("rows", rows)
        sql = "SELECT * FROM rows ORDER BY n DESC"
        made = ws.make("moves", sql, sql, enums={"level": ["top", "it's", "low"], "period": ["2024", "2025"]})
        kinds = dict(ws.raw.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
                                    [made]).fetchall())
        assert kinds["level"].startswith("ENUM") and kinds["period"].startswith("ENUM")
        want = pa.concat_tables([rows.sort_by([("n", "descending")])] * 2)
        got = Made(ws, made)
        assert got.schema == rows.schema and got.load().equals(want)
        assert pa.Table.from_batches(list(got.batches(4))).equals(want)
        run = ws.save_run({}, {"summary": {}}, shared={"moves": made})
        assert ws.load_run(run.run_id).table("moves").equals(want)
        other = ws.make("moves", sql, enums={"level": ["top"], "period": ["2024", "2025"]})  # "it's" not given
        kinds = dict(ws.raw.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
                                    [other]).fetchall())
        assert kinds["level"] == "VARCHAR" and Made(ws, other).load().equals(want.slice(0, 9))


def test_column_digests_tell_equal_columns_from_any_other():
    """A column's digest does not depend on how its values lie in memory (chunks, slices, the bytes under a gap), and
    differs for another value, another gap or another type: held_by_digests then holds what held_in_parts holds."""
    import numpy as np
    import pyarrow as pa

    from salesfocus.workspace import column_digests, held_by_digests, held_in_parts

    values = np.array([1.5, 2.0, -3.25, 4.0, 0.1])
    garbage = pa.Array.from_buffers(pa.float64(), 5, [pa.array([True, False, True, True, False]).buffers()[1],
                                                        pa.py_buffer(values.tobytes())])
    one = pa.table({"customer_id": ["a", "b", "c", "d", "e"], "x": [1.5, None, -3.25, 4.0, None],
                    "s": ["p", None, "r", "s", "t"], "n": [1, 2, 3, 4, 5]})
    same = pa.table({"customer_id": pa.chunked_array([["a", "b"], ["c", "d", "e"]]), "x": garbage,
                     "s": pa.array(["z", "p", None, "r", "s", "t"]).slice(1), "n": [1, 2, 3, 4, 5]})
    assert one.equals(same)
    assert column_digests(one) == column_digests(same)
    for name, other in [("x", pa.array([1.5, None, -3.25, 4.0, 0.0])),  # a value where there was a gap
                        ("x", pa.array([1.5, None, -3.25, 4.5, None])),
                        ("s", pa.array(["p", "", "r", "s", "t"])),  # empty text is not a gap
                        ("n", pa.array([1, 2, 3, 4, 5], pa.int32()))]:  # another type
        changed = one.set_column(one.schema.get_field_index(name), name, other)
        digests = column_digests(changed)
        assert [c for c in digests if digests[c] != column_digests(one)[c]] == [name]
        assert held_by_digests("run1__customers", column_digests(one), digests) == held_in_parts(
            "run1__customers", one, changed)
    assert held_by_digests("run1__customers", column_digests(one), column_digests(same)) == "run1__customers"
    assert held_by_digests("run1__customers", column_digests(one), column_digests(one.slice(1))) is None
    known = {"x": "given"}  # a digest known already is not computed again
    assert column_digests(one, known)["x"] == "given"


def test_digests_made_ahead_are_those_of_the_columns_still_the_same_data():
    """Digests made while a table grows are given only for the columns of the final table that are the very data
    digested (a column replaced since, or one never added, is not), and equal column_digests of those columns."""
    import pyarrow as pa

    from salesfocus.workspace import DigestsAhead, column_digests, same_data

    first = pa.table({"customer_id": ["a", "b", "c"], "x": [1.0, None, 3.0], "s": ["p", "q", None]})
    grown = first.append_column("y", pa.array([1, 2, 3]))
    final = grown.set_column(1, "x", pa.array([1.0, None, 3.5])).append_column("z", pa.array([True, False, None]))
    ahead = DigestsAhead()
    ahead.add(first)
    ahead.add(grown)
    known = ahead.known(final)
    assert sorted(known) == ["customer_id", "s", "y"]
    assert known == {c: d for c, d in column_digests(final).items() if c in known}
    assert same_data(final.column("s"), first.column("s"))  # the table's column wrappers differ, the data not
    assert not same_data(pa.chunked_array([["a", "b", "c"]]), first.column("customer_id"))  # equal, not the same
    assert not same_data(first.column("x").slice(1), first.column("x"))
    nested = pa.chunked_array([pa.array([{"k": 1}, None])])
    assert same_data(nested, pa.chunked_array([pa.array([{"k": 1}, None])]))  # compared by value


def _text_columns_table(rows: int):
    """Text columns of every kind the run store tells apart, with nulls, empty strings, quotes and non-ASCII."""
    import pyarrow as pa

    from salesfocus.workspace import ENUM_MAX_VALUES

    few = ["A", "B", "", "it's", "Ünïcode", None]
    late = [f"v{i % 3}" for i in range(rows // 2)] + [f"w{i}" for i in range(rows - rows // 2)]
    columns = {
        "customer_id": pa.array([f"c{i:06d}" for i in range(rows)]),  # unique: text
        "status": pa.array([few[i % len(few)] for i in range(rows)]),  # few values and nulls: an ENUM
        "source": pa.array([None if i % 7 else "default" for i in range(rows)], pa.large_string()),
        "at_limit": pa.array([f"g{i % ENUM_MAX_VALUES}" for i in range(rows)]),  # an ENUM
        "over_limit": pa.array([f"g{i % (ENUM_MAX_VALUES + 1)}" for i in range(rows)]),  # text
        "late": pa.array(late),  # few values on the first rows, many after: text
        "empty": pa.array([None] * rows, pa.string()),  # no value at all: text
        "n": pa.array(range(rows), pa.int64()),
    }
    table = pa.table(columns)
    return pa.concat_tables([table.slice(0, rows // 3), table.slice(rows // 3)])  # chunked as runs are


def test_low_cardinality_text_is_stored_as_enum_and_read_back_as_the_same_arrow(tmp_path):
    import pyarrow as pa

    t = _text_columns_table(50_000)
    small = pa.table({"kind": ["x", "x", "y"]})  # too few rows for an ENUM
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        run = ws.save_run({"customers": t, "small": small}, {"summary": {}}, background=True)
        saved = run.table("customers")
    with Workspace(path, read_only=True) as ws:
        types = dict(ws.raw.execute("SELECT column_name, data_type FROM duckdb_columns() "
                                    "WHERE table_name = 'run1__customers'").fetchall())
        enums = {c for c, ty in types.items() if ty.startswith("ENUM")}
        assert enums == {"status", "source", "at_limit"}
        assert ws.raw.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'run1__small'"
                              ).fetchall() == [("VARCHAR",)]
        loaded = ws.load_run()
        back = loaded.table("customers")
        assert back.schema == saved.schema and back.equals(saved)  # large_string reads back as string
        assert back.column("status").null_count == t.column("status").null_count
        assert back.column("source").to_pylist() == t.column("source").to_pylist()
        for name in t.column_names:
            assert back.column(name).to_pylist() == t.column(name).to_pylist(), name
        assert loaded.table("small").equals(small) and loaded.frame("customers").shape == (t.num_rows, t.num_columns)


def test_a_run_stored_with_text_columns_only_by_an_older_version_still_reads(tmp_path):
    import json

    t = _text_columns_table(30_000)
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        ws.save_run({"customers": t}, {"summary": {"n": 1}})
        # what an older version stored: every text column VARCHAR
        ws.raw.register("__old", t)
        ws.raw.execute("CREATE TABLE run2__customers AS SELECT * FROM __old")
        ws.raw.unregister("__old")
        ws.raw.execute("INSERT INTO _runs VALUES (2, '2024-01-01T00:00:00', ?, ?)",
                       [json.dumps({"summary": {"n": 2}}), json.dumps(["customers"])])
        assert ws.raw.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'run2__customers' "
                              "AND data_type <> 'VARCHAR' AND column_name <> 'n'").fetchone()[0] == 0
    with Workspace(path, read_only=True) as ws:
        old, new = ws.load_run(2).table("customers"), ws.load_run(1).table("customers")
        assert old.schema == new.schema and old.equals(new)
        assert old.column("status").to_pylist() == t.column("status").to_pylist()
