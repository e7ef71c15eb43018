"""The search vocabulary's pinyin is written ahead (``marketplace.vocabulary_sounds``), so
that a process answering searches never loads pypinyin's 56 MB phrase dictionary."""

from __future__ import annotations

import subprocess
import sys

from marketplace import vocabulary_sounds


def test_the_written_sounds_are_what_pypinyin_says_of_the_vocabulary_now():
    assert vocabulary_sounds.computed() == vocabulary_sounds.SOUNDS, (
        "the vocabulary moved on: run .venv/bin/python -c "
        "\"from marketplace.vocabulary_sounds import write; write()\"")


def test_answering_a_search_loads_no_pypinyin():
    script = (
        "import sys\n"
        "from marketplace import create_app\n"
        "from marketplace.search_terms import parse\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'TESTING': True,\n"
        "                  'SECRET_KEY': 'x'})\n"
        "assert all(t.concepts for t in parse('tuina 按摩 颈椎 am'))\n"
        "print('pypinyin' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=False, cwd=vocabulary_sounds.__file__.rsplit("/", 2)[0])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_service_title_still_gets_its_pinyin_written():
    from providers.search_keys import keys_for

    assert keys_for("中医按摩") == "zhongyianmo ^zyam ^yam ^am"
