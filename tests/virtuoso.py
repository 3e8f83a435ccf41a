"""A real Virtuoso server (Debian's virtuoso-opensource, installed by .ci/run) in a folder of its own on 127.0.0.1."""
from __future__ import annotations

import configparser
import contextlib
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def virtuoso_ini(folder: Path, http_port: int, sql_port: int, buffers: int | None = None) -> Path:
    """Debian's configuration with the database in `folder`, both ports on 127.0.0.1, and limits that fit a KG:
    results as long as the KG's tables, and queries allowed to run as long as the report's slowest. `buffers`: the
    8 KB pages Virtuoso caches (Debian's default, 10,000, is 80 MB; its documentation sizes them to 2/3 of memory
    for a large database)."""
    ini = configparser.ConfigParser(interpolation=None, strict=False, inline_comment_prefixes=(";",))
    ini.optionxform = str  # Virtuoso's keys are case-sensitive
    ini.read(DEBIAN_INI)
    for section, key in [("Database", "DatabaseFile"), ("Database", "ErrorLogFile"), ("Database", "LockFile"),
                         ("Database", "TransactionFile"), ("Database", "xa_persistent_file"),
                         ("TempDatabase", "DatabaseFile"), ("TempDatabase", "TransactionFile")]:
        ini[section][key] = str(folder / Path(ini[section][key]).name)
    ini["Parameters"]["ServerPort"] = f"127.0.0.1:{sql_port}"
    ini["Parameters"]["DirsAllowed"] = f"., {folder}, /usr/share/virtuoso-opensource-7/vad"
    ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    ini["SPARQL"]["ResultSetMaxRows"] = "1000000"
    ini["SPARQL"]["MaxQueryExecutionTime"] = "600"
    if buffers:
        ini["Parameters"]["NumberOfBuffers"] = str(buffers)
        ini["Parameters"]["MaxDirtyBuffers"] = str(buffers * 3 // 4)
    ini.remove_section("Plugins")  # the wiki hosting plugins are not installed without the recommends
    path = folder / "virtuoso.ini"
    with open(path, "w") as fh:
        ini.write(fh)
    return path


def start_virtuoso(folder: Path, http_port: int, sql_port: int, timeout: float = 120,
                   buffers: int | None = None) -> subprocess.Popen:
    """Start Virtuoso in `folder` and wait until its SPARQL endpoint answers; grant updates to the endpoint's
    user, as a KG's owner does once per database (README)."""
    exe = shutil.which("virtuoso-t")
    if exe is None or not DEBIAN_INI.exists():
        raise FileNotFoundError("virtuoso-t (Debian: apt-get install virtuoso-opensource)")
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(virtuoso_ini(folder, http_port, sql_port, buffers))],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:] if (folder / "virtuoso.log").exists() else ""
                raise RuntimeError(f"virtuoso did not start:\n{log}")
            time.sleep(0.5)
    isql(sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
    return proc


def isql(sql_port: int, statement: str) -> str:
    """Run one SQL statement as dba (a new database's password is dba) through Virtuoso's own client."""
    return subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"], check=True,
                          capture_output=True, text=True, timeout=600).stdout


@contextlib.contextmanager
def running_virtuoso(folder: Path, http_port: int, sql_port: int,
                     buffers: int | None = None) -> Iterator[subprocess.Popen]:
    """`start_virtuoso`, stopped on leaving (a checkpointing server may take a while to exit)."""
    proc = start_virtuoso(folder, http_port, sql_port, buffers=buffers)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=120)
