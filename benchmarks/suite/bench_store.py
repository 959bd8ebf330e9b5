"""asv suite: committing runs to a sweep file at 10 and at 10,000 stored runs.

The figures behind the claim that a commit costs the same whatever the file
holds (benchmarks/store_commit.py prints them with amortised sweep costs).
"""
import os
import shutil
import tempfile

from featreuse.analysis.store import Store

from .problems import commit_config as _config
from .problems import commit_record as _record
from .problems import commit_run as _run


class Commit:
    """100 commits into a store that already holds ``stored`` folded runs."""

    params = [10, 10_000]
    param_names = ["stored"]
    timeout = 300

    def setup_cache(self):
        folder = tempfile.mkdtemp(prefix="featreuse-asv-")
        config = _config(folder)
        for stored in self.params:
            store = Store.open(os.path.join(folder, f"at{stored}.h5"), config)
            for i in range(stored):
                store.commit(_run(i), _record(i))
            store.close()
        return folder

    def setup(self, folder, stored):
        self.work = tempfile.mkdtemp(prefix="featreuse-asv-")
        path = os.path.join(self.work, "s.h5")
        shutil.copyfile(os.path.join(folder, f"at{stored}.h5"), path)
        self.store = Store.open(path, _config(self.work))
        self.start = stored

    def teardown(self, folder, stored):
        self.store.journal.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def time_100_commits(self, folder, stored):
        for i in range(self.start, self.start + 100):
            self.store.commit(_run(i), _record(i))
        self.start += 100
