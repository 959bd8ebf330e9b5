"""What made a comparison: package versions, featreuse's version, machine, time."""
import json
import platform
import sys
import time

#: distributions whose versions are recorded (read from their metadata, nothing imported)
PACKAGES = ("numpy", "scipy", "cvxpy", "clarabel", "highspy", "torch", "numba", "pandas", "h5py")


def _version(dist):
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def provenance():
    """A JSON-ready dict: ``featreuse_version``, ``versions`` (per package), ``python``,
    ``platform``, ``created`` (UTC, ISO 8601)."""
    from featreuse.version import featreuse_version
    return {"featreuse_version": featreuse_version(),
            "versions": {p: _version(p) for p in PACKAGES},
            "python": sys.version.split()[0], "platform": platform.platform(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def provenance_json():
    """:func:`provenance` as a JSON string."""
    return json.dumps(provenance())
