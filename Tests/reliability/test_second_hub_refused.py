"""Issue 15: a second `hub up` on the same data folder or ports as a running hub refuses
to start, with a message that says why — it must never join the running hub's broker; nor
does a component started alone with `hub run` on that folder."""
import os
import subprocess
import tempfile
import urllib.parse

import pytest

HUB_URL = os.environ.get("HUB_URL", "")
HUB_BIN = os.environ.get("HUB_BIN", "")
DATA_DIR = os.environ.get("HUB_DATA_DIR", "")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR", "")
BROKER = os.environ.get("HUB_BROKER_ENDPOINT", "")

pytestmark = pytest.mark.skipif(not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and BROKER),
                                reason="needs the running hub from scripts/test.sh")


def second_hub(data_dir, gateway_port, broker):
    env = dict(os.environ, HUB_GATEWAY_PORT=str(gateway_port), HUB_BROKER_ENDPOINT=broker)
    env.pop("HUB_DATABASE_URL", None)
    return subprocess.run([HUB_BIN, "up", "--data-dir", data_dir, "--config", CONFIG_DIR], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_a_second_hub_on_the_same_data_folder_or_ports_refuses_to_start():
    port = urllib.parse.urlparse(HUB_URL).port
    same_folder = second_hub(DATA_DIR, port + 7, "tcp://127.0.0.1:1")
    assert same_folder.returncode != 0
    assert "Another hub is running on this data folder" in same_folder.stderr
    with tempfile.TemporaryDirectory() as other:
        os.chmod(other, 0o700)
        same_ports = second_hub(other, port, BROKER)
        assert same_ports.returncode != 0
        assert "is in use" in same_ports.stderr


def test_a_component_run_by_itself_on_a_running_hubs_data_folder_refuses_to_start():
    """`hub run` (a component started alone, as systemd does) never joins a `hub up`'s folder."""
    env = dict(os.environ)
    env.pop("HUB_DATABASE_URL", None)
    alone = subprocess.run([HUB_BIN, "run", "training", "--data-dir", DATA_DIR, "--config", CONFIG_DIR], env=env,
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert alone.returncode != 0
    assert "training is already running on this data folder" in alone.stderr
