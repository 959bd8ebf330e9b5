"""The version of featreuse: the installed distribution's, else the checkout's pyproject.toml."""
import os


def featreuse_version():
    """Version string of featreuse (``"unknown"`` when neither source is readable)."""
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("featreuse")
    except PackageNotFoundError:  # not installed: read the checkout
        pass
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "pyproject.toml")
    try:
        import tomllib
        with open(path, "rb") as f:
            return tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, ValueError):
        return "unknown"
