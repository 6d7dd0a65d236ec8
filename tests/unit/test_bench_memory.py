"""The Rasa server's memory counts its children too, read from a /proc laid out by hand."""

from tools.bench.memory import process_tree, tree_rss_mb


def fake_proc(tmp_path, processes):
    for pid, (parent, rss_kb, name) in processes.items():
        folder = tmp_path / str(pid)
        folder.mkdir()
        (folder / "stat").write_text(f"{pid} ({name}) S {parent} 1 1 0 -1\n")
        (folder / "status").write_text(f"Name:\t{name}\nVmRSS:\t  {rss_kb} kB\n")
    (tmp_path / "self").mkdir()
    return tmp_path


def test_a_process_and_all_its_descendants_are_counted(tmp_path):
    proc = fake_proc(
        tmp_path,
        {
            10: (1, 1000, "python"),
            11: (10, 500, "worker (a) b"),  # a name with spaces and parentheses
            12: (11, 250, "grandchild"),
            20: (1, 9999, "unrelated"),
        },
    )
    assert sorted(process_tree(10, proc)) == [10, 11, 12]
    assert tree_rss_mb(10, proc) == round(1750 * 1024 / 1e6, 1)


def test_a_process_that_is_gone_counts_nothing(tmp_path):
    assert tree_rss_mb(999, fake_proc(tmp_path, {})) == 0
