"""Environment probe: run by the kernel's own interpreter, with the standard library only.

``python probe.py`` prints one JSON object: the Python version and platform, the site folders
(with their modification times, so callers can tell when the environment changed), and every
installed distribution with its version, license (License-Expression, License, classifiers),
whether it is an editable install, and the GPU libraries among them. It imports nothing outside
the standard library and never imports the packages it lists. Python 3.8+.
"""

import json
import os
import platform
import site
import sys

GPU_HINTS = (
    "nvidia-",
    "cupy",
    "pycuda",
    "tensorflow-gpu",
    "onnxruntime-gpu",
    "jaxlib",
    "torch",
    "tensorrt",
    "triton",
    "mxnet-cu",
    "paddlepaddle-gpu",
    "cudf",
    "cuml",
    "numba-cuda",
)


def _first_line(text, limit=200):
    if not text:
        return None
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return line[:limit] or None


def _site_dirs():
    dirs = []
    try:
        dirs.extend(site.getsitepackages())
    except Exception:  # virtualenvs of old versions lack getsitepackages
        pass
    try:
        dirs.append(site.getusersitepackages())
    except Exception:
        pass
    dirs.extend(p for p in sys.path if p and p.endswith(("site-packages", "dist-packages")))
    seen, out = set(), []
    for d in dirs:
        if d in seen or not os.path.isdir(d):
            continue
        seen.add(d)
        try:
            out.append({"path": d, "mtime_ns": os.stat(d).st_mtime_ns})
        except OSError:
            pass
    return out


def _packages():
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8
        return [], "importlib.metadata is not available in this Python"
    found = {}
    for dist in metadata.distributions():
        try:
            meta = dist.metadata
            name = meta["Name"]
        except Exception:
            continue
        if not name:
            continue
        key = name.lower().replace("_", "-")
        if key in found:
            continue
        classifiers = [
            c.split(" :: ")[-1]
            for c in (meta.get_all("Classifier") or [])
            if c.startswith("License ::")
        ]
        editable = False
        try:
            direct = dist.read_text("direct_url.json")
            if direct:
                editable = bool(json.loads(direct).get("dir_info", {}).get("editable"))
        except Exception:
            pass
        found[key] = {
            "name": key,
            "version": meta["Version"],
            "license_expression": meta.get("License-Expression"),
            "license_text": _first_line(meta.get("License")),
            "license_classifiers": classifiers,
            "editable": editable,
        }
    return sorted(found.values(), key=lambda p: p["name"]), None


def collect():
    packages, problem = _packages()
    gpu = [
        {"library": p["name"], "version": p["version"]}
        for p in packages
        if p["name"].startswith(GPU_HINTS)
        and (p["name"] != "torch" or "+cpu" not in (p["version"] or ""))
    ]
    return {
        "schema": "wellml-environment/v1",
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
            "prefix": sys.prefix,
        },
        "platform": {
            "system": platform.system(),
            "machine": platform.machine(),
            "release": platform.release(),
        },
        "paths": _site_dirs(),
        "packages": packages,
        "gpu": gpu,
        "gpu_device": os.path.exists("/dev/nvidia0") or os.path.exists("/dev/nvidiactl"),
        "problems": [problem] if problem else [],
    }


if __name__ == "__main__":
    json.dump(collect(), sys.stdout)
    sys.stdout.write("\n")
