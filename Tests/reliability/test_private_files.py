"""Issue 12: nothing under the data folder is readable by others. `hub up` creates the
folder 0700 and runs with umask 077, so databases, WAL files, logs, keys and adapter
folders are the service account's alone."""
import os
import stat

import pytest

DATA_DIR = os.environ.get("HUB_DATA_DIR", "")

pytestmark = pytest.mark.skipif(not DATA_DIR, reason="needs the running hub from scripts/test.sh (HUB_DATA_DIR)")


def test_no_file_or_folder_under_the_data_folder_is_open_to_others():
    seen = 0
    open_to_others = []
    for root, dirs, files in os.walk(DATA_DIR):
        for name in dirs + files + ([] if root != DATA_DIR else ["."]):
            path = os.path.join(root, name)
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                continue  # a WAL or temporary file removed meanwhile
            seen += 1
            if stat.S_ISLNK(mode):
                continue
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                open_to_others.append(f"{os.path.relpath(path, DATA_DIR)} {stat.filemode(mode)}")
    assert seen > 10, "the hub has written its databases, logs and keys"
    assert open_to_others == []
